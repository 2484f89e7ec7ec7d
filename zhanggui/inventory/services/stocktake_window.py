"""The stocktake window (INV-6: monthly, default the 28th–31st, company settings inventory.stocktake_day_from /
inventory.stocktake_day_to), the reminder before it, and the early-opening check: a stocktake counted well before
the window needs a reason, which goes on the timeline.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.urls import reverse

from zhanggui.core import clock
from zhanggui.core.company_settings import get_company_settings
from zhanggui.core.errors import DomainError

from ..models import Stocktake, Warehouse

State = Stocktake.State
DAY_FROM_SETTING = "inventory.stocktake_day_from"
DAY_TO_SETTING = "inventory.stocktake_day_to"
REMIND_DAYS_BEFORE = 3  # INV-6 reminder: from 3 days before the window until its last day


def window_days() -> tuple[int, int]:
    """The stocktake window's first and last day of the month, in one query (company-wide settings: stock is
    counted for every shop at once)."""
    values = get_company_settings(DAY_FROM_SETTING, DAY_TO_SETTING)
    first, last = int(values[DAY_FROM_SETTING]), int(values[DAY_TO_SETTING])
    return min(first, last), max(first, last)


def month_window(day: dt.date, days: tuple[int, int] | None = None) -> tuple[dt.date, dt.date]:
    """INV-6: the stocktake window of `day`'s month — default the 28th to the 31st, clamped to the month's last
    day (28/29 February, the 30th in 30-day months). `days`: window_days(), when already read."""
    first, last = days or window_days()
    month_end = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=min(first, month_end)), day.replace(day=min(last, month_end))


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def default_window(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The window a new stocktake gets: this month's, or next month's once this month's is over."""
    today = today or clock.today()
    days = window_days()
    start, end = month_window(today, days)
    return month_window(_next_month(today), days) if today > end else (start, end)


def window_text(start: dt.date, end: dt.date) -> str:
    """11月28日–30日 (or 11月28日–12月2日, 2026年12月28日–2027年1月3日)."""
    head = f"{start.month}月{start.day}日"
    if start == end:
        return head
    if start.year != end.year:
        return f"{start.year}年{head}–{end.year}年{end.month}月{end.day}日"
    return f"{head}–{end.day}日" if start.month == end.month else f"{head}–{end.month}月{end.day}日"


@dataclass(frozen=True)
class Reminder:
    warehouse: Warehouse
    window_start: dt.date
    window_end: dt.date

    @property
    def text(self) -> str:
        return f"本月盘点窗口 {window_text(self.window_start, self.window_end)}，{self.warehouse.name}尚未安排盘点"


def due_reminders(today: dt.date | None = None) -> list[Reminder]:
    """INV-6 "with a reminder": active warehouses where `today` lies from 3 days before the monthly window until
    its last day and no stocktake (not cancelled) covers that window. Used by the banners; a beat task may too."""
    today = today or clock.today()
    days = window_days()
    windows = [month_window(today, days), month_window(_next_month(today), days)]
    due = next(((s, e) for s, e in windows if s - dt.timedelta(days=REMIND_DAYS_BEFORE) <= today <= e), None)
    if due is None:
        return []
    start, end = due
    planned = set(
        Stocktake.objects.exclude(state=State.CANCELLED)
        .filter(window_start__lte=end, window_end__gte=start)
        .values_list("warehouse_id", flat=True)
    )
    return [
        Reminder(w, start, end)
        for w in Warehouse.objects.filter(is_active=True).order_by("-is_default", "code")
        if w.pk not in planned
    ]


def remind_due(today: dt.date | None = None) -> int:
    """INV-6 reminder as work: each due reminder becomes one task for the 库管 role (once per warehouse and window,
    so the daily beat run does not repeat it). Returns how many tasks were created."""
    from zhanggui.team.tasks_service import assign_to_roles

    created = 0
    for reminder in due_reminders(today):
        created += len(
            assign_to_roles(
                None,
                ["warehouse"],
                title=reminder.text,
                detail="请在盘点窗口内安排盘点：打印盘点表、扫码清点、提交店长审核过账。",
                url=reverse("inventory:stocktake_new"),
                source=f"stocktake-due:{reminder.warehouse.pk}:{reminder.window_start:%Y%m}",
                rule="INV-6",
            )
        )
    return created


def early_opening(day: dt.date) -> tuple[dt.date, dt.date] | None:
    """INV-6: the month's window when `day` lies well before it — earlier than the reminder days before it starts
    (a count on the 7th for a window from the 28th) — else None. Counting inside the reminder days or the window,
    or after it, is the normal course."""
    start, end = month_window(day)
    return (start, end) if day < start - dt.timedelta(days=REMIND_DAYS_BEFORE) else None


def early_warning(window: tuple[dt.date, dt.date]) -> str:
    return f"本月盘点窗口为 {window_text(*window)}，现在盘点比窗口提前较多：账实差异会在窗口前后再次出现"


def require_early_reason(day: dt.date, reason: str, field: str = "reason") -> str:
    """INV-6: the reason for a stocktake counted well before the window; refused in Chinese without one. Returns
    the timeline words ("提前盘点（窗口 …）：原因"), or "" inside the normal course."""
    window = early_opening(day)
    if window is None:
        return ""
    reason = (reason or "").strip()[:200]
    if not reason:
        raise DomainError("early_reason_required", early_warning(window) + "，请填写提前盘点的原因", field)
    return f"提前盘点（本月窗口 {window_text(*window)}）：{reason}"
