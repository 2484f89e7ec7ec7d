"""PROD-2 listing times and PROD-11 relisting cycle: pure rules, no database."""

import datetime as dt

import pytest

from zhanggui.catalog.rules_schedule import (
    next_relist,
    parse_windows,
    plan_times,
    showcase_score,
    slot_of,
    suggest_times,
)
from zhanggui.core.clock import SHANGHAI
from zhanggui.core.errors import DomainError

WINDOWS = parse_windows("09:00-12:00,13:00-17:00,20:00-23:00")


def bj(day, hh, mm=0):
    return dt.datetime(2025, 3, day, hh, mm, tzinfo=SHANGHAI)


def test_prod2_parse_windows_and_errors():
    assert WINDOWS[0] == (dt.time(9), dt.time(12))
    assert parse_windows("20:00-23:00, 9:00-12:00")[0] == (dt.time(9), dt.time(12))
    with pytest.raises(DomainError) as err:
        parse_windows("9点-12点")
    assert err.value.field == "catalog.peak_windows"
    with pytest.raises(DomainError):
        parse_windows("12:00-09:00")


def test_prod2_suggests_an_hour_before_each_peak_in_beijing_time():
    now = bj(3, 7, 0)  # 07:00 Beijing
    times = suggest_times(now, windows=WINDOWS, lead_minutes=60, max_per_slot=5, count=4)
    assert [t.astimezone(SHANGHAI).strftime("%d %H:%M") for t in times] == [
        "03 08:00",
        "03 12:00",
        "03 19:00",
        "04 08:00",
    ]
    # From UTC input too: the suggestions are Beijing wall-clock times.
    utc_now = now.astimezone(dt.UTC)
    assert suggest_times(utc_now, windows=WINDOWS, lead_minutes=60, max_per_slot=5, count=1)[0] == bj(3, 8)


def test_prod2_next_suggestions_start_from_now():
    now = bj(3, 12, 30)  # after the 12:00 slot for the 13:00 peak
    times = suggest_times(now, windows=WINDOWS, lead_minutes=60, max_per_slot=5, count=2)
    # 12:00 has passed: the nearest free slot before the 13:00 peak is 12:40, then 19:00.
    assert times == [bj(3, 12, 40), bj(3, 19)]


def test_prod2_suggestion_spreads_over_10_minute_slots_when_full():
    now = bj(3, 6)
    taken = [bj(3, 8, 0), bj(3, 8, 3)]  # the 08:00 slot is full with 2 per slot
    first = suggest_times(now, windows=WINDOWS, lead_minutes=60, max_per_slot=2, taken=taken, count=1)
    assert first == [bj(3, 8, 10)]
    batch = plan_times(now, windows=WINDOWS, lead_minutes=60, max_per_slot=2, taken=taken, count=5)
    assert batch == [bj(3, 7, 50), bj(3, 7, 50), bj(3, 8, 10), bj(3, 8, 10), bj(3, 8, 20)]
    assert max(sum(1 for t in batch + taken if slot_of(t) == slot_of(s)) for s in batch) <= 2


def test_prod2_batch_never_lists_at_or_after_the_peak_and_moves_to_the_next_peak():
    now = bj(3, 6)
    batch = plan_times(now, windows=WINDOWS, lead_minutes=60, max_per_slot=1, count=20)
    assert len(batch) == 20
    assert len(set(batch)) == 20  # one per slot
    for t in batch:
        local = t.astimezone(SHANGHAI).time()
        assert not (dt.time(9) <= local < dt.time(12)) and not (dt.time(13) <= local < dt.time(17))
    assert any(t.hour == 12 or t.hour == 11 for t in batch)  # the 13:00 peak got some once 9:00 was full


def test_prod11_next_relist_every_7_days():
    listed = bj(1, 10)
    assert next_relist(listed, bj(3, 10)) == bj(8, 10)
    assert next_relist(listed, bj(8, 10)) == bj(15, 10)
    assert next_relist(None, bj(3, 10)) is None


def test_prod11_score_prefers_margin_and_closeness_to_relist():
    assert showcase_score(60, 1) > showcase_score(60, 150)
    assert showcase_score(60, 10) > showcase_score(10, 10)
    assert 0 <= showcase_score(None, None) <= showcase_score(200, 0) == 100
