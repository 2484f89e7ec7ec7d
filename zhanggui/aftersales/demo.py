"""The demo after-sales (idempotent): a policy per marketplace shop (the Tmall shop on a second version: 15 days for the
December campaign), and about 25 cases over the four shops in every type and every state — refunds before and after
shipping, returns waiting, received, refunded; exchanges sent out; resends; a lost parcel claimed from the carrier; a
product-use question — with reasons, photos of goods and waybills, an inspection that found a clause not met, a
return agreed outside the window (with the reason), notes, hand-overs, and a few overdue cases escalated to the
manager by the sweep. INV-5: the returns waiting carry the buyer's return waybill (scan them on 退货入库), the received
ones were scanned in by the warehouse keeper (stock and ledger posted), exchanges and resends have their new ¥0
orders, and one parcel nobody expects waits in 无主退件 with its photo.

Everything goes through the services, as a person would do it; this module only decides what to do (and backdates
when things happened, so ages in the queue look like a running shop). A second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from zhanggui.core import clock
from zhanggui.core.models import Event
from zhanggui.orders.models import Order
from zhanggui.shops.models import Shop

from .models import Case, Reason
from .services import cases, photos, policy, receiving, refunds, unclaimed, work

PLATFORMS = ("taobao", "tmall", "jd", "pdd")
S = Case.State
K = Case.Kind
UNSHIPPED = (Order.State.TO_REVIEW, Order.State.APPROVED, Order.State.TO_SHIP)
SHIPPED = (Order.State.SHIPPED, Order.State.SIGNED, Order.State.COMPLETED)

# (type, the moves after opening, days since opened, follow-up hours from now: negative = overdue); returns and
# exchanges take recently shipped orders, except the one marked OLD (outside the window: agreed with a reason).
OLD = 8
PLAN = [
    (K.REFUND_UNSHIPPED, [], 0.2, 20),
    (K.REFUND_UNSHIPPED, [S.REFUNDING], 0.5, 6),
    (K.REFUND_UNSHIPPED, [S.REFUNDING, S.DONE], 2, 24),
    (K.REFUND_UNSHIPPED, [S.REFUSED], 3, 24),
    (K.REFUND_SHIPPED, [S.WAITING_BUYER], 2, -5),
    (K.REFUND_SHIPPED, [S.REFUNDING, S.DONE], 4, 24),
    (K.RETURN_REFUND, [], 1, -30),
    (K.RETURN_REFUND, [S.WAITING_RETURN], 3, 30),
    (K.RETURN_REFUND, [S.WAITING_RETURN], 6, -50),
    (K.RETURN_REFUND, [S.WAITING_RETURN, S.RECEIVED], 5, 4),
    (K.RETURN_REFUND, [S.WAITING_RETURN, S.RECEIVED, S.REFUNDING], 6, 8),
    (K.RETURN_REFUND, [S.WAITING_RETURN, S.RECEIVED, S.REFUNDING, S.DONE], 9, 24),
    (K.RETURN_REFUND, [S.REFUSED], 4, 24),
    (K.EXCHANGE, [S.WAITING_RETURN], 2, 40),
    (K.EXCHANGE, [S.WAITING_RETURN, S.RECEIVED, S.RESENDING], 5, 10),
    (K.EXCHANGE, [S.WAITING_RETURN, S.RECEIVED, S.RESENDING, S.DONE], 8, 24),
    (K.EXCHANGE, [S.CANCELLED], 3, 24),
    (K.RESEND, [S.RESENDING], 1, 12),
    (K.RESEND, [S.RESENDING, S.DONE], 3, 24),
    (K.LOST_DAMAGED, [S.CLAIMING], 4, -20),
    (K.LOST_DAMAGED, [S.CLAIMING, S.RESENDING, S.DONE], 7, 24),
    (K.LOST_DAMAGED, [S.WAITING_BUYER], 1, 16),
    (K.LOST_DAMAGED, [S.REFUNDING], 2, 5),
    (K.CONSULT, [], 0.1, 3),
    (K.CONSULT, [S.DONE], 1, 24),
    (K.CONSULT, [S.WAITING_BUYER], 2, 20),
]
WORDS = {
    K.REFUND_UNSHIPPED: "买家说拍错颜色了，还没发货，申请退款",
    K.REFUND_SHIPPED: "物流停在中转站 4 天不动",
    K.RETURN_REFUND: "穿着偏小一码，想退",
    K.EXCHANGE: "M 码偏大，换 S 码",
    K.RESEND: "少发一件打底衫",
    K.LOST_DAMAGED: "快递外箱破损，衣服有污渍",
    K.CONSULT: "问真丝能不能机洗",
}
REFUSALS = {
    K.REFUND_UNSHIPPED: "已与买家沟通，买家同意照常发货",
    K.RETURN_REFUND: "商品已洗涤，不符合退货条件",
}
PARTIES = {K.RESEND: "seller", K.LOST_DAMAGED: "courier", K.EXCHANGE: "buyer", K.RETURN_REFUND: "buyer"}


def _photo(name: str, colour) -> SimpleUploadedFile:
    """A generated photo named as a phone names it when the buyer sends it (IMG_…)."""
    image = Image.new("RGB", (480, 360), colour)
    ImageDraw.Draw(image).rectangle((60, 60, 420, 300), outline=(255, 255, 255), width=6)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return SimpleUploadedFile(name, out.getvalue())


def _orders(shop, states, used: set[int]):
    qs = Order.objects.filter(shop=shop, state__in=states, paid_fen__gt=0).exclude(pk__in=used)
    if states == UNSHIPPED:
        qs = qs.filter(lines__shipped_qty=0).distinct()
    return qs.order_by("pk")


def _pick(shop, kind, used: set[int], old: bool, before) -> Order | None:
    """An order for the case: not shipped for a refund before shipping; long finished for the one outside the
    window; else the latest shipped before the case is opened (`before`)."""
    if kind == K.REFUND_UNSHIPPED:
        return _orders(shop, UNSHIPPED, used).first()
    if old:
        return _orders(shop, (Order.State.COMPLETED,), used).order_by("completed_at", "pk").first()
    shipped = _orders(shop, (Order.State.SHIPPED, Order.State.SIGNED), used)
    recent = shipped.filter(shipped_at__lte=before).order_by("-shipped_at", "pk").first()
    imported = shipped.filter(shipped_at__isnull=True).first()  # an export without a ship time
    return recent or imported or shipped.order_by("shipped_at", "pk").first()


def _policies(shops, manager) -> None:
    for shop in shops:
        policy.ensure_policy(shop)
    tmall = next((s for s in shops if s.platform_id == "tmall"), None)
    if tmall is not None and policy.current_policy(tmall).number == 1:
        fields = {**policy.defaults(), "text": policy.DEFAULT_TEXT.replace("7 天", "15 天"), "return_window_days": 15}
        policy.save_policy(manager, tmall, **fields, version=1, note="双12 活动期间延长到 15 天")


def _backdate(case: Case, days: float, follow_hours: float, now) -> None:
    """Opened `days` ago (never before the order was paid or shipped), its timeline spread from then to now, the
    follow-up `follow_hours` from now."""
    order = case.order
    earliest = max(t for t in (order.paid_at, order.shipped_at, now - dt.timedelta(days=60)) if t)
    opened = max(now - dt.timedelta(days=days), earliest + dt.timedelta(hours=2))
    fields = {"created_at": opened, "follow_up_at": now + dt.timedelta(hours=follow_hours)}
    if case.closed_at:
        fields["closed_at"] = opened + (now - opened) * 0.8
    Case.objects.filter(pk=case.pk).update(**fields)
    Event.objects.filter(object_id=str(order.pk), content_type__model="order", kind="aftersales_opened").update(
        at=opened
    )
    events = list(
        Event.objects.filter(
            object_id=str(case.pk), content_type__app_label="aftersales", content_type__model="case"
        ).order_by("pk")
    )
    for i, event in enumerate(events):
        Event.objects.filter(pk=event.pk).update(at=opened + (now - opened) * (i / max(len(events), 1)) * 0.8)


def load_aftersales(manager, cs_taobao, cs_jd) -> dict:
    """Create the demo after-sales once (nothing happens when the marketplace shops already have cases)."""
    shops = list(Shop.objects.filter(platform_id__in=PLATFORMS).order_by("pk"))
    if not shops or Case.objects.filter(shop__in=shops).exists():
        load_parcels(cs_taobao, cs_jd)  # AS-4, AS-5: added to a demo loaded before them
        return {"cases": Case.objects.count()}
    _policies(shops, manager)
    rng = random.Random("aftersales-demo")
    now = clock.now()
    used: set[int] = set()
    made = []
    for n, (kind, path, days, follow_hours) in enumerate(PLAN):
        shop = shops[n % len(shops)]
        actor = cs_taobao if shop.platform_id in ("taobao", "tmall") else cs_jd
        order = _pick(shop, kind, used, old=n == OLD, before=now - dt.timedelta(days=days + 1))
        if order is None:
            continue
        used.add(order.pk)
        lines = list(order.lines.order_by("line_no"))
        picked = [] if kind == K.CONSULT else [(lines[0], 1)]
        if kind in (K.REFUND_UNSHIPPED, K.LOST_DAMAGED):
            picked = [(ln, ln.quantity) for ln in lines]
        refundable = refunds.refundable_for(order, picked)
        reasons = list(Reason.objects.filter(kind=kind, is_active=True).order_by("position"))
        case = cases.open_case(
            actor,
            order=order,
            kind=kind,
            lines=picked,
            reason=rng.choice(reasons) if reasons else None,
            reason_text=WORDS[kind],
            responsible=PARTIES.get(kind, ""),
            requested_refund_fen=refundable if kind in cases.REFUND_KINDS else 0,
            platform_refund_id=f"RF{order.platform_order_no[-10:]}" if kind in cases.REFUND_KINDS else None,
        )
        for to in path:
            if case.state == to:  # INV-5: an exchange received intact is already on its way (待发出)
                continue
            if to == S.RECEIVED:  # INV-5: only by scanning the return at the warehouse
                case = _receive(case, actor)
                continue
            extra = {"agreed_refund_fen": case.requested_refund_fen or case.refundable_fen} if to == S.REFUNDING else {}
            note = REFUSALS.get(kind, "与买家协商一致") if to == S.REFUSED else ""
            if to in cases.AGREEING and policy.check(case):
                note = "老客户，店长同意破例处理"
            case = cases.move(actor, case, to, note=note, **extra)
            if to == S.WAITING_RETURN:  # the buyer sends the goods back and tells us the waybill
                case = unclaimed.set_return_waybill(actor, case, _waybill(case), RETURN_CARRIERS[n % 3])
        made.append((case, days, follow_hours, actor))
    _extras(made, manager, now)
    _unclaimed(shops[0], now)
    for case, days, follow_hours, _actor in made:
        _backdate(case, days, follow_hours, now)
    work.escalate_overdue()  # AS-6: the overdue ones go to the manager, as the sweep would
    from .review_demo import load_reviews

    load_reviews(manager, cs_taobao, cs_jd)  # AS-7: reviews with 中差评 in every state, two reply templates
    load_parcels(cs_taobao, cs_jd)
    return {"cases": Case.objects.count()}


RETURN_CARRIERS = ("圆通速递", "中通快递", "韵达快递")


def _waybill(case: Case) -> str:
    """A return waybill that looks like a 圆通 one: YT + 13 digits from the order."""
    digits = "".join(ch for ch in case.order.platform_order_no if ch.isdigit())[-10:]
    return f"YT{case.pk:03d}{digits:0>10}"


def _keeper(actor):
    """The demo's warehouse keeper (A007) scans the returns; else whoever handles the case."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(number="A007", is_active=True).first() or actor


def _receive(case: Case, actor) -> Case:
    """INV-5: the return scanned and inspected: pieces of matched products intact, others recorded as 错发."""
    inspected = {
        line.pk: receiving.Inspected(intact=line.quantity)
        if line.order_line.sku_id
        else receiving.Inspected(wrong=line.quantity, note="未匹配商品")
        for line in case.lines.select_related("order_line")
    }
    return receiving.receive(_keeper(actor), case, inspected)


def _unclaimed(shop, now) -> None:
    """INV-5: one parcel nobody's case expects (无主退件), kept with a photo of the parcel."""
    keeper = _keeper(None)
    kept = unclaimed.keep(
        keeper, shop, "ZT7300128845102", carrier="中通快递", note="黑色连衣裙 1 件，无买家留言",
        files=[_photo("IMG_3101.jpg", (120, 100, 70))],
    )  # fmt: skip
    type(kept).objects.filter(pk=kept.pk).update(created_at=now - dt.timedelta(days=1, hours=3))


def _extras(made, manager, now) -> None:
    """Photos, an inspection that found a clause not met, notes and a hand-over, as the team would add them."""
    for i, (case, _days, _hours, actor) in enumerate(made):
        if not case.is_open:
            continue
        if case.kind in (K.RETURN_REFUND, K.EXCHANGE, K.LOST_DAMAGED) and i % 2 == 0:
            photos.add_photo(actor, case, _photo(f"IMG_{2400 + i}.jpg", (150, 90, 80)), "goods")
            photos.add_photo(actor, case, _photo(f"IMG_{2500 + i}.jpg", (90, 110, 150)), "waybill")
        if case.state == S.RECEIVED:
            work.record_conditions(actor, case, ["吊牌完好"])
            work.add_note(actor, case, "验货：吊牌已剪，与买家沟通中")
        if case.kind == K.CONSULT and case.state == S.WAITING_BUYER:
            work.add_note(actor, case, "已发洗涤说明，等买家确认")
    open_cases = [c for c, *_ in made if c.is_open and c.kind == K.RESEND]
    if open_cases:
        work.assign(manager, [c.pk for c in open_cases], manager, shops=Shop.objects.all())


# ---- parcel problems and compensation (AS-4, AS-5) --------------------------------------------------------------

# Per open 丢件/破损 case, in order: the steps ticked, the claims [(reason, share of the paid amount, moves)] and the
# compensations [(kind, fen)] — a lost parcel claimed and accepted (a first claim withdrawn: wrong waybill), a
# damaged one refused by the carrier, one the carrier paid (credited on the courier fee reconciliation, SHIP-5).
PARCEL_PLAN = [
    (["calm", "record", "address", "compare", "carrier"],
     [("lost", 1.0, [("withdrawn", None, "运单号填错，重新提交")]), ("lost", 1.0, [("accepted", None, "")])],
     [("coupon", 1000)]),
    (["calm", "record"], [("damaged", 0.5, [("rejected", None, "外包装无破损记录，快递拒赔")])], [("gift", 1500)]),
    (["calm", "record", "address", "compare", "carrier", "report"], [("damaged", 0.6, [("paid", 0.5, "")])],
     [("refund", None)]),
]  # fmt: skip


def _parcel_of(case):
    from zhanggui.fulfilment.models import Carrier

    from .services import parcels

    parcel = parcels.parcel_of(case)
    if parcel is not None and parcel.carrier_id:
        return parcel.carrier, parcel.waybill_no
    carrier = Carrier.objects.filter(active=True).order_by("sort", "code").first()
    return carrier, case.order.tracking_no or f"DEMO{case.order.platform_order_no[-10:]}"


def load_parcels(cs_taobao, cs_jd) -> int:
    """AS-4, AS-5: the six steps ticked, carrier claims in several outcomes and compensations on the open parcel
    cases (once: nothing happens when a claim exists). Returns the number of claims made."""
    from .models import CarrierClaim
    from .services import compensation, parcels

    if CarrierClaim.objects.exists():
        return 0
    open_cases = Case.objects.filter(kind=K.LOST_DAMAGED, state__in=(S.NEW, S.WAITING_BUYER, S.CLAIMING, S.REFUNDING))
    made = 0
    for case, (steps, claims, comps) in zip(
        open_cases.select_related("order", "shop").order_by("pk"), PARCEL_PLAN, strict=False
    ):
        actor = cs_taobao if case.shop.platform_id in ("taobao", "tmall") else cs_jd
        for step in steps:
            parcels.tick(actor, case, step, "已电话联系买家" if step == "calm" else "")
        carrier, waybill = _parcel_of(case)
        base = case.refundable_fen or case.order.paid_fen or 10000
        for reason, share, moves in claims:
            claim = parcels.file_claim(actor, case, carrier=carrier, waybill_no=waybill, reason=reason,
                                       claimed_fen=max(int(base * share), 100))  # fmt: skip
            made += 1
            for to, paid_share, note in moves:
                paid = max(int(claim.claimed_fen * paid_share), 1) if paid_share else None
                claim = parcels.move_claim(actor, claim, to, paid_fen=paid, note=note)
        case.refresh_from_db()
        for kind, amount in comps:
            if amount is None:  # AS-5: a refund on top of the one agreed only up to what is still refundable
                amount = compensation.summary(case)["refund_left_fen"] if kind == "refund" else case.refundable_fen
            if amount:
                compensation.add(actor, case, kind, amount, "丢件破损补偿")
    return made
