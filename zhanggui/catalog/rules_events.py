"""Named sale events and their days (PROD-9: "never below 7折, except named events such as 双11").

An exemption from the price floor holds only while its event runs. The events and their windows are data
(`catalog/data/sale_events.json`): fixed events run on month-day windows (双11 from the presale to 11月11日),
holiday events on the official holiday days (`core.clock.holiday_name`: chinese-calendar, or the calendar the
manager entered for a year it does not know yet), widened by days before / after. A shop names its exempt events
in the setting pricing.floor_exempt_events and may give one its own window there: "店庆:09-01~09-07".
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from zhanggui.core import clock

DATA = Path(__file__).with_name("data") / "sale_events.json"
_SPLIT = re.compile(r"[,，、;；\s]+")
_OWN_WINDOW = re.compile(r"^(?P<name>[^:：]+)[:：](?P<a>\d{1,2})-(?P<b>\d{1,2})[~～至](?P<c>\d{1,2})-(?P<d>\d{1,2})$")
HOLIDAY_WORDS = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
}


@dataclass(frozen=True)
class SaleEvent:
    name: str
    start: tuple[int, int] | None = None  # (month, day) of a fixed window
    end: tuple[int, int] | None = None
    holiday: str = ""  # chinese-calendar's holiday name, for holiday events
    days_before: int = 0
    days_after: int = 0

    def is_open(self, day: dt.date) -> bool:
        """Does the event run on `day` (Beijing date)?"""
        if self.start and self.end:
            here = (day.month, day.day)
            if self.start <= self.end:
                return self.start <= here <= self.end
            return here >= self.start or here <= self.end  # a window across New Year
        if self.holiday:
            span = range(-self.days_after, self.days_before + 1)
            return any(clock.holiday_name(day + dt.timedelta(days=n)) == self.holiday for n in span)
        return False

    def describe(self) -> str:
        """The days in words: 10月20日–11月11日, 春节法定假期及前 30 天."""
        if self.start and self.end:
            return f"{self.start[0]}月{self.start[1]}日–{self.end[0]}月{self.end[1]}日"
        if self.holiday:
            words = f"{HOLIDAY_WORDS.get(self.holiday, self.holiday)}法定假期"
            if self.days_before:
                words += f"及前 {self.days_before} 天"
            if self.days_after:
                words += f"及后 {self.days_after} 天"
            return words
        return "未设定日期"


def _month_day(text: str) -> tuple[int, int]:
    month, day = (int(x) for x in text.split("-"))
    dt.date(2024, month, day)  # a real day (2024: 29 February exists); ValueError otherwise
    return month, day


@cache
def known_events() -> dict[str, SaleEvent]:
    """Every name and alias of the data file → its event."""
    found: dict[str, SaleEvent] = {}
    for row in json.loads(DATA.read_text(encoding="utf-8"))["events"]:
        event = SaleEvent(
            name=row["name"],
            start=_month_day(row["from"]) if row.get("from") else None,
            end=_month_day(row["to"]) if row.get("to") else None,
            holiday=row.get("holiday", ""),
            days_before=int(row.get("days_before", 0)),
            days_after=int(row.get("days_after", 0)),
        )
        for name in [row["name"], *row.get("aliases", [])]:
            found[name] = event
    return found


def exempt_events(setting: str | list | tuple | None) -> dict[str, SaleEvent]:
    """The shop's exempt events (setting pricing.floor_exempt_events) by name: "双11,618,店庆:09-01~09-07". A name
    with its own window uses it; otherwise the data file's window (an unknown name has none: never open)."""
    parts = setting if isinstance(setting, (list, tuple)) else _SPLIT.split(str(setting or ""))
    events: dict[str, SaleEvent] = {}
    for part in (str(p).strip() for p in parts):
        if not part:
            continue
        own = _OWN_WINDOW.match(part)
        if own:
            try:
                start = _month_day(f"{own['a']}-{own['b']}")
                end = _month_day(f"{own['c']}-{own['d']}")
            except ValueError:
                events[own["name"].strip()] = SaleEvent(own["name"].strip())
                continue
            events[own["name"].strip()] = SaleEvent(own["name"].strip(), start, end)
            continue
        known = known_events().get(part)
        events[part] = SaleEvent(part) if known is None else SaleEvent(**{**known.__dict__, "name": part})
    return events
