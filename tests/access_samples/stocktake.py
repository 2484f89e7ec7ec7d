"""Access-matrix samples for stocktakes (INV-6): company-level, not shop-bound. A stocktake being counted, with
one line counted, so every page has something to show (the walk's POSTs may move it on: every page renders in
every state)."""

from zhanggui.inventory.models import Warehouse
from zhanggui.inventory.services import stocktake


def build(world, shared) -> dict:
    warehouse = Warehouse.objects.get(pk=shared["warehouse_id"])
    st = stocktake.plan(None, warehouse, "skus", skus=[shared["sku_id"]], note="矩阵盘点")
    stocktake.start(None, st)
    stocktake.count(None, st, [(shared["sku_id"], 2)])
    return {"stocktake_id": st.pk}
