"""Money is integer fen (分) everywhere; yuan appear only at the edge (forms, pages, files)."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import DomainError, OutOfBounds

MAX_DIGITS = 15  # digits of yuan before the point a parse accepts; the business bound (core.bounds) is far lower


def yuan_to_fen(value: str | int | float | Decimal) -> int:
    """Parse a yuan amount ("1,234.5", "¥12", 12.34) into integer fen; refuse anything else."""
    text = str(value).strip().replace(",", "").replace("¥", "").replace("￥", "").replace("元", "")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise DomainError("invalid_money", f"金额格式不正确：“{value}”，请填写如 12.50 的数字") from exc
    if not amount.is_finite():
        raise DomainError("invalid_money", f"金额格式不正确：“{value}”")
    if amount.adjusted() >= MAX_DIGITS:  # 10^30 yuan is a stuck key, not money (and past what Decimal rounds)
        raise OutOfBounds("out_of_range", f"金额过大：“{str(value)[:20]}”，请检查是否多输了位数")
    if amount != amount.quantize(Decimal("0.01")):
        raise DomainError("invalid_money", f"金额最多两位小数：“{value}”")
    return int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))


def format_fen(fen: int | None, symbol: str = "¥") -> str:
    """The one formatting helper: 123450 → '¥1,234.50'; negatives as '-¥12.00'."""
    if fen is None:
        return "—"
    sign = "-" if fen < 0 else ""
    return f"{sign}{symbol}{fen_to_yuan(abs(fen)):,.2f}"
