"""core.sequences: every number we issue comes from one sequence that cannot hand out a number twice (ORD-1, SHIP-1),
and a form submitted twice with one key creates one object."""

import datetime as dt
import threading

import pytest
from django.db import connection

from zhanggui.core import sequences
from zhanggui.core.models import Event, Sequence, SubmittedForm

DAY = dt.date(2026, 12, 7)


def test_take_reserves_consecutive_ranges_per_name_and_day(db):
    assert sequences.take("t", DAY) == 1
    assert sequences.take("t", DAY, 5) == 2  # 2..6
    assert sequences.take("t", DAY) == 7
    assert sequences.take("t", DAY + dt.timedelta(days=1)) == 1  # a new day starts again
    assert sequences.take("other", DAY) == 1
    assert Sequence.objects.get(name="t", day=DAY).last == 7


def test_take_continues_above_the_highest_number_already_issued(db):
    assert sequences.take("t", DAY, floor=lambda: 41) == 42
    assert sequences.take("t", DAY, floor=lambda: 3) == 43  # a lower floor changes nothing
    assert sequences.take("t", DAY, 2, floor=lambda: 99) == 100  # a number issued by other means is skipped
    assert sequences.take("t", DAY) == 102


def test_submit_once_runs_create_once_per_key(db):
    made = []

    def create():
        made.append(Event.objects.create(kind="x", content_type_id=1, object_id="1"))
        return made[-1]

    first, created = sequences.submit_once("s", "key", Event, create)
    again, created_again = sequences.submit_once("s", "key", Event, create)
    assert (created, created_again) == (True, False) and again.pk == first.pk and len(made) == 1
    assert SubmittedForm.objects.get().object_id == first.pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking concurrency needs PostgreSQL")
def test_concurrent_takes_never_share_a_number(transactional_db):
    threads, rounds = 12, 25
    start = threading.Barrier(threads)
    got, errors, lock = [], [], threading.Lock()

    def work(n):
        try:
            start.wait()
            for i in range(rounds):
                count = 1 + (n + i) % 3
                first = sequences.take("race", DAY, count)
                with lock:
                    got.extend(range(first, first + count))
        except Exception as exc:  # reported by the main thread
            errors.append(repr(exc))
        finally:
            connection.close()

    pool = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert errors == []
    assert sorted(got) == list(range(1, len(got) + 1))  # no number twice, none skipped
