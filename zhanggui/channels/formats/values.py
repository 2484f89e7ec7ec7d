"""The cell parsers of the export readers (ORD-1 §1.5): amounts in yuan → fen, Beijing wall times → UTC, quantities,
phones. Fast paths for the usual forms; anything odd is a BadValue with its Chinese reason (a row error)."""

from __future__ import annotations

import datetime as dt

from zhanggui.core.bounds import check_quantity, check_total_fen, max_total_fen
from zhanggui.core.errors import DomainError
from zhanggui.core.money import yuan_to_fen

BEIJING = dt.timedelta(hours=8)  # China has no DST: Beijing wall time − 8 h = UTC


class BadValue(Exception):
    pass


def parse_fen(text: str) -> int:
    """Amount in yuan → fen. Fast path for "201.12" / "0" / "0元"; everything else through yuan_to_fen."""
    if not text:
        return 0
    if text[-1] == "元":
        text = text[:-1]
    whole, _, frac = text.partition(".")
    if whole.isdecimal() and len(whole) < 8:  # isdecimal, not isdigit: "²" is a digit that int() refuses
        if not frac:
            fen = int(whole) * 100
        elif frac.isdecimal() and len(frac) <= 2:
            fen = int(whole + frac) * (1 if len(frac) == 2 else 10)
        else:
            fen = None
        if fen is not None and fen <= max_total_fen():  # rule 7: the company's bound, on the fast path too
            return fen
    try:
        return check_total_fen(yuan_to_fen(text), "金额", "")  # rule 7: a stuck key is not an order's amount
    except DomainError as exc:
        raise BadValue(exc.message if exc.code == "out_of_range" else f"金额格式不正确：“{text}”") from exc


def parse_time(text: str) -> dt.datetime | None:
    """Beijing wall time without zone → aware UTC. `2017-07-08 00:42:32`, Excel's `2016/5/23 22:02`, date only."""
    if not text:
        return None
    try:
        if len(text) == 19 and text[4] == "-":  # the usual form: one C call to UTC (faster than timedelta math)
            return dt.datetime.fromisoformat(text + "+08:00").astimezone(dt.UTC)
        date_part, _, time_part = text.replace("/", "-").replace("T", " ").partition(" ")
        y, m, d = (int(x) for x in date_part.split("-"))
        hms = [int(float(x)) for x in time_part.strip().split(":")] if time_part.strip() else []
        hms += [0] * (3 - len(hms))
        local = dt.datetime(y, m, d, hms[0], hms[1], hms[2])
    except (ValueError, TypeError, OverflowError) as exc:
        raise BadValue(f"时间格式不正确：“{text[:40]}”") from exc
    return (local - BEIJING).replace(tzinfo=dt.UTC)


def parse_qty(text: str) -> int:
    if not text:
        return 1
    try:
        qty = float(text) if not text.isdigit() else int(text)
        whole = int(qty)
    except (ValueError, OverflowError) as exc:  # "nan", "1e400"
        raise BadValue(f"数量格式不正确：“{text[:20]}”") from exc
    if qty != whole or qty <= 0:
        raise BadValue(f"数量必须是正整数：“{text[:20]}”")
    try:
        return check_quantity(whole, "数量", "")  # rule 7: the company's bound, like a typed quantity
    except DomainError as exc:
        raise BadValue(exc.message) from exc


def parse_phone(text: str) -> str:
    """Strip the `'` Excel guard and spaces; masked numbers (138****1234) are kept as they are."""
    return text.replace("'", "").replace(" ", "").replace("-", "") if text else ""
