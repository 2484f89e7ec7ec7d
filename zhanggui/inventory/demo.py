"""The demo stock (idempotent): two warehouses with bins per category and size in walk order (INV-4), a home bin
for every SKU in the main warehouse, an opening balance through the stock service (INV-2), a few SKUs sold out
or low (so the 缺货 / 低库存 tabs show rows, INV-7) and a few reservations (有占用).

Every stock change goes through `services.stock`; this module only decides what to post.
"""

import random
import time

from django.db.models import Q

from zhanggui.catalog.demo import CATEGORIES
from zhanggui.catalog.models import Sku

from .models import Bin, LedgerEntry, Reservation, StockLevel, Warehouse
from .services import stock, warehouses

MAIN = {"code": "HZ01", "name": "杭州主仓", "address": "浙江省杭州市余杭区仓前街道良睦路 88 号", "is_default": True}
BRANCH = {"code": "YW01", "name": "义乌分仓", "address": "浙江省义乌市福田街道商城大道 1 号"}
SMALL = {"XS", "S", "M", "均码"}  # the first bin of a category; L and up go to the second


def _bins_for(warehouse, letters) -> list[dict]:
    rows, position = [], 0
    for letter, category in zip(letters, CATEGORIES, strict=False):
        for n, band in enumerate(("XS-M", "L-XXL"), start=1):
            position += 10
            rows.append({"code": f"{letter}-{n:02d}", "category": category, "size_band": band, "position": position})
    return rows


def _warehouse(actor, spec) -> Warehouse:
    found = Warehouse.objects.filter(code=spec["code"]).first()
    return found or warehouses.create_warehouse(actor, **spec)


def load_inventory(actor, *, seed: int = 20261123) -> dict:
    """Warehouses, bins, home bins, opening stock and reservations — each step only when not done yet."""
    started = time.monotonic()
    rng = random.Random(seed)
    main = _warehouse(actor, MAIN)
    branch = _warehouse(actor, BRANCH)
    letters = "ABCDEFGHJK"
    for wh in (main, branch):
        wanted = _bins_for(wh, letters)
        have = set(Bin.objects.filter(warehouse=wh).values_list("code", flat=True))
        missing = [r for r in wanted if r["code"] not in have]
        if missing:
            warehouses.create_bins(actor, wh, missing)

    skus = list(
        Sku.objects.filter(is_combo=False, is_active=True)
        .select_related("product__category__parent")
        .order_by("product__style_code", "code")
    )
    bins = {(b.category, b.code.endswith("-01")): b for b in Bin.objects.filter(warehouse=main)}
    homed = set(StockLevel.objects.filter(warehouse=main, home_bin__isnull=False).values_list("sku_id", flat=True))
    for sku in skus:
        if sku.pk in homed:
            continue
        cat = sku.product.category
        names = {cat.name, cat.parent.name if cat and cat.parent else None} if cat else set()
        small = sku.size in SMALL
        home = next((bins[(n, small)] for n in names if (n, small) in bins), None)
        if home is not None:
            warehouses.set_home_bin(actor, sku, main, home)

    # Opening balance: most SKUs 6–80, about one in twelve low (1–5), about one in twenty sold out (none posted).
    opened = set(
        LedgerEntry.objects.filter(warehouse=main, reason=LedgerEntry.Reason.OPENING).values_list("sku_id", flat=True)
    )
    posted = 0
    for sku in skus:
        roll = rng.random()
        qty = 0 if roll < 0.05 else rng.randint(1, 5) if roll < 0.13 else rng.randint(6, 80)
        if qty and sku.pk not in opened:
            stock.receive_stock(actor, sku, main, qty, document="QC-20261101", reason="opening", note="期初库存")
            posted += 1
    # The branch warehouse holds a little of the best sellers (the first SKUs of some styles).
    branch_open = set(
        LedgerEntry.objects.filter(warehouse=branch, reason=LedgerEntry.Reason.OPENING).values_list("sku_id", flat=True)
    )
    for sku in skus[::9][:120]:
        if sku.pk not in branch_open:
            stock.receive_stock(actor, sku, branch, rng.randint(3, 30), document="QC-20261101", reason="opening")
            posted += 1

    # A few paid orders hold stock (有占用): reserved through the service, idempotent per reference.
    in_stock = list(
        StockLevel.objects.filter(warehouse=main, on_hand__gte=8)
        .filter(~Q(sku__is_combo=True))
        .order_by("sku__code")
        .values_list("sku_id", flat=True)[:400:10]
    )
    if not Reservation.objects.filter(reference__startswith="demo-order:").exists():
        for n, sku_id in enumerate(in_stock, start=1):
            stock.reserve(f"demo-order:{n}", [(sku_id, 1 + n % 3)], warehouse=main, actor=actor)
    return {
        "warehouses": Warehouse.objects.count(),
        "levels": StockLevel.objects.count(),
        "posted": posted,
        "seconds": round(time.monotonic() - started, 1),
    }
