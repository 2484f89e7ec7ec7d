"""The one source of the numbers we issue, and of "this form was already submitted".

`take(name, day, count)` reserves `count` consecutive numbers of a company-wide sequence (manual orders SD…,
packages P…, print batches B…): one atomic ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` raises the row of
(name, day), on SQLite and PostgreSQL alike. PostgreSQL holds the row lock until the caller's transaction ends, so
a rolled-back caller gives its numbers back and no two transactions ever see the same one — no retry loop, no
"please try again". `floor()` gives the highest number already in use (numbers issued before this sequence existed,
or by hand): the sequence continues above it, so such numbers are never handed out again.

`submit_once(scope, key, model, create)` makes a double submit harmless: the first call with a key runs
`create()` and remembers the object; any later call with the same key (even one racing the first) returns that
object instead of creating another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import IntegrityError, connection, transaction

from .models import Sequence, SubmittedForm

_UPSERT = (
    "INSERT INTO {table} (name, day, last) VALUES (%s, %s, %s) "
    "ON CONFLICT (name, day) DO UPDATE SET last = {greatest}({table}.last, %s) + %s RETURNING last"
)
KEY_LENGTH = SubmittedForm._meta.get_field("key").max_length


def take(name: str, day: dt.date, count: int = 1, floor: Callable[[], int] | None = None) -> int:
    """The first of `count` consecutive numbers reserved in sequence `name` on `day` (the rest follow it), above
    `floor()` (the highest number already issued) when given. Two queries with a floor, one without, whatever the
    day's history (bulk paths count their queries)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    start = int(floor() or 0) if floor is not None else 0
    table = connection.ops.quote_name(Sequence._meta.db_table)
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT.format(table=table, greatest=greatest), [name, day, start + count, start, count])
        last = cursor.fetchone()[0]
    return last - count + 1


def submit_once(scope: str, key: str, model, create: Callable[[], object]) -> tuple[object, bool]:
    """(object, created): the object `create()` made for the first submit carrying `key`, or the one a previous
    submit with this key made. Without a key every call creates."""
    key = str(key or "").strip()[:KEY_LENGTH]
    if not key:
        return create(), True
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = SubmittedForm.objects.create(scope=scope, key=key)
        except IntegrityError:  # the key was used (or is being used: the INSERT waited for that transaction)
            earlier = SubmittedForm.objects.filter(scope=scope, key=key).values_list("object_id", flat=True).first()
            found = model.objects.filter(pk=earlier).first() if earlier else None
            if found is not None:
                return found, False
            raise
        made = create()
        claim.object_id = made.pk
        claim.save(update_fields=["object_id"])
    return made, True
