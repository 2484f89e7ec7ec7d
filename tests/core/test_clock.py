"""Rule 5 of the house: times stored in UTC, reasoned about in Beijing time; business days follow the official
Chinese calendar (holidays and 调休 make-up working weekends), e.g. for SHIP-2's 16:00 cut-off."""

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from zhanggui.core import clock

UTC = dt.UTC
D = dt.date


def make_up_saturday(year: int) -> dt.date:
    """A Saturday that is an official working day (调休) in `year`, looked up in chinese_calendar."""
    days = chinese_calendar.get_workdays(D(year, 1, 1), D(year, 12, 31), include_weekends=True)
    return next(d for d in days if d.weekday() == 5)


def test_national_day_is_not_a_business_day():
    """2026-10-01 (国庆节, a Thursday) is an official holiday."""
    assert D(2026, 10, 1).weekday() == 3
    assert not clock.is_business_day(D(2026, 10, 1))
    on_holiday, name = clock.is_holiday(D(2026, 10, 1))
    assert on_holiday
    assert name


@pytest.mark.parametrize("day", [D(2025, 9, 28), D(2026, 10, 10)])
def test_make_up_weekend_day_is_a_business_day(day):
    """调休: 2025-09-28 (Sunday) and 2026-10-10 (Saturday) are working days before/after National Day."""
    assert day.weekday() >= 5
    assert clock.is_business_day(day)


def test_a_make_up_saturday_found_in_the_calendar_is_a_business_day():
    for year in (2025, 2026):
        saturday = make_up_saturday(year)
        assert clock.is_business_day(saturday), saturday


def test_ordinary_weekend_and_weekday():
    assert not clock.is_business_day(D(2026, 3, 7))  # Saturday
    assert not clock.is_business_day(D(2026, 3, 8))  # Sunday
    assert clock.is_business_day(D(2026, 3, 9))  # Monday


def test_add_business_days_skips_the_national_day_week():
    """Counting from the last day before the holiday lands on the first working day after it (2026-10-09)."""
    first_after = next(
        d for d in (D(2026, 10, 2) + dt.timedelta(days=n) for n in range(20)) if chinese_calendar.is_workday(d)
    )
    assert clock.add_business_days(D(2026, 9, 30), 1) == first_after
    assert all(not clock.is_business_day(D(2026, 10, n)) for n in range(1, first_after.day))


def test_add_business_days_counts_the_make_up_saturday():
    """2026-10-10 is a 调休 Saturday: one business day after Friday 2026-10-09 is that Saturday, not Monday."""
    assert clock.add_business_days(D(2026, 10, 9), 1) == D(2026, 10, 10)
    assert clock.add_business_days(D(2026, 10, 9), 2) == D(2026, 10, 12)


def test_add_zero_business_days_rolls_forward_only_from_a_day_off():
    assert clock.add_business_days(D(2026, 3, 9), 0) == D(2026, 3, 9)
    assert clock.add_business_days(D(2026, 3, 7), 0) == D(2026, 3, 9)


def test_add_business_days_over_a_plain_weekend():
    assert clock.add_business_days(D(2026, 3, 6), 1) == D(2026, 3, 9)  # Friday + 1 → Monday
    assert clock.add_business_days(D(2026, 3, 6), 5) == D(2026, 3, 13)


def test_business_days_between():
    assert clock.business_days_between(D(2026, 3, 6), D(2026, 3, 9)) == 1
    assert clock.business_days_between(D(2026, 3, 9), D(2026, 3, 9)) == 0
    assert clock.business_days_between(D(2026, 3, 9), D(2026, 3, 2)) == 0


def test_before_cutoff_is_judged_in_beijing_time():
    """SHIP-2: paid before 16:00 Beijing ships today. 07:59 UTC = 15:59 Beijing; 08:01 UTC = 16:01."""
    cutoff = dt.time(16, 0)
    assert clock.before_cutoff(dt.datetime(2026, 3, 9, 7, 59, tzinfo=UTC), cutoff)
    assert not clock.before_cutoff(dt.datetime(2026, 3, 9, 8, 1, tzinfo=UTC), cutoff)
    assert not clock.before_cutoff(dt.datetime(2026, 3, 9, 8, 0, tzinfo=UTC), cutoff)  # 16:00 is not before


def test_before_cutoff_uses_the_beijing_day_not_the_utc_day():
    """23:30 UTC on the 8th is 07:30 on the 9th in Beijing: before that day's 16:00."""
    assert clock.before_cutoff(dt.datetime(2026, 3, 8, 23, 30, tzinfo=UTC), dt.time(16, 0))
    other_zone = dt.datetime(2026, 3, 9, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))  # 16:00 Beijing
    assert not clock.before_cutoff(other_zone, dt.time(16, 0))


def test_local_times_and_day_bounds():
    moment = clock.at_local(D(2026, 3, 9), dt.time(16, 0))
    assert moment.astimezone(UTC) == dt.datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
    start, end = clock.local_day_bounds(D(2026, 3, 9))
    assert start.astimezone(UTC) == dt.datetime(2026, 3, 8, 16, 0, tzinfo=UTC)
    assert end - start == dt.timedelta(days=1)
    assert clock.local(dt.datetime(2026, 3, 8, 16, 0, tzinfo=UTC)).date() == D(2026, 3, 9)
    assert clock.now().utcoffset() == dt.timedelta(0)


def test_years_the_calendar_does_not_cover_fall_back_to_weekends():
    """A year not yet published (2040): weekdays work, weekends are off, and nothing raises."""
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2040, 1, 2))
    assert clock.is_business_day(D(2040, 1, 2))  # Monday
    assert not clock.is_business_day(D(2040, 1, 7))  # Saturday
    assert clock.add_business_days(D(2040, 1, 6), 1) == D(2040, 1, 9)  # Friday + 1 → Monday
    assert clock.is_holiday(D(2040, 1, 7)) == (True, None)
    assert clock.is_holiday(D(2040, 1, 9)) == (False, None)
