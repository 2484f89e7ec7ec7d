"""Scheduled work fires under `make run` (PROD-2 scheduled listing, INV-6 stocktake reminders, ORD-7 automatic
review, SHIP-2 missing-goods alerts): with no broker the web process (zhanggui.wsgi, which runserver and gunicorn
load) runs CELERY_BEAT_SCHEDULE itself; with a broker it leaves that to celery beat."""

import datetime as dt
import importlib
import re
import time
from pathlib import Path

import pytest
from django.utils.module_loading import import_string

from zhanggui.catalog.models import Listing, ListingSchedule, Product
from zhanggui.catalog.services import listing_schedules
from zhanggui.catalog.services import listings as svc
from zhanggui.core import clock, scheduler
from zhanggui.shops.services import create_shop
from zhanggui.workbench.management.commands.demo import login_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def make_run(settings):
    """The settings `make run` serves with: no broker, the scheduler on (a short tick to keep the test short)."""
    settings.CELERY_BROKER_URL = ""
    settings.ZHANGGUI_SCHEDULER = True
    settings.ZHANGGUI_SCHEDULER_TICK_SECONDS = 0.2
    settings.SECRET_KEY_FROM_ENVIRONMENT = True  # `make run` passes its generated var/secret_key
    yield settings
    scheduler.stop()


@pytest.mark.django_db(transaction=True)
def test_prod2_a_due_scheduled_listing_fires_under_make_run(make_run):
    shop = create_shop(None, code="tb-s", platform="taobao", name="定时店")
    listing = svc.create_listing(None, shop, Product.objects.create(style_code="S-1", name="连衣裙"), "标题", 9900)
    item = listing_schedules.schedule(None, listing, "list", clock.now() + dt.timedelta(seconds=1))
    ListingSchedule.objects.filter(pk=item.pk).update(run_at=clock.now() - dt.timedelta(seconds=1))  # due now

    import zhanggui.wsgi  # what runserver loads in the process that serves

    importlib.reload(zhanggui.wsgi)
    assert scheduler.running() is not None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not ListingSchedule.objects.get(pk=item.pk).done_at:
        time.sleep(0.1)
    assert ListingSchedule.objects.get(pk=item.pk).done_at is not None
    assert Listing.objects.get(pk=listing.pk).status == Listing.Status.LISTED


def test_no_scheduler_thread_when_a_broker_runs_beat(settings):
    settings.CELERY_BROKER_URL = "redis://broker:6379/0"
    settings.ZHANGGUI_SCHEDULER = True
    assert scheduler.start() is None and scheduler.running() is None


def test_every_scheduled_entry_names_a_task_and_the_scheduled_work_is_all_there(settings):
    entries = settings.CELERY_BEAT_SCHEDULE
    for entry in entries.values():
        assert import_string(entry["task"]).name == entry["task"]
    tasks = {entry["task"] for entry in entries.values()}
    assert {
        "zhanggui.catalog.tasks.run_listing_schedules",  # PROD-2
        "zhanggui.inventory.tasks.remind_stocktakes",  # INV-6
        "zhanggui.fulfilment.tasks.auto_review_shops",  # ORD-7
        "zhanggui.fulfilment.tasks.flag_missing_goods",  # SHIP-2
        "zhanggui.core.tasks.reap_stale_jobs",
    } <= tasks


def test_an_entry_runs_at_start_then_on_its_schedule():
    calls = []
    entries = {"a": {"task": "tests.core.test_scheduler.record", "schedule": 3600.0, "args": (calls,)}}
    s = scheduler.Scheduler(entries, tick=1)
    assert s.run_due() == ["a"] and calls == [1]
    assert s.run_due() == [] and calls == [1]  # not again within the hour


def record(calls):
    calls.append(1)


def test_make_run_prints_the_address_it_serves_on():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"demo --address \$\(HOST\)", makefile) and re.search(r"runserver \$\(HOST\)", makefile)
    assert login_url("127.0.0.1:8000") == "http://127.0.0.1:8000"
    assert login_url("0.0.0.0:9000") == "http://127.0.0.1:9000"
    assert login_url("8080") == "http://127.0.0.1:8080"
    assert login_url("192.168.1.5:8001") == "http://192.168.1.5:8001"
    assert login_url("[::]:8002") == "http://127.0.0.1:8002"
