"""Reviews API (AS-7) under /api/v1/aftersales/reviews: list (tabs and filters as the 中差评 queue), one review (the
order's receiver masked per role, TEAM-5), move, reply — the same services, permissions and shop scope as the
pages. Bad input 422 in Chinese; an illegal move 409; a change based on an older `version` 400 stale_version."""

import datetime as dt
from typing import Literal

from ninja import Router, Schema
from pydantic import Field

from zhanggui.core.access import allowed_shops
from zhanggui.core.apitools import api_route
from zhanggui.core.events import present_event, timeline_for

from .. import review_selectors as rs
from .. import selectors
from ..models import Review
from ..services import reviews as svc

router = Router(tags=["aftersales"])
VIEW, CHANGE = "aftersales.view_review", "aftersales.change_review"
TabName = Literal["to_contact", "contacted", "changed", "unchangeable", "bad", "all"]
RatingName = Literal["good", "neutral", "bad"]


class ReviewOut(Schema):
    id: int
    shop_id: int
    shop: str
    platform_review_id: str
    order_no: str
    order_id: int | None
    product_id: int | None
    item_title: str
    rating: str
    rating_label: str
    first_rating: str
    text: str
    buyer_nick: str
    reviewed_at: dt.datetime
    reply_text: str
    replied_at: dt.datetime | None
    owner_number: str | None
    reason: str
    state: str
    state_label: str
    version: int


class ReceiverOut(Schema):
    name: str
    phone: str
    address: str


class EventOut(Schema):
    at: dt.datetime
    actor_number: str
    kind_label: str
    from_state: str
    to_state: str
    note: str


class ReviewDetailOut(ReviewOut):
    receiver: ReceiverOut | None
    next_states: list[str]
    templates: list[dict]
    timeline: list[EventOut]


class ReviewPage(Schema):
    count: int
    tabs: dict[str, int]
    items: list[ReviewOut]


class MoveIn(Schema):
    to: str = Field(default="", max_length=20)
    version: int | None = None
    note: str = Field(default="", max_length=500)


class ReplyIn(Schema):
    reply: str = Field(default="", max_length=500)  # checked by the service after the shop scope
    then: str = Field(default="", max_length=20)
    version: int | None = None
    note: str = Field(default="", max_length=500)


def _out(r: Review) -> dict:
    return {
        "id": r.pk,
        "shop_id": r.shop_id,
        "shop": r.shop.name,
        "platform_review_id": r.platform_review_id,
        "order_no": r.platform_order_no,
        "order_id": r.order_id,
        "product_id": r.product_id,
        "item_title": r.item_title,
        "rating": r.rating,
        "rating_label": svc.rating_label(r.rating),
        "first_rating": r.first_rating,
        "text": r.text,
        "buyer_nick": r.buyer_nick,
        "reviewed_at": r.reviewed_at,
        "reply_text": r.reply_text,
        "replied_at": r.replied_at,
        "owner_number": r.owner.number if r.owner_id else None,
        "reason": r.reason,
        "state": r.state,
        "state_label": svc.state_label(r.state),
        "version": r.version,
    }


def _detail(request, review_id) -> dict:
    from ..models import ReplyTemplate

    r = rs.load_review(request.user, review_id)
    return {
        **_out(r),
        "receiver": selectors.receiver_of(r.order, request.user) if r.order_id else None,
        "next_states": svc.allowed_moves(r),
        "templates": [
            {"name": t.name, "text": svc.render(t.text, r)} for t in ReplyTemplate.objects.filter(is_active=True)
        ],
        "timeline": [present_event(e, request.user) for e in timeline_for(r)[:200]],
    }


@api_route(router.get, "/aftersales/reviews", perm=VIEW, response=ReviewPage)
def list_reviews(
    request,
    tab: TabName = "bad",
    rating: RatingName | None = None,
    owner: str = "",
    product_id: int | None = None,
    shop_id: int | None = None,
    q: str = "",
    limit: int = 100,
    offset: int = 0,
):
    """AS-7: the reviews of the caller's shops; `tabs` counts each state under the same filters."""
    shops = allowed_shops(request.user)
    if shop_id is not None:
        shops = shops.filter(pk=shop_id)
    params = {"tab": tab, "rating": rating or "", "owner": owner, "product": product_id or "", "q": q}
    filters = rs.ReviewFilters.from_params(params)
    base = filters.apply(rs.reviews_for(request.user, shops), request.user)
    counts = rs.tab_counts(base)
    offset = max(offset, 0)
    rows = list(rs.queue(base, filters.tab)[offset : offset + max(1, min(limit, 500))])
    return {"count": counts[filters.tab], "tabs": counts, "items": [_out(r) for r in rows]}


@api_route(router.get, "/aftersales/reviews/{review_id}", perm=VIEW, response=ReviewDetailOut)
def get_review(request, review_id: int):
    """AS-7: one review with its order's receiver (masked per role), the templates filled in and the timeline."""
    return _detail(request, review_id)


@api_route(router.post, "/aftersales/reviews/{review_id}/moves", perm=CHANGE, response=ReviewDetailOut)
def move_review(request, review_id: int, payload: MoveIn):
    """AS-7: 待联系 → 已联系 → 已改评 / 无法改评 (a note needed for 无法改评)."""
    review = rs.load_review(request.user, review_id)
    svc.move(request.user, review, payload.to, version=payload.version, note=payload.note)
    return _detail(request, review.pk)


@api_route(router.post, "/aftersales/reviews/{review_id}/reply", perm=CHANGE, response=ReviewDetailOut)
def reply_review(request, review_id: int, payload: ReplyIn):
    """AS-7: record the seller's reply; `then` optionally closes the review in the same step."""
    review = rs.load_review(request.user, review_id)
    svc.reply(request.user, review, payload.reply, version=payload.version, then=payload.then, note=payload.note)
    return _detail(request, review.pk)
