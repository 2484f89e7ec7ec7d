"""Time: stored in UTC, shown and reasoned about in Beijing time (Asia/Shanghai).

Business days follow the official Chinese calendar (chinese-calendar: holidays and the
make-up working weekends, 调休). For a year the package does not cover yet, the calendar the
manager entered from the State Council's notice (`OfficialCalendar`, `core.holidays`); with
neither, weekends are the only days off — and the home page warns that the year has no calendar.
"""

import datetime as dt
import time
from zoneinfo import ZoneInfo

import chinese_calendar
from django.db import DatabaseError
from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    """The current moment, aware, in UTC (what we store)."""
    return timezone.now()


def local(moment: dt.datetime) -> dt.datetime:
    """An aware moment shown in Beijing time."""
    return moment.astimezone(SHANGHAI)


def today() -> dt.date:
    return local(now()).date()


def at_local(day: dt.date, time: dt.time) -> dt.datetime:
    """The aware moment of a Beijing wall-clock time on a given day."""
    return dt.datetime.combine(day, time, tzinfo=SHANGHAI)


def local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a Beijing calendar day, for filtering UTC timestamps by local date."""
    start = at_local(day, dt.time.min)
    return start, start + dt.timedelta(days=1)


ENTERED_TTL = 60.0  # seconds a process trusts its copy of an entered year (another process may save one)
_entered: dict[int, tuple[float, dict | None]] = {}


def package_knows(year: int) -> bool:
    """Does chinese-calendar carry the official calendar of `year`?"""
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def entered_year(year: int) -> dict[dt.date, tuple[bool, str]] | None:
    """{day: (day off, holiday name)} of the calendar the manager entered for `year`, or None (not entered)."""
    cached = _entered.get(year)
    if cached and time.monotonic() - cached[0] < ENTERED_TTL:
        return cached[1]
    from .models import OfficialCalendar, OfficialDay

    days = None
    try:
        if OfficialCalendar.objects.filter(year=year).exists():
            rows = OfficialDay.objects.filter(calendar__year=year).values_list("day", "day_off", "holiday")
            days = {d: (off, name) for d, off, name in rows}
    except (DatabaseError, RuntimeError):  # no database to read (before migrate, a test without one): weekends
        return None
    _entered[year] = (time.monotonic(), days)
    return days


def forget_entered(year: int | None = None) -> None:
    """Drop this process's copy of entered calendars (after the manager saved one)."""
    if year is None:
        _entered.clear()
    else:
        _entered.pop(year, None)


def calendar_known(year: int) -> bool:
    """Is the official calendar of `year` known (the package, or entered by the manager)?"""
    return package_knows(year) or entered_year(year) is not None


def holiday_detail(day: dt.date) -> tuple[bool, str | None]:
    """(a day off, the holiday's name or None): the package, else the entered calendar, else weekends."""
    try:
        return chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        entered = entered_year(day.year) or {}
        if day in entered:
            off, name = entered[day]
            return off, name
        return day.weekday() >= 5, None


def is_business_day(day: dt.date) -> bool:
    return not holiday_detail(day)[0]


def is_holiday(day: dt.date) -> tuple[bool, str | None]:
    """(is it an official holiday, its name) — for the campaign calendar."""
    return holiday_detail(day)


def holiday_name(day: dt.date) -> str | None:
    """The official holiday `day` is a day off of ("National Day"…), or None (a working day, a plain weekend,
    or a year whose calendar is not known)."""
    off, name = holiday_detail(day)
    return name if off else None


def business_day_on_or_after(day: dt.date) -> dt.date:
    while not is_business_day(day):
        day += dt.timedelta(days=1)
    return day


def add_business_days(day: dt.date, count: int) -> dt.date:
    """The business day `count` business days after `day` (count ≥ 0; 0 = on or after)."""
    day = business_day_on_or_after(day)
    for _ in range(count):
        day = business_day_on_or_after(day + dt.timedelta(days=1))
    return day


def business_days_between(start: dt.date, end: dt.date) -> int:
    """Business days in (start, end]: how many working days separate two dates."""
    if end <= start:
        return 0
    return sum(1 for n in range(1, (end - start).days + 1) if is_business_day(start + dt.timedelta(days=n)))


def before_cutoff(moment: dt.datetime, cutoff: dt.time) -> bool:
    """Was this moment before the Beijing wall-clock cutoff of its own day (e.g. paid before 16:00)?"""
    return local(moment).time() < cutoff
