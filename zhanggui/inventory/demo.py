"""The demo stock (idempotent): two warehouses with bins per category and size in walk order (INV-4), a home bin
for every SKU in the main warehouse, an opening balance through the stock service (INV-2), a few SKUs sold out
or low (so the 缺货 / 低库存 tabs show rows, INV-7) and a few reservations (有占用).

Every stock change goes through `services.stock`; this module only decides what to post.
"""

import datetime as dt
import random
import time

from django.db.models import Q

from zhanggui.catalog.demo import CATEGORIES
from zhanggui.catalog.models import Sku
from zhanggui.core import clock

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
    homes = {}
    for sku in skus:
        if sku.pk in homed:
            continue
        cat = sku.product.category
        names = {cat.name, cat.parent.name if cat and cat.parent else None} if cat else set()
        small = sku.size in SMALL
        home = next((bins[(n, small)] for n in names if (n, small) in bins), None)
        if home is not None:
            homes[sku.pk] = home
    if homes:
        warehouses.set_home_bins(actor, main, homes)

    # Opening balance: most SKUs 6–80, about one in twelve low (1–5), about one in twenty sold out (none posted).
    # One move_stock per warehouse: all SKUs in one transaction, one ledger INSERT.
    posted = 0
    wanted = {}
    for sku in skus:
        roll = rng.random()
        wanted[sku.pk] = 0 if roll < 0.05 else rng.randint(1, 5) if roll < 0.13 else rng.randint(6, 80)
    # The branch warehouse holds a little of the best sellers (the first SKUs of some styles).
    branch_wanted = {sku.pk: rng.randint(3, 30) for sku in skus[::9][:120]}
    for wh, quantities in ((main, wanted), (branch, branch_wanted)):
        opened = set(
            LedgerEntry.objects.filter(warehouse=wh, reason=LedgerEntry.Reason.OPENING).values_list("sku_id", flat=True)
        )
        moves = [stock.Move(pk, on_hand=q, note="期初库存") for pk, q in quantities.items() if q and pk not in opened]
        if moves:
            stock.move_stock(actor, moves, reason="opening", document="QC-20261101", warehouse=wh)
            posted += len(moves)
    sold = _sales_history(actor, main, rng)

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
        "sold": sold,
        "seconds": round(time.monotonic() - started, 1),
    }


def _sales_history(actor, warehouse, rng) -> int:
    """A month of shipped sales (INV-7 sales velocity reads the ledger's ship entries): reserved and committed
    through the service like real orders, then dated back over the last 30 days. Best sellers sell daily."""
    if Reservation.objects.filter(reference__startswith="demo-sale:").exists():
        return 0
    levels = list(
        StockLevel.objects.filter(warehouse=warehouse, on_hand__gte=30)
        .order_by("sku__code")
        .values_list("sku_id", "on_hand")[:400:4]
    )
    now = clock.now()
    sales = []
    for n, (sku_id, on_hand) in enumerate(levels):
        fast = n % 5 == 0  # one in five is a best seller: a piece or two most days
        for day in range(30):
            if rng.random() < (0.7 if fast else 0.12) and on_hand > 12:
                qty = rng.randint(1, 2)
                on_hand -= qty
                sales.append((sku_id, qty, day))
    for i, (sku_id, qty, days_ago) in enumerate(sales, start=1):
        reference = f"demo-sale:{i}"
        stock.reserve(reference, [(sku_id, qty)], warehouse=warehouse, actor=actor)
        stock.commit(reference, f"YT{7000000000 + i}", actor=actor)
        when = now - dt.timedelta(days=days_ago, hours=rng.randint(0, 10))
        LedgerEntry.objects.filter(document__in=[reference, f"YT{7000000000 + i}"]).update(at=when)
    return len(sales)
