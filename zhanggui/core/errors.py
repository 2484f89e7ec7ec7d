"""One error type for business rules: a stable code, a Chinese message, optionally the field at fault."""


class DomainError(Exception):
    status = 400

    def __init__(self, code: str, message: str, field: str | None = None, details: list[str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.details = details or []  # one Chinese line per refused row, when a whole document was refused

    def as_dict(self) -> dict:
        data = {"code": self.code, "message": self.message, "field": self.field}
        if self.details:
            data["details"] = self.details
        return data


class OutOfBounds(DomainError):
    """A number past the business bounds or the column (core.bounds): the API answers 422, like a refused schema."""

    status = 422


class IllegalTransition(DomainError):
    """A state machine was asked for a move its transition table does not allow."""

    status = 409


class NotFound(DomainError):
    status = 404
