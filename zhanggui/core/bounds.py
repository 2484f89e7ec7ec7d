"""Business bounds of every money and quantity input (rule 7 of the house: bad input gets a clear error).

Two layers, one module:
- the column's range (a 32-bit integer on PostgreSQL), which no input may pass whatever the business says: the API
  schemas use `Fen` and `Quantity` (pydantic bounds → 422 in Chinese before a handler runs);
- the business range, a company setting (settings.BUSINESS_BOUNDS: the dearest price and the biggest quantity
  that are not a typo), checked by the services through `check_fen` / `check_quantity`, so a page, the API, an
  import and a script are held to the same bounds.
"""

from __future__ import annotations

from typing import Annotated

from django.conf import settings
from pydantic import Field

from .errors import DomainError

INT32_MAX = 2**31 - 1  # the widest integer column we store money and quantities in

Fen = Annotated[int, Field(ge=-INT32_MAX, le=INT32_MAX)]
Quantity = Annotated[int, Field(ge=-INT32_MAX, le=INT32_MAX)]


def max_fen() -> int:
    return min(int(settings.BUSINESS_BOUNDS["money_max_fen"]), INT32_MAX)


def max_quantity() -> int:
    return min(int(settings.BUSINESS_BOUNDS["quantity_max"]), INT32_MAX)


def _whole(value, what: str, field: str) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise DomainError("bad_number", f"{what}必须是整数", field) from None


def check_fen(value, what: str, field: str, *, low: int = 0) -> int:
    """An amount in fen between `low` and the company's money bound, or a Chinese DomainError naming `what`."""
    number, high = _whole(value, what, field), max_fen()
    if not low <= number <= high:
        raise DomainError(
            "out_of_range", f"{what}应在 ¥{low / 100:,.2f} 到 ¥{high / 100:,.2f} 之间（现为 {number} 分）", field
        )
    return number


def check_quantity(value, what: str, field: str, *, low: int = 1) -> int:
    """A quantity between `low` and the company's quantity bound, or a Chinese DomainError naming `what`."""
    number, high = _whole(value, what, field), max_quantity()
    if not low <= number <= high:
        raise DomainError("out_of_range", f"{what}应在 {low:,} 到 {high:,} 之间（现为 {number}）", field)
    return number
