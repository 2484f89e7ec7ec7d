"""A small receiving world: a warehouse with bins, a dress in 2 colours × 3 sizes, a supplier and an ordered
purchase order (D-黑-S 10, D-黑-M 6, D-白-L 4). Used by the receiving and exchange tests."""

from dataclasses import dataclass

import pytest
from django.db import transaction

from zhanggui.catalog.services.products import create_product
from zhanggui.inventory.services import warehouses as wh_svc
from zhanggui.purchasing.models import PurchaseOrder, Supplier
from zhanggui.purchasing.services import orders, receiving


@dataclass
class ReceivingWorld:
    keeper: object  # 库管 (warehouse role): counts
    manager: object  # 店长 = 进货人员: checks
    warehouse: object
    bins: dict
    skus: dict
    supplier: object
    order: object


def ordered_po(actor, supplier, warehouse, lines):
    """A purchase order moved to ordered (PUR-2), via the orders service only."""
    po = orders.create_order(actor, lines=lines, supplier=supplier, warehouse=warehouse, reason="补货")
    with transaction.atomic():
        orders.transition(orders.lock(po), PurchaseOrder.State.ORDERED, actor)
    po.refresh_from_db()
    return po


def count(actor, receipt, counts: dict, **extra):
    """Save counts {sku_code: (counted, faulty[, note])} through the service, with the current version."""
    receipt.refresh_from_db()
    rows = []
    for line in receipt.lines.select_related("sku"):
        if line.sku.code in counts:
            counted, faulty, *note = counts[line.sku.code]
            rows.append({"line": line.pk, "counted": counted, "faulty": faulty, "note": note[0] if note else ""})
    return receiving.save_counts(actor, receipt, rows, version=receipt.version, **extra)


def checked(rw, receipt, counts: dict, **extra):
    count(rw.keeper, receipt, counts, **extra)
    receipt.refresh_from_db()
    return receiving.check(rw.manager, receipt, version=receipt.version)


@pytest.fixture(name="rw")
def receiving_world(world):
    keeper, manager = world.people["warehouse"], world.people["manager"]
    warehouse = wh_svc.create_warehouse(keeper, code="MAIN", name="主仓", is_default=True)
    bins = {
        b.code: b
        for b in wh_svc.create_bins(
            keeper, warehouse, [{"code": "A-01", "position": 10}, {"code": "A-02", "position": 20}]
        )
    }
    dress = create_product(keeper, style_code="D", name="碎花连衣裙", colours=["黑", "白"], sizes=["S", "M", "L"])
    skus = {s.code: s for s in dress.skus.all()}
    wh_svc.set_home_bin(keeper, skus["D-黑-S"], warehouse, bins["A-01"])
    supplier = Supplier.objects.create(code="GYS1", name="广州十三行服饰", contact_name="王姐", phone="13900001111")
    po = ordered_po(
        manager, supplier, warehouse, [(skus["D-黑-S"], 10, 5000), (skus["D-黑-M"], 6, 5000), (skus["D-白-L"], 4, 5000)]
    )
    return ReceivingWorld(keeper, manager, warehouse, bins, skus, supplier, po)
