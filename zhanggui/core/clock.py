"""Time: stored in UTC, shown and reasoned about in Beijing time (Asia/Shanghai).

Business days follow the official Chinese calendar (chinese-calendar: holidays and the
make-up working weekends, 调休). For years the package does not cover yet, weekends are
the only days off — the safest guess until the State Council publishes the year.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
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


def is_business_day(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # year not yet published in the package
        return day.weekday() < 5


def is_holiday(day: dt.date) -> tuple[bool, str | None]:
    """(is it an official holiday, its name) — for the campaign calendar."""
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return day.weekday() >= 5, None
    return on_holiday, name


def holiday_name(day: dt.date) -> str | None:
    """The official holiday `day` is a day off of ("National Day"…), or None (a working day, a plain weekend,
    or a year whose calendar is not known)."""
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    return name if on_holiday else None


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
