"""The carrier list (SHIP-3, SHIP-5), kept as data in data/carriers.json and loaded on migrate: a carrier that is
not in the database yet arrives with its unreachable areas and freight rates; carriers already there keep what the
manager edited (only their platform codes are refreshed from the data: channels.carriers)."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from zhanggui.channels.carriers import platform_codes
from zhanggui.core.bounds import check_fen, check_grams
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, register_event_kinds
from zhanggui.core.money import format_fen, yuan_to_fen

from ..models import Carrier, CarrierArea, FreightRate

DATA = Path(__file__).resolve().parent.parent / "data" / "carriers.json"


def carrier_facts() -> list[dict]:
    return json.loads(DATA.read_text(encoding="utf-8"))["carriers"]


@transaction.atomic
def load_carriers() -> int:
    """Create the carriers of the data file that are missing; returns how many were created."""
    existing = {c.code: c for c in Carrier.objects.all()}
    created = 0
    for fact in carrier_facts():
        carrier = existing.get(fact["code"])
        codes = platform_codes(fact["code"])  # how each platform names it (channels' data)
        if carrier is not None:
            if carrier.platform_codes != codes:
                carrier.platform_codes = codes
                carrier.save(update_fields=["platform_codes"])
            continue
        carrier = Carrier.objects.create(
            code=fact["code"],
            name=fact["name"],
            short_name=fact["short_name"],
            platform_codes=codes,
            waybill_service=fact["waybill_service"],
            tracking_pattern=fact["tracking_pattern"],
            sort=fact["sort"],
        )
        CarrierArea.objects.bulk_create(
            [CarrierArea(carrier=carrier, adcode=code, name=name) for code, name in fact["unreachable"]]
        )
        FreightRate.objects.bulk_create(
            [
                FreightRate(carrier=carrier, province_code=province, first_fen=first, step_fen=step)
                for province, first, step in fact["rates"]
            ]
        )
        created += 1
    return created


def by_code(code: str) -> Carrier | None:
    return Carrier.objects.filter(code=code, active=True).first()


# ---- editing a carrier's unreachable areas and rate table (SHIP-3, SHIP-5; manager: fulfilment.change_carrier) ----

register_event_kinds({"carrier_area": "快递不达地区", "carrier_rate": "快递运费"})


def _grams(value, field: str, label: str) -> int:
    """A weight in grams, at least 1 and within the company's bound (rule 7, core.bounds)."""
    return check_grams(value, label, field, low=1)


def _fen(value, field: str, label: str) -> int:
    try:
        fen = yuan_to_fen(str(value).strip())
    except DomainError as exc:
        raise DomainError(exc.code, f"{label}：{exc.message}", field) from None
    return check_fen(fen, label, field)  # rule 7: a fee within the company's money bound


def _id(value) -> int | None:
    """A posted row id, None when it is not a number (the query then finds nothing: "gone")."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


def add_area(actor, carrier: Carrier, code: str, note: str = "") -> CarrierArea:
    """SHIP-3: `carrier` does not reach the division `code` (2-digit province, 4-digit city or 6-digit district;
    trailing 00 pairs are dropped); the name comes from the division table."""
    from .carrier_rules import area_prefix, division_name

    prefix = area_prefix(code)
    name = division_name(prefix)
    if not name:
        raise DomainError("bad_area", f"行政区划代码 {str(code or '').strip() or '（空）'} 不存在", "adcode")
    with transaction.atomic():
        if CarrierArea.objects.filter(carrier=carrier, adcode=prefix).exists():
            raise DomainError("area_exists", f"{carrier}已登记不到{name}", "adcode")
        area = CarrierArea.objects.create(carrier=carrier, adcode=prefix, name=name, note=str(note or "")[:100])
        record_event(actor, carrier, "carrier_area", to_state=f"不到 {name}（{prefix}）", note=area.note)
    return area


def remove_area(actor, carrier: Carrier, area_id) -> None:
    with transaction.atomic():
        area = CarrierArea.objects.filter(carrier=carrier, pk=_id(area_id)).first()
        if area is None:
            raise DomainError("gone", "该地区已被删除，请刷新", "area")
        area.delete()
        record_event(actor, carrier, "carrier_area", from_state=f"不到 {area.name}（{area.adcode}）", to_state="可达")


def save_rate(actor, carrier: Carrier, province_code, first_weight_g, first_yuan, step_g, step_yuan) -> FreightRate:
    """SHIP-5: the carrier's rate to a province (empty: every other province) — created or replaced."""
    from .carrier_rules import division_name

    province = str(province_code or "").strip()
    if province and (len(province) != 2 or not division_name(province)):
        raise DomainError("bad_province", f"省份代码 {province} 不存在", "province_code")
    values = {
        "first_weight_g": _grams(first_weight_g, "first_weight_g", "首重"),
        "first_fen": _fen(first_yuan, "first_yuan", "首重价格"),
        "step_g": _grams(step_g, "step_g", "续重"),
        "step_fen": _fen(step_yuan, "step_yuan", "续重价格"),
    }
    with transaction.atomic():
        rate, created = FreightRate.objects.update_or_create(carrier=carrier, province_code=province, defaults=values)
        where = division_name(province) if province else "其他省份"
        text = (
            f"{where}：首重 {rate.first_weight_g} 克 {format_fen(rate.first_fen)}，"
            f"续重每 {rate.step_g} 克 {format_fen(rate.step_fen)}"
        )
        record_event(actor, carrier, "carrier_rate", from_state="" if created else "修改", to_state=text)
    return rate


def remove_rate(actor, carrier: Carrier, rate_id) -> None:
    from .carrier_rules import division_name

    with transaction.atomic():
        rate = FreightRate.objects.filter(carrier=carrier, pk=_id(rate_id)).first()
        if rate is None:
            raise DomainError("gone", "该运费行已被删除，请刷新", "rate")
        rate.delete()
        where = division_name(rate.province_code) if rate.province_code else "其他省份"
        record_event(actor, carrier, "carrier_rate", from_state=where, to_state="已删除")


def quote(province_code: str, weight_g) -> list[dict]:
    """运费试算 (SHIP-5): the expected courier fee of a parcel to the province for every active carrier, with
    whether the carrier reaches the province at all (an unreachable province-wide area)."""
    from .carrier_rules import division_name, expected_fee, unreachable_area

    province = str(province_code or "").strip()[:2]
    if not division_name(province):
        raise DomainError("bad_province", "请选择省份", "province")
    weight = _grams(weight_g, "weight", "重量")
    rows = []
    for carrier in Carrier.objects.filter(active=True).prefetch_related("unreachable", "rates"):
        area = unreachable_area(carrier, province)
        partly = [a.name for a in carrier.unreachable.all() if a.adcode.startswith(province) and a is not area]
        rows.append(
            {
                "carrier": carrier,
                "code": carrier.code,
                "name": str(carrier),
                "fee_fen": expected_fee(carrier, province, weight),
                "reaches": area is None,
                "not_reached": partly,
            }
        )
    return rows
