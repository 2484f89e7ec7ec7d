"""The warehouse's afternoon in the demo company (SHIP-1..5): carrier accounts with number pools, and packages in every
state — waiting to print, printed in a batch, scanned and weighed, shipped (with tracking scans and the courier's
bill), signed for, and cancelled. Everything goes through the services, like the team would. Idempotent: nothing
happens once a print batch exists."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q

from zhanggui.core import clock
from zhanggui.shops.models import Shop

from .models import Carrier, Package, PrintBatch, WaybillAccount
from .services import fees, printing, shipping, tracking, verify, waybills
from .services.carriers import load_carriers

SENDER = {
    "sender_name": "青禾服饰仓库",
    "sender_phone": "0571-86001234",
    "sender_address": "浙江省杭州市余杭区仓前街道良睦路 1399 号",
}
# (carrier, account name, prefix, first number, how many): the all-shops accounts the print batches draw from; the
# numbers match each carrier's tracking_pattern (data/carriers.json)
POOLS = [
    ("STO", "申通-杭州余杭网点-月结", "", "2688000000001", 600),
    ("EMS", "EMS-杭州邮区中心-协议客户", "", "1170000000001", 200),
    ("SF", "顺丰-杭州-月结 5710012345", "SF", "1000000000001", 200),
    ("YTO", "圆通-杭州仓前-月结", "YT", "8800000000001", 200),
]
PER_SHOP = {"print": 10, "pack": 6, "ship": 4, "sign": 1}


def _accounts(manager) -> None:
    for code, name, prefix, start, count in POOLS:
        carrier = Carrier.objects.get(code=code)
        if WaybillAccount.objects.filter(carrier=carrier, name=name).exists():
            continue
        account = waybills.create_account(manager, carrier, None, name, **SENDER)
        loaded = waybills.load_range(manager, account, start, count, prefix=prefix)
        assert not loaded.errors, loaded.errors  # a demo pool that does not match its carrier is a bug here


def _pack(actor, package: Package) -> None:
    """Scan each unit of each line (SHIP-1), then weigh it at the expected weight."""
    for line in package.lines.select_related("sku"):
        for _unit in range(line.quantity):
            verify.scan_item(actor, package, line.sku.barcode or line.sku.code)
    verify.weigh(actor, package, str(max(package.expected_weight_g, 1)))


def _scans(package: Package, signed: bool) -> list[dict]:
    start = clock.local(package.shipped_at or clock.now())
    city = package.order.city or "目的地"
    rows = [
        (start + dt.timedelta(hours=1), "快件已被【杭州余杭仓前营业部】揽收", "杭州"),
        (start + dt.timedelta(hours=5), "快件已发往【杭州转运中心】", "杭州"),
        (start + dt.timedelta(hours=20), f"快件已到达【{city}转运中心】", city),
    ]
    if signed:
        rows += [
            (start + dt.timedelta(hours=26), "快件正在派送中，派件员：李师傅 138****0000", city),
            (start + dt.timedelta(hours=29), "快件已签收，签收人：本人", city),
        ]
    return [
        {"waybill_no": package.waybill_no, "at": at.replace(tzinfo=None).isoformat(sep=" "), "text": text,
         "location": where, "moment": at}
        for at, text, where in rows
    ]  # fmt: skip


def load_fulfilment(manager, warehouse_staff) -> dict:
    """Run once after the demo orders: the approved orders' packages already exist (approval creates them)."""
    load_carriers()
    _accounts(manager)
    if PrintBatch.objects.exists():
        return {"packages": Package.objects.count()}
    shipped: list[Package] = []
    # Yesterday's run at 17:00 Beijing, so its parcels already have scans up to now (a signed one among them);
    # today's run has only just left. Demo data only: the services read the time from django.utils.timezone.
    yesterday = clock.at_local(clock.today() - dt.timedelta(days=2), dt.time(17, 0))
    for shop in Shop.objects.order_by("pk"):
        # out-of-stock orders stay in the queue for customer service (SHIP-2)
        waiting = Package.objects.filter(shop=shop, state=Package.State.TO_PRINT, order__exc_out_of_stock=False)
        waiting = waiting.filter(order__state__in=["approved", "to_ship"])
        ids = list(waiting.order_by("ordered_at", "id").values_list("pk", flat=True))
        if len(ids) < PER_SHOP["print"] + 2:
            continue
        with mock.patch("django.utils.timezone.now", return_value=yesterday):
            earlier = printing.print_batch(warehouse_staff, ids[:2]).printed
            for package in earlier:
                _pack(warehouse_staff, Package.objects.get(pk=package.pk))
                shipped.append(shipping.ship_package(warehouse_staff, package.pk))
        printed = printing.print_batch(warehouse_staff, ids[2 : 2 + PER_SHOP["print"]]).printed
        for package in printed[: PER_SHOP["pack"]]:
            _pack(warehouse_staff, Package.objects.get(pk=package.pk))
        for package in printed[: PER_SHOP["ship"]]:
            shipped.append(shipping.ship_package(warehouse_staff, package.pk))
    now = clock.now()
    events = []
    for n, package in enumerate(shipped):
        package = Package.objects.select_related("order").get(pk=package.pk)
        events += [e for e in _scans(package, signed=n % 6 == 0) if e.pop("moment") <= now]
    if events:
        tracking.record_tracking(warehouse_staff, events, source="file")
    sto = Carrier.objects.get(code="STO")
    bill = [
        (p.waybill_no, max(p.weight_g or 0, 300) / 1000, (p.expected_fee_fen or 500) / 100 + (1 if n % 5 == 0 else 0))
        for n, p in enumerate(Package.objects.filter(Q(carrier=sto), pk__in=[s.pk for s in shipped]).order_by("pk"))
    ]
    if bill:
        lines = ["运单号,重量kg,费用元", *(f"{no},{kg:.2f},{yuan:.2f}" for no, kg, yuan in bill)]
        upload = SimpleUploadedFile("申通账单-演示.csv", "\n".join(lines).encode("utf-8"))
        fees.import_carrier_bill(manager, sto, upload)  # SHIP-5: every fifth parcel billed 1 元 more
    return {"packages": Package.objects.count(), "shipped": len(shipped)}
