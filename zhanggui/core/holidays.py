"""The official calendar of a year that chinese-calendar does not know yet, entered by the manager from the State
Council's notice (国务院办公厅关于某年部分节假日安排的通知): the days off of each holiday and the make-up working
days (调休). `core.clock` uses it for business days (SHIP-2's cut-off, SLAs) and the named sale events (PROD-9).

The text is what the notice says, one holiday a line: "国庆节 2027-10-01~2027-10-07" (a single day: "元旦 2027-01-01");
the make-up working days as dates: "2027-02-07 2027-09-26".
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction

from . import clock
from .errors import DomainError
from .events import record_event
from .models import OfficialCalendar, OfficialDay

# The notice's Chinese names → chinese-calendar's names (what clock.holiday_name returns for known years).
HOLIDAYS = {
    "元旦": "New Year's Day",
    "春节": "Spring Festival",
    "清明": "Tomb-sweeping Day",
    "清明节": "Tomb-sweeping Day",
    "劳动节": "Labour Day",
    "五一": "Labour Day",
    "端午": "Dragon Boat Festival",
    "端午节": "Dragon Boat Festival",
    "中秋": "Mid-autumn Festival",
    "中秋节": "Mid-autumn Festival",
    "国庆": "National Day",
    "国庆节": "National Day",
}
_LINE = re.compile(
    r"^(?P<name>\S+?)[\s:：]+(?P<start>\d{4}-\d{1,2}-\d{1,2})(?:\s*[~～至-]\s*(?P<end>\d{4}-\d{1,2}-\d{1,2}))?$"
)
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


def _date(text: str, year: int, where: str) -> dt.date:
    try:
        day = dt.date(*(int(x) for x in text.split("-")))
    except ValueError:
        raise DomainError("bad_date", f"{where}：日期“{text}”不存在", "holidays") from None
    if day.year not in (year - 1, year, year + 1):
        raise DomainError("bad_date", f"{where}：{day:%Y-%m-%d} 不在 {year} 年前后", "holidays")
    return day


def parse(year: int, holidays_text: str, workdays_text: str) -> list[tuple[dt.date, bool, str]]:
    """(day, day off, holiday) rows from the manager's text; refused in Chinese with the line at fault."""
    rows: dict[dt.date, tuple[bool, str]] = {}
    for n, line in enumerate((holidays_text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        m = _LINE.match(line)
        if not m:
            raise DomainError(
                "bad_line", f"放假安排第 {n} 行格式不对：“{line}”，应为如 国庆节 {year}-10-01~{year}-10-07", "holidays"
            )
        name = HOLIDAYS.get(m["name"])
        if name is None:
            raise DomainError(
                "bad_holiday",
                f"放假安排第 {n} 行：“{m['name']}”不是法定节日（{'、'.join(dict.fromkeys(HOLIDAYS))}）",
                "holidays",
            )
        start = _date(m["start"], year, f"第 {n} 行")
        end = _date(m["end"], year, f"第 {n} 行") if m["end"] else start
        if end < start or (end - start).days > 14:
            raise DomainError("bad_range", f"放假安排第 {n} 行：日期范围不对", "holidays")
        for k in range((end - start).days + 1):
            rows[start + dt.timedelta(days=k)] = (True, name)
    for text in _DATE.findall(workdays_text or ""):
        day = _date(text, year, "调休上班")
        if day in rows:
            raise DomainError("clash", f"{day:%Y-%m-%d} 既是放假又是调休上班", "workdays")
        nearest = min(rows, key=lambda d: abs((d - day).days), default=None)
        rows[day] = (False, rows[nearest][1] if nearest else "")
    if not any(off for off, _name in rows.values()):
        raise DomainError("required", "请至少填写一个节日的放假日期", "holidays")
    return [(day, off, name) for day, (off, name) in sorted(rows.items())]


def save_year(actor, year: int, holidays_text: str, workdays_text: str, source: str) -> OfficialCalendar:
    """Enter (or replace) the official calendar of `year`; recorded on the timeline with its source."""
    source = (source or "").strip()[:300]
    if not source:
        raise DomainError("required", "请注明来源（如 国务院办公厅通知的标题或网址）", "source")
    if clock.package_knows(year):
        raise DomainError("known_year", f"{year} 年的节假日已由 chinese-calendar 提供，无需录入", "year")
    rows = parse(year, holidays_text, workdays_text)
    with transaction.atomic():
        calendar, _created = OfficialCalendar.objects.update_or_create(
            year=year, defaults={"source": source, "entered_by": actor if actor and actor.is_authenticated else None}
        )
        calendar.days.all().delete()
        OfficialDay.objects.bulk_create(
            [OfficialDay(calendar=calendar, day=day, day_off=off, holiday=name) for day, off, name in rows]
        )
        off = sum(1 for _d, o, _n in rows if o)
        record_event(
            actor,
            calendar,
            "official_calendar",
            note=f"{year} 年：放假 {off} 天，调休上班 {len(rows) - off} 天；来源：{source}",
        )
    transaction.on_commit(lambda: clock.forget_entered(year))
    clock.forget_entered(year)
    return calendar


def as_text(calendar: OfficialCalendar) -> tuple[str, str]:
    """The entered calendar back as the form's two texts."""
    names = {v: k for k, v in reversed(HOLIDAYS.items())}
    lines, workdays, current = [], [], None
    for day in calendar.days.order_by("day"):
        if not day.day_off:
            workdays.append(f"{day.day:%Y-%m-%d}")
        elif current and current[0] == day.holiday and (day.day - current[2]).days == 1:
            current[2] = day.day
        else:
            if current:
                lines.append(current)
            current = [day.holiday, day.day, day.day]
    if current:
        lines.append(current)
    text = "\n".join(f"{names.get(n, n)} {a:%Y-%m-%d}" + (f"~{b:%Y-%m-%d}" if b != a else "") for n, a, b in lines)
    return text, " ".join(workdays)
