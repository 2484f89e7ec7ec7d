"""The refusals of after-sales services that are about the input (AS-2, AS-5): 422 through the API, like a
schema error, with the Chinese message; a duplicate open case is a conflict (409)."""

from zhanggui.core.errors import DomainError


class CaseInputError(DomainError):
    """Bad input for a case: a quantity past the order line, a refund past what was paid, a missing reason …"""

    status = 422


class DuplicateCase(DomainError):
    """AS-2: the order already has an open case of this type."""

    status = 409
