"""The shop floor the journeys walk on: stock, carriers, a waybill pool, export files and the checks of "the goods
left once" (package out of the print queue, the scan page refusing it, the reservation closed, stock-verify clean).

Orders come in the way a shop brings them: a Taobao export pair from the one generator (channels/samples.py)."""

from __future__ import annotations

import io
import itertools

from django.core.management import call_command

from tests.fulfilment.test_packages import make_stocked, pool
from zhanggui.channels import samples
from zhanggui.fulfilment.models import Package
from zhanggui.fulfilment.services import printing
from zhanggui.inventory.models import LedgerEntry, Reservation, StockLevel
from zhanggui.inventory.services.verify import verify_stock
from zhanggui.orders.models import Order
from zhanggui.orders.services import imports, states

PAID = "买家已付款，等待卖家发货"
SHIPPED = "卖家已发货，等待买家确认"
CLOSED = "交易关闭"
_numbers = itertools.count(1)


def shop_floor(world):
    """world + warehouse + product D (D-黑-S: 10 on hand) + the carriers + a 申通 waybill pool."""
    floor = make_stocked(world)
    pool(50)
    return floor


def new_order_no() -> str:
    return f"39{next(_numbers):015d}"


def export(world, no: str, status: str, *, code: str = "D-黑-S", qty: int = 1, **extra):
    """Import the shop's next Taobao export pair in which order `no` has `status` (as a person would upload it)."""
    row = samples.order(no=no, status=status, lines=[{"code": code, "qty": qty}], **extra)
    report, detail = samples.taobao_pair([row])
    files = [("ExportOrderList.csv", report), ("ExportOrderDetailList.csv", detail)]
    imports.import_files(world.people["cs"], world.shop_a, files)
    return Order.objects.get(shop=world.shop_a, platform_order_no=no)


def printed_package(world, order) -> Package:
    """The order's package printed in a batch (the order goes 待发货)."""
    package = Package.objects.get(package_orders__order=order)
    printing.print_batch(world.people["warehouse"], [package.pk])
    package.refresh_from_db()
    assert package.state == Package.State.PRINTED and package.waybill_no
    return package


def reserved_matches_reservations() -> bool:
    """Every stock level's reserved figure is what the open reservations hold (nothing left behind)."""
    held: dict[tuple[int, int], int] = {}
    for sku_id, wh_id, qty in Reservation.objects.filter(state=Reservation.State.OPEN).values_list(
        "sku_id", "warehouse_id", "quantity"
    ):
        held[(sku_id, wh_id)] = held.get((sku_id, wh_id), 0) + qty
    levels = {(s, w): r for s, w, r in StockLevel.objects.values_list("sku_id", "warehouse_id", "reserved")}
    return all(levels.get(key, 0) == qty for key, qty in held.items()) and all(
        r == held.get(key, 0) for key, r in levels.items()
    )


def stock_verify_clean() -> bool:
    out = io.StringIO()
    call_command("stock-verify", stdout=out)  # exits 1 (SystemExit) when the ledger and the levels differ
    return verify_stock().ok and "库存与流水一致" in out.getvalue() and reserved_matches_reservations()


def scan_refuses(client, package) -> str:
    """The scan/verify page's answer to the package's waybill (the Chinese refusal), asserting it refused."""
    answer = client.post("/shipping/scan/code/", {"code": package.waybill_no, "step": "waybill"})
    assert answer.status_code == 400, answer.content.decode()
    return answer.json()["error"]


def assert_left_once(world, client, order, package, *, document: str) -> None:
    """The goods left outside our warehouse: package out of the print queue and refused by the scan page, the
    reservation committed against `document` (on hand down once), stock-verify clean."""
    package.refresh_from_db()
    assert package.state == Package.State.CANCELLED
    assert not Package.objects.filter(pk=package.pk, state__in=[Package.State.TO_PRINT, Package.State.PRINTED]).exists()
    answer = scan_refuses(client, package)
    # a printed package is intercepted (拦截, in red: the label may be on a parcel already); otherwise 已取消
    assert ("拦截" in answer) if package.printed_at else ("已取消" in answer), answer
    reference = states.reference(order)
    assert not Reservation.objects.filter(reference=reference, state=Reservation.State.OPEN).exists()
    assert Reservation.objects.filter(reference=reference, state=Reservation.State.COMMITTED).exists()
    ship = LedgerEntry.objects.filter(reason=LedgerEntry.Reason.SHIP, note=reference)
    assert list(ship.values_list("document", "on_hand_change", "reserved_change")) == [(document, -1, -1)]
    level = StockLevel.objects.get(sku__code="D-黑-S")
    assert (level.on_hand, level.reserved) == (9, 0)
    assert stock_verify_clean()
