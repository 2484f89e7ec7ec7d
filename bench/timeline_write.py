"""timeline_write: record_event as services call it — 20,000 events on 5 shops, one transaction per 100.

Baseline: Event.objects.bulk_create of the same rows (the raw insert ceiling). Both run on a timeline
that already holds 20,000 events; what they write is deleted afterwards.
"""

import random
import time

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from zhanggui.core.events import record_event
from zhanggui.core.models import Event
from zhanggui.shops.models import Shop

from . import data, harness
from .registry import Result

EVENTS = 20_000
PER_TRANSACTION = 100
EXISTING = 20_000


def write_with_record_event(rows) -> float:
    start = time.perf_counter()
    for first in range(0, len(rows), PER_TRANSACTION):
        with transaction.atomic():
            for row in rows[first : first + PER_TRANSACTION]:
                record_event(
                    row["actor"],
                    row["obj"],
                    row["kind"],
                    from_state=row["from_state"],
                    to_state=row["to_state"],
                    note=row["note"],
                    data=row["data"],
                )
    return time.perf_counter() - start


def write_with_bulk_create(rows) -> float:
    content_types = {Shop: ContentType.objects.get_for_model(Shop)}
    start = time.perf_counter()
    Event.objects.bulk_create([data.as_event(row, content_types) for row in rows], batch_size=1000)
    return time.perf_counter() - start


def run() -> Result:
    company = data.company()
    data.ensure_events(EXISTING)
    rows = data.event_rows(EVENTS, random.Random(1))
    before = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    with harness.QueryLog() as queries, transaction.atomic():
        for row in rows[:PER_TRANSACTION]:
            record_event(row["actor"], row["obj"], row["kind"], note=row["note"])
        transaction.set_rollback(True)
    per_event = len(queries) / PER_TRANSACTION

    seconds = write_with_record_event(rows)
    written = Event.objects.filter(pk__gt=before).count()
    baseline_seconds = write_with_bulk_create(rows)
    Event.objects.filter(pk__gt=before).delete()
    if written != EVENTS:
        raise AssertionError(f"record_event wrote {written} events, expected {EVENTS}")

    return Result(
        name="timeline_write",
        value=round(EVENTS / seconds),
        unit="events/s",
        size=f"{EVENTS} events on {len(company.shops)} shops, {PER_TRANSACTION} per transaction "
        f"(timeline holds {EXISTING})",
        baseline="Event.objects.bulk_create, same rows",
        baseline_value=round(EVENTS / baseline_seconds),
        notes=[f"{per_event:.2f} queries per record_event; {seconds:.2f} s vs {baseline_seconds:.2f} s"],
    )
