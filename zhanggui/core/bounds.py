"""Business bounds of every money and quantity input (rule 7 of the house: bad input gets a clear error).

Two layers, one module:
- the column's range (a 32-bit integer on PostgreSQL), which no input may pass whatever the business says: the API
  schemas use `Fen` and `Quantity` (pydantic bounds → 422 in Chinese before a handler runs);
- the business range, a company setting (settings.BUSINESS_BOUNDS: the dearest price, the biggest quantity and
  the heaviest parcel that are not a typo), checked by the services through `check_fen` / `check_quantity` /
  `check_grams` (and `check_between` for what the domain bounds itself: days, a share), so a page, the API, an
  import and a script are held to the same bounds. Ids and versions in API bodies are `Reference`: a wrong one
  finds nothing, but it must fit the widest column before the database sees it.
"""

from __future__ import annotations

from typing import Annotated

from django.conf import settings
from pydantic import Field

from .errors import OutOfBounds
from .money import format_fen

INT32_MAX = 2**31 - 1  # the widest integer column we store money and quantities in

Fen = Annotated[int, Field(ge=-INT32_MAX, le=INT32_MAX)]
Quantity = Annotated[int, Field(ge=-INT32_MAX, le=INT32_MAX)]
Grams = Annotated[int, Field(ge=-INT32_MAX, le=INT32_MAX)]
Reference = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]  # an id or a version: the widest column we have


def max_fen() -> int:
    return min(int(settings.BUSINESS_BOUNDS["money_max_fen"]), INT32_MAX)


def max_quantity() -> int:
    return min(int(settings.BUSINESS_BOUNDS["quantity_max"]), INT32_MAX)


def max_total_fen() -> int:
    return min(int(settings.BUSINESS_BOUNDS["total_max_fen"]), INT32_MAX)


def max_grams() -> int:
    return min(int(settings.BUSINESS_BOUNDS["weight_max_g"]), INT32_MAX)


def _whole(value, what: str, field: str) -> int:
    if isinstance(value, bool):  # True is not one piece
        raise OutOfBounds("bad_number", f"{what}必须是整数", field)
    text = str(value).strip()
    if len(text) > 30:  # no bound is that long; int() of a pasted column is slow
        raise OutOfBounds("out_of_range", f"{what}超出允许范围", field)
    try:
        return int(text)
    except (TypeError, ValueError):
        raise OutOfBounds("bad_number", f"{what}必须是整数", field) from None


def _money(value, what: str, field: str, low: int, high: int) -> int:
    number = _whole(value, what, field)
    if not low <= number <= high:  # rule 9: money as ¥, even in a refusal
        span = f"{format_fen(low)} 到 {format_fen(high)}"
        raise OutOfBounds("out_of_range", f"{what}应在 {span} 之间（现为 {format_fen(number)}）", field)
    return number


def check_fen(value, what: str, field: str, *, low: int = 0) -> int:
    """An amount in fen between `low` and the company's money bound, or a Chinese DomainError naming `what`."""
    return _money(value, what, field, low, max_fen())


def check_total_fen(value, what: str, field: str, *, low: int = 0) -> int:
    """A document's total or one payment in fen (many prices together), between `low` and the company's bound."""
    return _money(value, what, field, low, max_total_fen())


def check_quantity(value, what: str, field: str, *, low: int = 1) -> int:
    """A quantity between `low` and the company's quantity bound, or a Chinese DomainError naming `what`."""
    number, high = _whole(value, what, field), max_quantity()
    if not low <= number <= high:
        raise OutOfBounds("out_of_range", f"{what}应在 {low:,} 到 {high:,} 之间（现为 {number}）", field)
    return number


def check_grams(value, what: str, field: str, *, low: int = 0) -> int:
    """A weight in grams between `low` and the company's weight bound, or a Chinese DomainError naming `what`."""
    number, high = _whole(value, what, field), max_grams()
    if not low <= number <= high:
        raise OutOfBounds("out_of_range", f"{what}应在 {low:,} 到 {high:,} 克之间（现为 {number} 克）", field)
    return number


def check_between(value, what: str, field: str, *, low: int, high: int, unit: str = "") -> int:
    """A whole number the domain itself bounds (days of a lead time, a count of numbers to load)."""
    number = _whole(value, what, field)
    if not low <= number <= high:
        raise OutOfBounds("out_of_range", f"{what}应在 {low:,} 到 {high:,}{unit} 之间（现为 {number}{unit}）", field)
    return number
