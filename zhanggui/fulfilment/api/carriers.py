"""Carriers in the API (SHIP-3, SHIP-5): the carriers with platform codes, unreachable areas and rates; 运费试算; and
changing a package's carrier on the buyer's request (same services as the pages)."""

from ninja import Router, Schema
from ninja.errors import HttpError

from zhanggui.core.access import scoped_get
from zhanggui.core.apitools import api_route
from zhanggui.core.bounds import Grams, Reference

from ..models import Carrier, Package
from ..services import carrier_rules, carriers

router = Router()

VIEW_CARRIER = "fulfilment.view_carrier"
REVIEW = "fulfilment.review_order"


class AreaOut(Schema):
    adcode: str
    name: str
    note: str


class RateOut(Schema):
    province_code: str
    first_weight_g: int
    first_fen: int
    step_g: int
    step_fen: int


class CarrierOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    platform_codes: dict
    waybill_service: str
    active: bool
    unreachable_count: int
    rate_count: int


class CarrierDetailOut(CarrierOut):
    unreachable: list[AreaOut]
    rates: list[RateOut]


class QuoteIn(Schema):
    province: str  # 2-digit province code, or a province name (新疆 / 新疆维吾尔自治区)
    weight_g: Grams


class QuoteRow(Schema):
    code: str
    name: str
    fee_fen: int | None
    reaches: bool
    not_reached: list[str]


class CarrierChangeIn(Schema):
    carrier: str = ""  # carrier code (YTO, SF …); empty with urgent=true → the shop's urgent carrier
    urgent: bool = False
    note: str = ""
    version: Reference | None = None


class PackageCarrierOut(Schema):
    id: int
    package_no: str
    carrier: str | None
    carrier_note: str
    urgent: bool
    surcharge_fen: int
    expected_fee_fen: int | None
    version: int


def _out(carrier: Carrier, detail: bool = False) -> dict:
    areas = list(carrier.unreachable.all())
    rates = list(carrier.rates.all())
    data = {
        **{f: getattr(carrier, f) for f in ("id", "code", "name", "short_name", "platform_codes", "waybill_service")},
        "active": carrier.active,
        "unreachable_count": len(areas),
        "rate_count": len(rates),
    }
    if detail:
        data["unreachable"] = [{"adcode": a.adcode, "name": a.name, "note": a.note} for a in areas]
        data["rates"] = [
            {f: getattr(r, f) for f in ("province_code", "first_weight_g", "first_fen", "step_g", "step_fen")}
            for r in rates
        ]
    return data


def _carriers():
    return Carrier.objects.prefetch_related("unreachable", "rates").order_by("sort", "code")


@api_route(router.get, "/carriers", perm=VIEW_CARRIER, response=list[CarrierOut])
def list_carriers(request):
    """Every carrier with its code and name per platform (batch-ship upload) and waybill service."""
    return [_out(c) for c in _carriers()]


@api_route(router.post, "/carriers/quote", perm=VIEW_CARRIER, response=list[QuoteRow])
def quote(request, payload: QuoteIn):
    """运费试算 (SHIP-5): the expected courier fee of a parcel to the province for every active carrier."""
    province = payload.province.strip()
    if not province.isdigit():
        province = carrier_rules.province_code_of(province) or province
    return [
        {k: row[k] for k in ("code", "name", "fee_fen", "reaches", "not_reached")}
        for row in carriers.quote(province, payload.weight_g)
    ]


@api_route(router.get, "/carriers/{carrier_id}", perm=VIEW_CARRIER, response=CarrierDetailOut)
def get_carrier(request, carrier_id: int):
    """One carrier with the areas it does not reach (division-code prefixes) and its freight rates (fen)."""
    carrier = _carriers().filter(pk=carrier_id).first()
    if carrier is None:
        raise HttpError(404, "快递不存在")
    return _out(carrier, detail=True)


@api_route(router.post, "/packages/{package_id}/carrier", perm=REVIEW, response=PackageCarrierOut)
def change_carrier(request, package_id: int, payload: CarrierChangeIn):
    """SHIP-3 on the buyer's request: 圆通 at the 申通 price, 顺丰 at the EMS price, or urgent 顺丰 (+15 元), for a
    package still 待打单; refused when the carrier does not reach the address. Remarked on the order (ORD-3)."""
    package = scoped_get(Package.objects.all(), request.user, pk=package_id)
    p = carrier_rules.change_carrier(
        request.user, package, payload.carrier, urgent=payload.urgent, note=payload.note, version=payload.version
    )
    return {
        **{f: getattr(p, f) for f in ("id", "package_no", "carrier_note", "urgent", "surcharge_fen", "version")},
        "expected_fee_fen": p.expected_fee_fen,
        "carrier": p.carrier.code if p.carrier else None,
    }
