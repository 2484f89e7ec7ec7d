"""Access-matrix samples for suppliers and purchase orders (PUR-1..3): company-level, not shop-bound."""

from zhanggui.catalog.models import Sku
from zhanggui.inventory.models import Warehouse
from zhanggui.purchasing.services.orders import create_order
from zhanggui.purchasing.services.suppliers import create_supplier


def build(world, shared) -> dict:
    supplier = create_supplier(None, code="AM-SUP", name="矩阵供应商", phone="0571-88886666")
    order = create_order(
        None,
        lines=[(Sku.objects.get(pk=shared["sku_id"]), 3, 3500)],
        supplier=supplier,
        warehouse=Warehouse.objects.get(pk=shared["warehouse_id"]),
        reason="矩阵补货",
    )
    return {"supplier_id": supplier.pk, "po_id": order.pk}
