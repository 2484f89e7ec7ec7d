"""The StockChanged listener (PROD-6, “能拍即有货”): SKUs sold out or back in stock move their listings
between listed and to_delist. Registered in catalog/apps.py.
"""

from django.db import transaction

from zhanggui.core import clock
from zhanggui.core.events import record_events

from ..models import ComboItem, Listing, Sku
from ..selectors import listing_availability
from .listings import S, status_label

WAIT_FOR_PLATFORM = "等待平台下架"  # PROD-6: no connector can delist on the platform yet


def on_stock_changed(event) -> dict:
    """PROD-6 (“能拍即有货”): the listener of the domain event StockChanged from inventory (catalog app's ready()).

    Payload: sku_ids=(…), available={sku_id: quantity}. A SKU with 0 available is marked sold out, with stock
    again it is not. A listing whose every mapped SKU is now unavailable goes to `to_delist` (“等待平台下架”:
    no connector can delist on the platform yet); a `to_delist` listing with an orderable SKU again is relisted.
    Bulk: a fixed number of queries whatever the number of SKUs and listings.
    """
    available = {int(k): v for k, v in (event.available or {}).items()}
    ids = {int(s) for s in event.sku_ids or ()} | set(available)
    if not ids:
        return {"to_delist": 0, "relisted": 0}
    now = clock.now()
    with transaction.atomic():
        out = [pk for pk, qty in available.items() if (qty or 0) <= 0]
        back = [pk for pk, qty in available.items() if (qty or 0) > 0]
        flipped_out = list(Sku.objects.filter(pk__in=out, sold_out=False).values_list("pk", flat=True))
        flipped_back = list(Sku.objects.filter(pk__in=back, sold_out=True).values_list("pk", flat=True))
        if not flipped_out and not flipped_back and ids <= set(available):
            # No SKU crossed zero, so no listing can change state: the common case on every reservation.
            return {"to_delist": 0, "relisted": 0, "sold_out_skus": 0}
        Sku.objects.filter(pk__in=flipped_out).update(sold_out=True)
        Sku.objects.filter(pk__in=flipped_back).update(sold_out=False)
        combos = set(ComboItem.objects.filter(component_id__in=ids).values_list("combo_id", flat=True))
        listings = list(
            Listing.objects.filter(skus__sku_id__in=ids | combos, status__in=[S.LISTED, S.TO_DELIST])
            .distinct()
            .select_related("shop")
        )
        state = listing_availability([li.pk for li in listings])
        to_delist = [li for li in listings if li.status == S.LISTED and not state[li.pk]]
        relist = [li for li in listings if li.status == S.TO_DELIST and state[li.pk]]
        Listing.objects.filter(pk__in=[li.pk for li in to_delist]).update(status=S.TO_DELIST)
        Listing.objects.filter(pk__in=[li.pk for li in relist]).update(status=S.LISTED, listed_at=now)
        record_events(
            None,
            [
                (
                    li,
                    "sold_out",
                    status_label(S.LISTED),
                    status_label(S.TO_DELIST),
                    f"全部 SKU 已售罄，{WAIT_FOR_PLATFORM}",
                )
                for li in to_delist
            ]
            + [
                (li, "restocked", status_label(S.TO_DELIST), status_label(S.LISTED), "补货，已重新上架")
                for li in relist
            ],
        )
    return {"to_delist": len(to_delist), "relisted": len(relist), "sold_out_skus": len(flipped_out)}
