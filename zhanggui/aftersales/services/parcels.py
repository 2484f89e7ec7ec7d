"""Parcel problems (AS-4): the six-step checklist of a 丢件/破损 case and the claims against the carrier.

The checklist (the seeds' 物流问题解答 步骤一 … 步骤六):
    安抚买家 → 记录问题 → 核实地址 → 对比后台、面单与买家信息 → 联系快递 → 反馈买家
- `tick(actor, case, step, note)` / `untick(actor, case, step)`: one step done (工号 and time) or undone, both on the
  case's timeline; only on an open 丢件/破损 case; ticking a step twice is refused (the first 工号 stays).
- `checklist(case)`: the six steps in order with who ticked each and when.

Claims (丢件、破损、被没收 — "如果遇到发货的物品被安监部门没收…让快递公司赔偿损失"):
    已提交 filed → 快递已受理 accepted → 已赔付 paid / 已拒赔 rejected;   filed/accepted → 已撤回 withdrawn
- `file_claim(actor, case, *, carrier, waybill_no, reason, claimed_fen, note)`: carrier and waybill default to the
  case's parcel; filing puts the case in 快递理赔中 when its table allows. One open claim per waybill.
- `move_claim(actor, claim, to, *, version, paid_fen, note)`: → paid needs the amount paid (1 … claimed); the
  outcome's time is `settled_at`, the month the courier fee reconciliation credits it in (SHIP-5).
- `claim_source(shops, …)`: the claims as fulfilment.services.claims reads them (registered in apps.ready()).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse

from zhanggui.core import clock
from zhanggui.core.bounds import check_fen
from zhanggui.core.events import record_event, register_event_kinds
from zhanggui.core.money import format_fen
from zhanggui.core.states import Machine
from zhanggui.fulfilment.models import Carrier, Package
from zhanggui.fulfilment.services.claims import ClaimLine

from ..models import OPEN_STATES, CarrierClaim, Case, ParcelStep
from . import cases as svc
from .errors import CaseInputError

Step = ParcelStep.Step
CS = CarrierClaim.State

STEP_NAMES = {
    Step.CALM: "安抚买家",
    Step.RECORD: "记录问题",
    Step.ADDRESS: "核实地址",
    Step.COMPARE: "对比后台、面单与买家信息",
    Step.CARRIER: "联系快递",
    Step.REPORT: "反馈买家",
}
CLAIM_STATE_NAMES = {CS.FILED: "已提交", CS.ACCEPTED: "快递已受理", CS.PAID: "已赔付", CS.REJECTED: "已拒赔",
                     CS.WITHDRAWN: "已撤回"}  # fmt: skip
CLAIM_REASON_NAMES = {"lost": "丢件", "damaged": "破损", "confiscated": "被没收"}
CLAIM_TABLE = {
    CS.FILED: {CS.ACCEPTED, CS.PAID, CS.REJECTED, CS.WITHDRAWN},
    CS.ACCEPTED: {CS.PAID, CS.REJECTED, CS.WITHDRAWN},
}
CLAIM_OPEN = (CS.FILED, CS.ACCEPTED)
CLAIM_MACHINE = Machine(CarrierClaim, CLAIM_TABLE, name="运单 {waybill_no} 的理赔", event_kind="claim_state",
                        names=CLAIM_STATE_NAMES)  # fmt: skip
NOTE_MAX = 200

register_event_kinds({"parcel_step": "丢件破损步骤", "claim_filed": "快递理赔", "claim_state": "理赔进度"})


def _parcel_case(case: Case, doing: str) -> None:
    if case.kind != Case.Kind.LOST_DAMAGED:
        raise CaseInputError("not_parcel_case", f"售后单 {case.number} 不是丢件破损单，不能{doing}", "kind")


def _note(note) -> str:
    note = str(note or "").strip()
    if len(note) > NOTE_MAX:
        raise CaseInputError("too_long", f"备注最多 {NOTE_MAX} 个字", "note")
    return note


# ---- the six steps --------------------------------------------------------------------------------------------


def checklist(case: Case, steps=None) -> list[dict]:
    """AS-4: the six steps in order: {step, name, done_by, done_at, note} (done_by None: not done yet)."""
    done = {s.step: s for s in (steps if steps is not None else case.parcel_steps.select_related("done_by"))}
    rows = []
    for step in Step.values:
        row = done.get(step)
        rows.append(
            {
                "step": step,
                "name": STEP_NAMES[step],
                "done_by": row.done_by if row else None,
                "done_at": row.done_at if row else None,
                "note": row.note if row else "",
                "done": bool(row),
            }
        )
    return rows


def _locked_case(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).get(pk=case.pk)


def tick(actor, case: Case, step: str, note: str = "") -> ParcelStep:
    """AS-4: mark one step of the checklist done, with the 工号 and the time (on the case's timeline)."""
    if step not in Step.values:
        raise CaseInputError("bad_step", "没有这个处理步骤", "step")
    note = _note(note)
    with transaction.atomic():
        current = _locked_case(case)
        _parcel_case(current, "勾选处理步骤")
        if current.state not in OPEN_STATES:
            raise CaseInputError("case_closed", f"售后单 {current.number} 已结束，不能再勾选步骤", "state")
        done = ParcelStep.objects.filter(case=current, step=step).select_related("done_by").first()
        if done is not None:
            who = done.done_by.number if done.done_by else "系统"
            raise CaseInputError(
                "step_done", f"“{STEP_NAMES[step]}”已由 {who} 于 {clock.local(done.done_at):%m-%d %H:%M} 完成", "step"
            )
        row = ParcelStep.objects.create(
            case=current,
            step=step,
            note=note,
            done_at=clock.now(),
            done_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        order = Step.values.index(step) + 1
        record_event(actor, current, "parcel_step", to_state=f"步骤{order} {STEP_NAMES[step]} 已完成", note=note)
    return row


def untick(actor, case: Case, step: str, note: str = "") -> None:
    """AS-4: undo a step ticked by mistake (the timeline keeps both)."""
    if step not in Step.values:
        raise CaseInputError("bad_step", "没有这个处理步骤", "step")
    with transaction.atomic():
        current = _locked_case(case)
        _parcel_case(current, "修改处理步骤")
        if current.state not in OPEN_STATES:
            raise CaseInputError("case_closed", f"售后单 {current.number} 已结束，不能再修改步骤", "state")
        deleted, _ = ParcelStep.objects.filter(case=current, step=step).delete()
        if not deleted:
            raise CaseInputError("step_not_done", f"“{STEP_NAMES[step]}”还没有完成", "step")
        order = Step.values.index(step) + 1
        record_event(actor, current, "parcel_step", from_state=f"步骤{order} {STEP_NAMES[step]} 已完成",
                     to_state="撤销勾选", note=_note(note))  # fmt: skip


# ---- claims against the carrier ---------------------------------------------------------------------------------


def parcel_of(case: Case) -> Package | None:
    """The case's parcel: the newest shipped package of its order with a waybill."""
    return (
        Package.objects.filter(order_id=case.order_id).exclude(waybill_no="").select_related("carrier")
        .order_by("-shipped_at", "-pk").first()
    )  # fmt: skip


def file_claim(actor, case: Case, *, carrier=None, waybill_no: str = "", reason: str = "", claimed_fen=None,
               note: str = "") -> CarrierClaim:  # fmt: skip
    """AS-4: claim from the carrier for the case's lost, damaged or confiscated parcel."""
    if reason not in CarrierClaim.Reason.values:
        raise CaseInputError("bad_reason", "请选择理赔原因：丢件、破损或被没收", "reason")
    if claimed_fen in (None, ""):
        raise CaseInputError("amount_required", "请填写索赔金额", "claimed_fen")
    claimed = check_fen(claimed_fen, "索赔金额", "claimed_fen", low=1)
    note = _note(note)
    waybill_no = str(waybill_no or "").strip()
    if len(waybill_no) > 40:
        raise CaseInputError("too_long", "运单号最多 40 个字符", "waybill_no")
    parcel = parcel_of(case)
    if carrier is None and parcel is not None:
        carrier = parcel.carrier
    if not waybill_no and parcel is not None:
        waybill_no = parcel.waybill_no
    if carrier is None or not isinstance(carrier, Carrier):
        raise CaseInputError("carrier_required", "请选择快递公司", "carrier")
    if not waybill_no:
        raise CaseInputError("waybill_required", "请填写运单号", "waybill_no")
    with transaction.atomic():
        current = _locked_case(case)
        _parcel_case(current, "向快递索赔")
        if current.state not in OPEN_STATES:
            raise CaseInputError("case_closed", f"售后单 {current.number} 已结束，不能再发起理赔", "state")
        if CarrierClaim.objects.filter(case=current, waybill_no=waybill_no, state__in=CLAIM_OPEN).exists():
            raise CaseInputError("claim_open", f"运单 {waybill_no} 已有进行中的理赔", "waybill_no")
        try:
            with transaction.atomic():
                claim = CarrierClaim.objects.create(
                    case=current, shop_id=current.shop_id, carrier=carrier, waybill_no=waybill_no, reason=reason,
                    claimed_fen=claimed, filed_on=clock.today(), note=note,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )  # fmt: skip
        except IntegrityError:
            raise CaseInputError("bad_amount", "索赔金额不正确", "claimed_fen") from None
        record_event(actor, current, "claim_filed", to_state=CLAIM_STATE_NAMES[CS.FILED],
                     note=f"{carrier.name} {waybill_no} {CLAIM_REASON_NAMES[reason]}，索赔 {format_fen(claimed)}"
                     + (f"；{note}" if note else ""))  # fmt: skip
    if svc.machine(current).allows(current, Case.State.CLAIMING):  # AS-4: the case now waits for the carrier
        svc.move(actor, current, Case.State.CLAIMING, note=f"已向{carrier.name}索赔")
    return claim


def move_claim(actor, claim: CarrierClaim, to: str, *, version=None, paid_fen=None, note: str = "") -> CarrierClaim:
    """AS-4: the claim's next step; → 已赔付 with the amount the carrier paid (1 … claimed)."""
    if to not in CS.values:
        raise CaseInputError("bad_state", f"未知的理赔状态：{to}", "to")
    note = _note(note)
    m = CLAIM_MACHINE
    with transaction.atomic():
        current = m.lock(claim, version)
        m.check(current, to)
        fields = ["state", "settled_at"]
        text = ""
        if to == CS.PAID:
            if paid_fen in (None, ""):
                raise CaseInputError("amount_required", "请填写快递赔付金额", "paid_fen")
            paid = check_fen(paid_fen, "赔付金额", "paid_fen", low=1)
            if paid > current.claimed_fen:
                raise CaseInputError("paid_over_claimed", f"赔付金额 {format_fen(paid)} 超过了索赔金额 "
                                     f"{format_fen(current.claimed_fen)}", "paid_fen")  # fmt: skip
            current.paid_fen = paid
            fields.append("paid_fen")
            text = f"赔付 {format_fen(paid)}（索赔 {format_fen(current.claimed_fen)}）"
        if to == CS.REJECTED and not note:
            raise CaseInputError("note_required", "拒赔请写明快递给的理由", "note")
        before = current.state
        current.state = to
        current.settled_at = None if to == CS.ACCEPTED else clock.now()
        m.save(current, fields)
        case = Case.objects.get(pk=current.case_id)
        record_event(actor, case, "claim_state", from_state=CLAIM_STATE_NAMES[before], to_state=CLAIM_STATE_NAMES[to],
                     note="；".join(t for t in (f"{current.waybill_no}", text, note) if t))  # fmt: skip
    return current


def claim_label(state: str) -> str:
    return CLAIM_STATE_NAMES.get(state, str(state or ""))


# ---- what fulfilment reads (SHIP-5, registered in apps.ready) ----------------------------------------------------


def claim_source(shops, *, carrier_id=None, start=None, end=None, paid_only=False, limit=None) -> list[ClaimLine]:
    """The claims of `shops` (of one carrier; settled in [start, end); paid only) as fulfilment shows them."""
    qs = CarrierClaim.objects.filter(shop__in=shops).select_related("case", "shop")
    if carrier_id is not None:
        qs = qs.filter(carrier_id=carrier_id)
    if paid_only:
        qs = qs.filter(state=CS.PAID)
    if start is not None:
        qs = qs.filter(settled_at__gte=start)
    if end is not None:
        qs = qs.filter(settled_at__lt=end)
    qs = qs.order_by("-filed_on", "-pk")
    if limit:
        qs = qs[:limit]
    return [
        ClaimLine(carrier_id=c.carrier_id, shop=c.shop.name, reference=c.case.number,
                  url=reverse("aftersales:detail", args=[c.case_id]), waybill_no=c.waybill_no,
                  reason=CLAIM_REASON_NAMES.get(c.reason, c.reason), state=c.state, state_label=claim_label(c.state),
                  claimed_fen=c.claimed_fen, paid_fen=c.paid_fen, filed_on=c.filed_on, settled_at=c.settled_at,
                  perm="aftersales.view_every_case")
        for c in qs
    ]  # fmt: skip
