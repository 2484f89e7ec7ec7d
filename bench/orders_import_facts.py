"""orders_import_facts: what keeping the sales facts current (DATA-2) costs the order import — the same Taobao
export pair imported end to end (`import_files`, as bench/orders_import.py does) with the facts listener subscribed
and without it, alternately, twice each; the faster of each pair of runs is compared. Target: ≤ 10 % slower.

Size: 50,000 orders (``BENCH_FACTS_ORDERS=n``) over ~90 days of history states (orders_import.generate): the
facts of every one of those days are recomputed once, after the run (OrdersImported). After the last run with facts,
facts-verify of the shop must be clean. The orders, runs, customers and facts written are deleted.
"""

import os
import time

from zhanggui.analytics.models import ShopDayFact
from zhanggui.analytics.services import facts
from zhanggui.catalog.models import Sku
from zhanggui.core import clock
from zhanggui.core import domain_events as de
from zhanggui.orders.services import imports

from . import data, harness, orders_import
from .registry import Result

ORDERS = int(os.environ.get("BENCH_FACTS_ORDERS", "50000"))
ROUNDS = 2


def _clean(shop, since) -> None:
    """The benchmark's orders gone, and the shop's facts those of the demo's orders again."""
    orders_import.cleanup([shop.pk], since)
    facts.rebuild([shop.pk])


def _import(user, shop, files, *, with_facts: bool) -> float:
    subscribers = de._SUBSCRIBERS[de.OrdersImported]
    if not with_facts:
        subscribers.remove(facts.on_orders_imported)
    try:
        start = time.perf_counter()
        run_ = imports.import_files(user, shop, files)
        seconds = time.perf_counter() - start
    finally:
        if not with_facts:
            subscribers.append(facts.on_orders_imported)
    assert (run_.created, run_.failed) == (ORDERS, 0), (run_.created, run_.failed)
    return seconds


def run() -> Result:
    company = data.company()
    user = company.manager
    shop = next(s for s in company.shops if s.platform_id == "taobao")
    since = clock.now()
    _clean(shop, since)
    codes = list(Sku.objects.filter(is_combo=False).order_by("code").values_list("code", flat=True)[:400])
    files = orders_import.generate(codes, ORDERS)[1]
    timings = {True: [], False: []}
    try:
        for n in range(ROUNDS):
            for with_facts in (n % 2 == 0, n % 2 != 0):  # alternate which goes first
                timings[with_facts].append(_import(user, shop, files, with_facts=with_facts))
                if with_facts:
                    check = facts.verify([shop.pk])
                    if not check.ok:
                        raise AssertionError(f"facts-verify after the import: {check.differences[:3]}")
                    days = ShopDayFact.objects.filter(shop=shop).count()
                _clean(shop, since)
                harness.analyze()
    finally:
        _clean(shop, since)
    with_s, without_s = min(timings[True]), min(timings[False])
    slower = (with_s / without_s - 1) * 100
    return Result(
        name="orders_import_facts",
        value=round(ORDERS / with_s),
        unit="orders/s",
        size=f"{ORDERS:,} orders, Taobao 2020 pair, {days} paid days recomputed",
        baseline="the same import without the facts listener",
        baseline_value=round(ORDERS / without_s),
        notes=[
            f"{slower:+.1f} % time with the facts (target ≤ +10 %): {with_s:.1f} s vs {without_s:.1f} s "
            f"(best of {ROUNDS}; runs {', '.join(f'{t:.1f}' for t in timings[True])} / "
            f"{', '.join(f'{t:.1f}' for t in timings[False])} s); facts-verify clean; {harness.load_average()}",
        ],
    )
