"""Listing times and relisting cycles (PROD-2, PROD-11): pure functions, no database.

PROD-2: list about `lead_minutes` before each traffic peak (9–12, 13–17, 20–23 by default), and do not stack
many listings into the same moment: times are 10-minute slots in Beijing time, and a slot takes at most
`max_per_slot` listings, counting those already scheduled.

PROD-11: Taobao relists an item every 7 days from the moment it was listed; items closest to their relisting
time get the most search weight, so they are the best showcase and recommended items.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator

from zhanggui.core.clock import SHANGHAI
from zhanggui.core.errors import DomainError

SLOT_MINUTES = 10
RELIST_CYCLE_DAYS = 7


def parse_windows(text: str) -> list[tuple[dt.time, dt.time]]:
    """'09:00-12:00,13:00-17:00' → [(09:00, 12:00), (13:00, 17:00)], sorted; Chinese error on bad input."""
    windows = []
    for part in (text or "").replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            start_text, end_text = (p.strip() for p in part.replace("–", "-").split("-"))
            start = dt.time.fromisoformat(start_text.zfill(5))
            end = dt.time.fromisoformat(end_text.zfill(5))
        except ValueError as exc:
            raise DomainError(
                "invalid_peak_windows", f"流量高峰时段格式不正确：“{part}”，应如 09:00-12:00", "catalog.peak_windows"
            ) from exc
        if end <= start:
            raise DomainError("invalid_peak_windows", f"流量高峰时段结束须晚于开始：“{part}”", "catalog.peak_windows")
        windows.append((start, end))
    return sorted(windows)


def slot_of(moment: dt.datetime) -> dt.datetime:
    """The 10-minute slot (Beijing time, aware) a moment falls in."""
    local = moment.astimezone(SHANGHAI)
    return local.replace(minute=local.minute - local.minute % SLOT_MINUTES, second=0, microsecond=0)


def _in_peak(slot: dt.datetime, windows) -> bool:
    """Listing inside a peak is too late for it (the item needs the lead time to be indexed)."""
    t = slot.timetz().replace(tzinfo=None)
    return any(start <= t < end for start, end in windows)


def _offsets(reach: int) -> Iterator[int]:
    """0, +10, -10, +20, -20 … minutes, up to ±reach: the slot closest to the target first."""
    yield 0
    step = SLOT_MINUTES
    while step <= reach:
        yield step
        yield -step
        step += SLOT_MINUTES


def _peak_targets(now: dt.datetime, windows, lead_minutes: int, days: int) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """(ideal listing time, peak start) for each peak from today on, in Beijing time."""
    today = now.astimezone(SHANGHAI).date()
    for n in range(days):
        day = today + dt.timedelta(days=n)
        for start, _end in windows:
            peak = dt.datetime.combine(day, start, tzinfo=SHANGHAI)
            yield slot_of(peak - dt.timedelta(minutes=lead_minutes)), peak


def plan_times(
    now: dt.datetime,
    *,
    windows: list[tuple[dt.time, dt.time]],
    lead_minutes: int,
    max_per_slot: int,
    taken: Iterable[dt.datetime] = (),
    count: int = 1,
    per_peak: int | None = None,
    days: int = 14,
) -> list[dt.datetime]:
    """Listing times for `count` listings (PROD-2), earliest peaks first, Beijing time.

    Each time is the free 10-minute slot nearest to `lead_minutes` before a peak (trying +10, −10, +20 …
    minutes, never inside a peak window, never in the past), so no slot holds more than `max_per_slot`
    listings, counting `taken` (the times already scheduled). `per_peak` caps how many times one peak gets
    (1: one suggestion per peak, to offer a choice; None: fill each peak before moving on, for a batch).
    """
    if not windows or count <= 0:
        return []
    max_per_slot = max(1, max_per_slot)
    load = Counter(slot_of(t) for t in taken)
    reach = max(30, lead_minutes)
    result: list[dt.datetime] = []
    for target, peak in _peak_targets(now, windows, lead_minutes, days):
        given = 0
        for offset in _offsets(reach):
            slot = target + dt.timedelta(minutes=offset)
            if slot <= now or ((offset != 0 or slot != peak) and _in_peak(slot, windows)):
                continue
            while load[slot] < max_per_slot and given != per_peak and len(result) < count:
                load[slot] += 1
                given += 1
                result.append(slot)
            if given == per_peak or len(result) >= count:
                break
        if len(result) >= count:
            break
    return sorted(result)


def suggest_times(now: dt.datetime, *, count: int = 5, **kwargs) -> list[dt.datetime]:
    """The next `count` suggested listing times, one per peak (a choice for one listing)."""
    return plan_times(now, count=count, per_peak=1, **kwargs)


def next_relist(listed_at: dt.datetime | None, now: dt.datetime, cycle_days: int = RELIST_CYCLE_DAYS):
    """When the platform relists the item next (PROD-11): listed_at + k × 7 days, the first one after now."""
    if listed_at is None:
        return None
    cycle = dt.timedelta(days=cycle_days)
    if listed_at > now:
        return listed_at
    elapsed = now - listed_at
    return listed_at + cycle * (elapsed // cycle + 1)


def showcase_score(margin_percent: float | None, hours_to_relist: float | None, cycle_days: int = RELIST_CYCLE_DAYS):
    """Rank for showcase/recommended suggestions (PROD-11), 0–100: half advantage (margin over price, capped
    at 100 %), half closeness to relisting (100 just before the relist, 0 right after it)."""
    advantage = 0.0 if margin_percent is None else min(max(margin_percent, 0.0), 100.0)
    if hours_to_relist is None:
        closeness = 0.0
    else:
        closeness = 100.0 * (1 - min(max(hours_to_relist, 0.0), cycle_days * 24) / (cycle_days * 24))
    return round(advantage / 2 + closeness / 2, 1)
