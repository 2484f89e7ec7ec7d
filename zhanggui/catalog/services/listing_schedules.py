"""Scheduled listing and delisting (PROD-2): plan a change, cancel it, and run the due ones exactly once.
The suggested times for a new schedule are a read: catalog/selectors.py (suggested_times, planned_times).
"""

import datetime as dt

from django.db import transaction

from zhanggui.core import clock
from zhanggui.core.errors import DomainError, IllegalTransition
from zhanggui.core.events import record_event

from ..models import Listing, ListingSchedule
from .listings import delist_now, list_now


def schedule(actor, listing: Listing, action: str, run_at: dt.datetime) -> ListingSchedule:
    if action not in ListingSchedule.Action.values:
        raise DomainError("invalid_action", "定时操作只能是上架或下架", "action")
    if run_at is None:
        raise DomainError("run_at_required", "请填写时间", "run_at")
    if run_at.tzinfo is None:
        run_at = run_at.replace(tzinfo=clock.SHANGHAI)
    if run_at <= clock.now():
        raise DomainError("run_at_past", "定时时间必须晚于现在", "run_at")
    if ListingSchedule.objects.filter(
        listing=listing, action=action, run_at=run_at, done_at__isnull=True, cancelled_at__isnull=True
    ).exists():
        raise DomainError("duplicate_schedule", "同一时间已有相同的定时操作", "run_at")
    with transaction.atomic():
        item = ListingSchedule.objects.create(listing=listing, action=action, run_at=run_at, created_by=actor)
        record_event(
            actor,
            listing,
            "scheduled",
            to_state=f"{item.get_action_display()} {clock.local(run_at):%Y-%m-%d %H:%M}",
        )
    return item


def cancel_schedule(actor, item: ListingSchedule) -> ListingSchedule:
    with transaction.atomic():
        claimed = ListingSchedule.objects.filter(pk=item.pk, done_at__isnull=True, cancelled_at__isnull=True).update(
            cancelled_at=clock.now()
        )
        if not claimed:
            raise IllegalTransition("schedule_closed", "该定时操作已执行或已取消", "schedule")
        item.refresh_from_db()
        record_event(
            actor,
            item.listing,
            "schedule_cancelled",
            from_state=f"{item.get_action_display()} {clock.local(item.run_at):%Y-%m-%d %H:%M}",
        )
    return item


def run_due_schedules(now: dt.datetime | None = None) -> dict:
    """Run every schedule due by `now`, each exactly once (PROD-2): a schedule is claimed by setting done_at
    in a conditional UPDATE, so two workers (or a retried task) never run it twice. The change is recorded
    with the 工号 of whoever scheduled it; a change that is no longer allowed is recorded as failed."""
    now = now or clock.now()
    done, failed = 0, 0
    due = list(
        ListingSchedule.objects.filter(run_at__lte=now, done_at__isnull=True, cancelled_at__isnull=True)
        .select_related("listing__shop", "created_by")
        .order_by("run_at", "pk")[:500]
    )
    for item in due:
        with transaction.atomic():
            claimed = ListingSchedule.objects.filter(
                pk=item.pk, done_at__isnull=True, cancelled_at__isnull=True
            ).update(done_at=now)
            if not claimed:
                continue
            note = f"定时{item.get_action_display()}（{clock.local(item.run_at):%m-%d %H:%M}）"
            try:
                with transaction.atomic():
                    if item.action == ListingSchedule.Action.LIST:
                        list_now(item.created_by, item.listing, note)
                    else:
                        delist_now(item.created_by, item.listing, note)
                done += 1
            except DomainError as exc:
                failed += 1
                record_event(item.created_by, item.listing, "schedule_failed", note=f"{note}：{exc.message}")
    return {"done": done, "failed": failed}
