"""Access-matrix samples for dropship orders (PROD-10): one order of shop_a, its receiver = world.customer_a (so the
matrix checks that the buyer's phone and street are masked for roles without crm.view_buyer_pii)."""

from zhanggui.catalog.services.products import create_product
from zhanggui.purchasing.models import Supplier, SupplierProduct
from zhanggui.purchasing.services.dropship import queue_dropship

SHOP_BOUND = {"dropship_id"}


def build(world, shared) -> dict:
    supplier = Supplier.objects.create(code="AM-DS", name="矩阵代发厂", lead_time_days=3)
    product = create_product(
        None,
        style_code="AM-DS-1",
        name="矩阵代发裙",
        colours=["红"],
        sizes=["M"],
        sourcing="dropship",
        supplier_name="矩阵代发厂",
    )
    SupplierProduct.objects.create(supplier=supplier, product=product, supplier_item_code="X-1", is_preferred=True)
    c = world.customer_a
    (order,) = queue_dropship(
        None,
        world.shop_a,
        "AM-TB-0001",
        [(product.skus.get(), 1)],
        receiver_name=c.name,
        receiver_phone=c.phone,
        receiver_address=f"{c.province}{c.city}{c.district}{c.address}",
    )
    return {"dropship_id": order.pk}
