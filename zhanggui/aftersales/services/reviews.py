"""Handling reviews (AS-7): the 中差评 queue's moves, owner, reason category, the seller's reply and the reply
templates. Every change is on the review's timeline with the 工号 (core.events), and versioned (core.states).

    待联系 to_contact → 已联系 contacted → 已改评 changed / 无法改评 unchangeable   (待联系 may close directly)

A 好评 needs no handling (state ""). The imports (services/review_imports.py) move a review themselves when the buyer
changes the rating: 中差评 → 好评 closes it as 已改评; 好评 → 中差评 opens it as 待联系.

- `move(actor, review, to, *, version, note)`, `reply(actor, review, text, *, version, then=None)`,
  `set_reason(...)`, `assign(actor, ids, owner, *, shops)`;
- `render(template_text, review)`: the variables {买家} {商品} {订单号} {店铺} filled (plain replacement, nothing
  else is interpreted); `save_template(...)`, `retire_template(...)` for the manager.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from zhanggui.core import clock
from zhanggui.core.events import record_event, register_event_kinds
from zhanggui.core.states import Machine

from ..models import REVIEW_OPEN_STATES, ReplyTemplate, Review
from .errors import CaseInputError

State = Review.State
Rating = Review.Rating
CHANGE = "aftersales.change_review"
ASSIGN_MAX = 500
REPLY_MAX = 500  # what the platforms accept for an explanation (Taobao 解释: 500 字)
NOTE_MAX = 500

STATE_NAMES = {State.NONE: "无需处理", State.TO_CONTACT: "待联系", State.CONTACTED: "已联系",
               State.CHANGED: "已改评", State.UNCHANGEABLE: "无法改评"}  # fmt: skip
RATING_NAMES = {Rating.GOOD: "好评", Rating.NEUTRAL: "中评", Rating.BAD: "差评"}
REASON_NAMES = {"": "未分类", "quality": "质量问题", "not_as_described": "与描述不符", "size": "尺码/不合适",
                "logistics": "物流快递", "service": "服务态度", "price": "价格", "other": "其他"}  # fmt: skip
VARIABLES = ("{买家}", "{商品}", "{订单号}", "{店铺}")

TRANSITIONS = {
    State.TO_CONTACT: {State.CONTACTED, State.CHANGED, State.UNCHANGEABLE},
    State.CONTACTED: {State.CHANGED, State.UNCHANGEABLE},
}
MACHINE = Machine(Review, TRANSITIONS, name="评价 {platform_review_id}", event_kind="review_state", names=STATE_NAMES)

register_event_kinds(
    {
        "review_imported": "导入评价",
        "review_state": "中差评状态",
        "review_rating": "买家改评",
        "review_reply": "回复评价",
        "review_assigned": "分配中差评",
        "review_reason": "中差评原因",
    }
)


def state_label(state: str) -> str:
    return STATE_NAMES.get(state, str(state or ""))


def rating_label(rating: str) -> str:
    return RATING_NAMES.get(rating, str(rating or ""))


def reason_label(reason: str) -> str:
    return REASON_NAMES.get(reason, str(reason or ""))


def allowed_moves(review: Review) -> list[str]:
    table = TRANSITIONS.get(review.state, set())
    return [s for s in State.values if s in table]


def state_for(rating: str) -> str:
    """The state a review starts in: 中差评 are to contact, 好评 need nothing (AS-7)."""
    return State.NONE if rating == Rating.GOOD else State.TO_CONTACT


def handled_shops(staff) -> set[int] | None:
    """Shops whose reviews `staff` may handle (None: every shop)."""
    if staff is None or not getattr(staff, "is_active", False) or not staff.has_perm(CHANGE):
        return set()
    if staff.is_superuser or staff.all_shops:
        return None
    return set(staff.shops.values_list("pk", flat=True))


def _note(note) -> str:
    note = str(note or "").strip()
    if len(note) > NOTE_MAX:
        raise CaseInputError("too_long", f"备注最多 {NOTE_MAX} 个字", "note")
    return note


def _take(actor, review: Review) -> list[str]:
    """An unassigned review becomes the review of whoever works on it first (if they handle its shop)."""
    shops = handled_shops(actor)
    if review.owner_id is None and (shops is None or review.shop_id in shops):
        review.owner = actor
        return ["owner"]
    return []


def move(actor, review: Review, to: str, *, version=None, note: str = "") -> Review:
    """AS-7: 待联系 → 已联系 → 已改评 / 无法改评 (timeline with the 工号); 无法改评 needs a note saying why."""
    if to not in State.values or not to:
        raise CaseInputError("bad_state", f"未知的评价处理状态：{to}", "to")
    note = _note(note)
    if to == State.UNCHANGEABLE and not note:
        raise CaseInputError("note_required", "无法改评请写明原因", "note")
    with transaction.atomic():
        current = MACHINE.lock(review, version)
        fields = _take(actor, current)
        if to not in REVIEW_OPEN_STATES:
            current.closed_at = clock.now()
            fields.append("closed_at")
        MACHINE.move_locked(current, to, actor, note, fields)
    return current


def reply(actor, review: Review, text: str, *, version=None, then: str = "", note: str = "") -> Review:
    """AS-7: record the seller's reply (as sent on the platform); `then` optionally moves the review in the same
    step (e.g. close it as 已改评 after replying with a template)."""
    text = str(text or "").strip()
    if not text:
        raise CaseInputError("reply_required", "请填写回复内容", "reply")
    if len(text) > REPLY_MAX:
        raise CaseInputError("too_long", f"回复最多 {REPLY_MAX} 个字", "reply")
    if then and then not in State.values:
        raise CaseInputError("bad_state", f"未知的评价处理状态：{then}", "then")
    with transaction.atomic():
        current = MACHINE.lock(review, version)
        before = current.reply_text
        current.reply_text, current.replied_at = text, clock.now()
        MACHINE.save(current, ["reply_text", "replied_at", *_take(actor, current)])
        record_event(actor, current, "review_reply", from_state=before[:100], to_state="", note=text)
        if then:
            if then == State.UNCHANGEABLE and not _note(note):
                raise CaseInputError("note_required", "无法改评请写明原因", "note")
            if then not in REVIEW_OPEN_STATES:
                current.closed_at = clock.now()
            MACHINE.move_locked(current, then, actor, _note(note), ["closed_at"] if current.closed_at else [])
    return current


def set_reason(actor, review: Review, reason: str, *, version=None) -> Review:
    if reason not in Review.Reason.values:
        raise CaseInputError("bad_reason", "请从列表里选择中差评原因", "reason")
    with transaction.atomic():
        current = MACHINE.lock(review, version)
        if current.reason == reason:
            return current
        before = current.reason
        current.reason = reason
        MACHINE.save(current, ["reason"])
        record_event(actor, current, "review_reason", from_state=reason_label(before), to_state=reason_label(reason))
    return current


def assign(actor, review_ids, owner, *, shops) -> int:
    """AS-7: the open 中差评 among `review_ids` (within `shops`) now belong to `owner` (work.assign_open, as cases)."""
    from .work import assign_open

    return assign_open(actor, Review, review_ids, owner, shops=shops, open_states=REVIEW_OPEN_STATES,
                       event_kind="review_assigned", noun="评价", field="reviews")  # fmt: skip


# ---- reply templates ------------------------------------------------------------------------------------------


def render(text: str, review: Review) -> str:
    """A template's text with {买家} {商品} {订单号} {店铺} filled from the review (plain replacement)."""
    values = {
        "{买家}": review.buyer_nick or "亲",
        "{商品}": review.item_title or "宝贝",
        "{订单号}": review.platform_order_no or "",
        "{店铺}": review.shop.name if review.shop_id else "",
    }
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def save_template(actor, *, name: str, text: str, template: ReplyTemplate | None = None) -> ReplyTemplate:
    """The manager writes or edits a reply template (name unique, text ≤ REPLY_MAX)."""
    name, text = str(name or "").strip(), str(text or "").strip()
    if not name or len(name) > 40:
        raise CaseInputError("bad_name", "模板名称必填，最多 40 个字", "name")
    if not text:
        raise CaseInputError("text_required", "请填写模板内容", "text")
    if len(text) > REPLY_MAX:
        raise CaseInputError("too_long", f"模板内容最多 {REPLY_MAX} 个字", "text")
    target = template or ReplyTemplate()
    target.name, target.text, target.is_active = name, text, True
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:
        raise CaseInputError("duplicate_name", f"已有名为“{name}”的模板", "name") from None
    record_event(actor, target, "reply_template", to_state=name, note=text[:200])
    return target


def retire_template(actor, template: ReplyTemplate) -> None:
    template.is_active = False
    template.save(update_fields=["is_active", "updated_at"])
    record_event(actor, template, "reply_template", to_state="停用", note=template.name)


register_event_kinds({"reply_template": "回复模板"})
