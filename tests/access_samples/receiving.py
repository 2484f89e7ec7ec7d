"""Access-matrix samples for receiving (INV-3) and tasks (PUR-4): a stock-in slip being counted against an ordered
purchase order, a posted slip with faulty pieces (so the exchange list has rows), and a task for the editors.
Stock and purchasing are company-level; a task is the role's, not a shop's."""

from django.db import transaction

from zhanggui.catalog.models import Sku
from zhanggui.inventory.models import Warehouse
from zhanggui.purchasing.models import PurchaseOrder, Supplier
from zhanggui.purchasing.services import orders, receiving
from zhanggui.team.tasks_service import assign_to_roles


def build(world, shared) -> dict:
    manager = world.people["manager"]
    sku = Sku.objects.get(pk=shared["sku_id"])
    warehouse = Warehouse.objects.get(pk=shared["warehouse_id"])
    supplier = Supplier.objects.create(code="AM-RK", name="矩阵入库供应商")
    po = orders.create_order(manager, lines=[(sku, 6, 1000)], supplier=supplier, warehouse=warehouse)
    with transaction.atomic():
        orders.transition(orders.lock(po), PurchaseOrder.State.ORDERED, manager)
    posted = receiving.create_receipt(manager, order=po)
    line = posted.lines.get()
    receiving.save_counts(
        manager, posted, [{"line": line.pk, "counted": 2, "faulty": 1, "note": "脏污"}], version=posted.version
    )
    posted.refresh_from_db()
    posted = receiving.check(manager, posted, version=posted.version)
    receiving.post(manager, posted, version=posted.version)
    counting = receiving.create_receipt(manager, order=po)  # the rest, still being counted
    (task,) = assign_to_roles(manager, ["editor"], title="矩阵待办：更新主图", source="matrix:1", rule="PUR-4")
    return {"receipt_id": counting.pk, "task_id": task.pk}
