"""Working a case without moving it (AS-2, AS-6): owners, follow-up, notes, the policy's conditions, escalation.

- `assign(actor, case_ids, owner, *, shops)`: hand open cases to a 工号 — set-based (one UPDATE and one INSERT of
  timeline rows for any number), within `shops` (the caller's scope); refused as a whole when the owner may not
  handle one of the cases' shops.
- `set_follow_up(actor, case, when, *, version, note)`: the next follow-up time (future, ≤ 90 days).
- `add_note(actor, case, text)`: a line on the case's timeline (additive: no version check).
- `record_conditions(actor, case, unmet, *, version)`: which clauses of the case's policy the goods do NOT meet
  (AS-1): policy.check shows them in red.
- Escalation (AS-6): a case whose follow-up time has passed is overdue; `escalate_overdue()` (every few minutes,
  CELERY_BEAT_SCHEDULE) escalates every overdue open case to the manager — stamped, on the timeline, and a task for
  the owner of the manager's duty 客户投诉与纠纷处理 on the duty chart (TEAM-2). `escalate(actor, case, note)` does
  it by hand. Only the manager (aftersales.handle_escalation) takes an escalation back (`take_back`), with a new
  follow-up time. Closed cases leave the queues but stay listed (已完结): nothing is hidden.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.urls import reverse

from zhanggui.core import clock
from zhanggui.core.events import record_event, record_events, register_event_kinds
from zhanggui.team.tasks_service import assign_to_duty

from ..models import OPEN_STATES, Case
from .cases import NOTE_MAX, check_follow_up, handled_shops, kind_label, machine
from .errors import CaseInputError

ESCALATION_DUTY = ("manager", "客户投诉与纠纷处理")  # TEAM-2: the duty answering for the 已升级 queue
ASSIGN_MAX = 500

register_event_kinds(
    {
        "case_assigned": "分配售后",
        "case_follow_up": "跟进时间",
        "case_note": "售后备注",
        "case_conditions": "验货条件",
        "case_escalated": "升级店长",
        "case_taken_back": "解除升级",
    }
)


def _who(staff) -> str:
    return f"{staff.number} {staff.name}" if staff else "未分配"


def assign_open(actor, model, ids, owner, *, shops, open_states, event_kind: str, noun: str, field: str) -> int:
    """AS-6, AS-7: batch assign — the open rows of `model` (cases, 中差评) among `ids` within `shops` now belong to
    `owner`: one UPDATE and one INSERT of timeline rows for any number; refused as a whole when the owner does not
    handle one of their shops. Returns how many changed."""
    ids = {int(pk) for pk in ids if str(pk).strip().isdigit()}
    if not ids:
        raise CaseInputError("no_rows", f"请先勾选要分配的{noun}", field)
    if len(ids) > ASSIGN_MAX:
        raise CaseInputError("too_many", f"一次最多分配 {ASSIGN_MAX} 个{noun}", field)
    if owner is None:
        raise CaseInputError("bad_owner", "请选择接手的工号", "owner")
    with transaction.atomic():
        rows = list(
            model.objects.select_for_update(of=("self",))
            .select_related("shop", "owner")
            .filter(pk__in=ids, shop__in=shops, state__in=open_states)
            .order_by("pk")
        )
        covered = handled_shops(owner)
        refused = sorted({r.shop.name for r in rows if covered is not None and r.shop_id not in covered})
        if refused:
            raise CaseInputError("bad_owner", f"{owner.number} 不负责店铺“{'、'.join(refused)}”的{noun}", "owner")
        moving = [r for r in rows if r.owner_id != owner.pk]
        if not moving:
            return 0
        model.objects.filter(pk__in=[r.pk for r in moving]).update(
            owner=owner, version=F("version") + 1, updated_at=clock.now()
        )
        record_events(actor, [(r, event_kind, _who(r.owner), _who(owner), "") for r in moving])
    return len(moving)


def assign(actor, case_ids, owner, *, shops) -> int:
    """AS-6: hand open cases to a 工号 (assign_open)."""
    return assign_open(actor, Case, case_ids, owner, shops=shops, open_states=OPEN_STATES,
                       event_kind="case_assigned", noun="售后单", field="cases")  # fmt: skip


def set_follow_up(actor, case: Case, when, *, version=None, note: str = "") -> Case:
    """AS-6: the case's next follow-up time (in the future)."""
    when = check_follow_up(when)
    m = machine(case)
    with transaction.atomic():
        current = m.lock(case, version)
        m.require(current, OPEN_STATES, "修改跟进时间")
        before = current.follow_up_at
        current.follow_up_at = when
        m.save(current, ["follow_up_at"])
        record_event(
            actor,
            current,
            "case_follow_up",
            from_state=clock.local(before).strftime("%m-%d %H:%M") if before else "",
            to_state=clock.local(when).strftime("%m-%d %H:%M"),
            note=str(note or "").strip()[:NOTE_MAX],
        )
    return current


def add_note(actor, case: Case, text: str):
    """AS-6: a note on the case's log (who, when, what)."""
    text = str(text or "").strip()
    if not text:
        raise CaseInputError("note_required", "请填写备注内容", "note")
    if len(text) > NOTE_MAX:
        raise CaseInputError("too_long", f"备注最多 {NOTE_MAX} 个字", "note")
    return record_event(actor, case, "case_note", note=text)


def record_conditions(actor, case: Case, unmet, *, version=None) -> Case:
    """AS-1: the clauses of the case's policy version that the goods do not meet (names; [] = all met)."""
    m = machine(case)
    with transaction.atomic():
        current = m.lock(case, version)
        m.require(current, OPEN_STATES, "修改验货结果")
        known = [c["name"] for c in (current.policy.clauses if current.policy else [])]
        unmet = list(dict.fromkeys(str(u).strip() for u in unmet or () if str(u).strip()))
        stray = [u for u in unmet if u not in known]
        if stray:
            raise CaseInputError("bad_clause", f"售后政策里没有条件“{stray[0]}”", "unmet")
        unmet = [name for name in known if name in unmet]  # the policy's order
        if unmet == list(current.unmet_clauses or []):
            return current
        before = "、".join(current.unmet_clauses or []) or "全部符合"
        current.unmet_clauses = unmet
        m.save(current, ["unmet_clauses"])
        after = "不符合：" + "、".join(unmet) if unmet else "全部符合"
        record_event(actor, current, "case_conditions", from_state=before, to_state=after)
    return current


# ---- escalation (AS-6) ----------------------------------------------------------------------------------------


def _tasks(cases, why: str) -> None:
    role, duty = ESCALATION_DUTY
    items = [
        {
            "title": f"售后单 {c.number} {why}",
            "detail": f"{kind_label(c.kind)}，订单 {c.order.platform_order_no}，负责人 {_who(c.owner)}",
            "url": reverse("aftersales:detail", args=[c.pk]),
            "source": f"aftersales-escalation:{c.pk}:{c.version}",
            "shop_id": c.shop_id,
        }
        for c in cases
    ]
    assign_to_duty(None, role, duty, items, rule="AS-6")


def escalate_overdue(now=None) -> int:
    """AS-6: every open case whose follow-up time has passed and that is not escalated yet goes to the manager
    (one UPDATE, one INSERT of timeline rows, the duty owner's tasks); idempotent. Returns how many."""
    now = now or clock.now()
    with transaction.atomic():
        due = list(
            Case.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("order", "owner")
            .filter(state__in=OPEN_STATES, escalated_at__isnull=True, follow_up_at__lt=now)
            .order_by("pk")
        )
        if not due:
            return 0
        Case.objects.filter(pk__in=[c.pk for c in due]).update(escalated_at=now, version=F("version") + 1)
        for c in due:
            c.version += 1
        rows = [
            (
                c,
                "case_escalated",
                "",
                "已升级店长",
                f"逾期未跟进（应在 {clock.local(c.follow_up_at):%m-%d %H:%M} 前跟进）",
            )
            for c in due
        ]
        record_events(None, rows)
        _tasks(due, "逾期未跟进，已升级")
    return len(due)


def escalate(actor, case: Case, note: str, *, version=None) -> Case:
    """AS-6: hand an abnormal case to the manager now (a note saying why is required)."""
    note = str(note or "").strip()
    if not note:
        raise CaseInputError("note_required", "升级给店长请写明原因", "note")
    m = machine(case)
    with transaction.atomic():
        current = m.lock(case, version)
        m.require(current, OPEN_STATES, "升级")
        if current.escalated_at is not None:
            raise CaseInputError("already_escalated", f"售后单 {current.number} 已升级给店长", "state")
        current.escalated_at = clock.now()
        m.save(current, ["escalated_at"])
        record_event(actor, current, "case_escalated", to_state="已升级店长", note=note[:NOTE_MAX])
        _tasks([Case.objects.select_related("order", "owner").get(pk=current.pk)], f"升级：{note[:40]}")
    return current


def take_back(actor, case: Case, when, note: str = "", *, version=None) -> Case:
    """AS-6: the manager takes an escalation back, with the next follow-up time (so it is not overdue again)."""
    when = check_follow_up(when)
    m = machine(case)
    with transaction.atomic():
        current = m.lock(case, version)
        if current.escalated_at is None:
            raise CaseInputError("not_escalated", f"售后单 {current.number} 没有升级", "state")
        current.escalated_at = None
        current.follow_up_at = when
        m.save(current, ["escalated_at", "follow_up_at"])
        record_event(
            actor,
            current,
            "case_taken_back",
            from_state="已升级店长",
            to_state=f"下次跟进 {clock.local(when):%m-%d %H:%M}",
            note=str(note or "").strip()[:NOTE_MAX],
        )
    return current
