"""Access-matrix samples for the carrier pages and API (SHIP-3, SHIP-5): carriers are company-wide data (not bound to
a shop), so `carrier_id` is the 申通 row loaded from data/carriers.json."""

from zhanggui.fulfilment.models import Carrier
from zhanggui.fulfilment.services.carriers import load_carriers

SHOP_BOUND: set[str] = set()


def build(world, shared) -> dict:
    load_carriers()
    return {"carrier_id": Carrier.objects.get(code="STO").pk}
