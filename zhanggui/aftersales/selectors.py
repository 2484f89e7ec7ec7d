"""After-sales reads for pages, the API and the workbench (AS-2, AS-6). No writes here (those are services/).

- Who sees what: cases of the shops in scope; a role without aftersales.view_every_case (库管) sees the returns
  and exchanges only (`visible_kinds`). Closed cases stay listed (已完结): nothing is hidden.
- The queue: tabs by state group (待处理 / 等买家 / 等退货 / 逾期 / 已升级 / 已完结 / 全部) with counts from ONE
  aggregate under the same filters (type, owner, state, age, search), ordered so the most urgent comes first.
- `overdue_count(shops)` and `escalated_count(shops)`: the figures the workbench's home page shows (AS-6).
- `case_references`: "case:<pk>" references (e.g. a stock return, INV-5) named by their case number, linked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q
from django.urls import reverse

from zhanggui.core import clock, paging
from zhanggui.core.access import allowed_shops
from zhanggui.orders.models import Order

from .models import CLOSED_STATES, OPEN_STATES, Case, CaseLine

State = Case.State
Kind = Case.Kind

RETURN_KINDS = (Kind.RETURN_REFUND, Kind.EXCHANGE)  # what the warehouse sees (goods come back)
EVERY_CASE = "aftersales.view_every_case"
HANDLE = "aftersales.change_case"
# The 待处理 group: the seller must act (new, goods back, refund or resend to do, carrier claim).
PENDING = (State.NEW, State.RECEIVED, State.REFUNDING, State.RESENDING, State.CLAIMING)
TABS = ("pending", "waiting_buyer", "waiting_return", "overdue", "escalated", "closed", "all")
# TEAM-2: the duty (role, title in team/data/roles.json) that answers for each queue; its owners open that tab.
QUEUE_DUTIES = {
    "pending": ("cs", "售后退换货处理"),
    "waiting_buyer": ("cs", "售后退换货处理"),
    "overdue": ("cs", "售后退换货处理"),
    "escalated": ("manager", "客户投诉与纠纷处理"),  # AS-6: services/work.ESCALATION_DUTY
    "waiting_return": ("warehouse", "退货验收"),  # INV-5: the returns the warehouse waits for
}
AGES = (1, 3, 7, 15)  # "opened at least N days ago" filter choices
PAGE_SIZES = paging.SIZES


def visible_kinds(user) -> tuple[str, ...] | None:
    """The case types `user` may see: every type (None) with aftersales.view_every_case, else returns/exchanges."""
    return None if user.has_perm(EVERY_CASE) else RETURN_KINDS


def cases_for(user, shops=None):
    """The cases `user` may see, within `shops` (default: every shop they may work on)."""
    qs = Case.objects.filter(shop__in=allowed_shops(user) if shops is None else shops)
    kinds = visible_kinds(user)
    return qs if kinds is None else qs.filter(kind__in=kinds)


def tab_filter(tab: str, now=None) -> Q:
    now = now or clock.now()
    return {
        "pending": Q(state__in=PENDING),
        "waiting_buyer": Q(state=State.WAITING_BUYER),
        "waiting_return": Q(state=State.WAITING_RETURN),
        "overdue": Q(state__in=OPEN_STATES, follow_up_at__lt=now),
        "escalated": Q(state__in=OPEN_STATES, escalated_at__isnull=False),
        "closed": Q(state__in=CLOSED_STATES),
        "all": Q(),
    }[tab]


@dataclass
class CaseFilters:
    """List filters from the query string (all in the URL, so a view can be bookmarked and shared)."""

    tab: str = "pending"
    kind: str = ""
    state: str = ""
    owner: str = ""  # "" everyone, "me", "none" (unassigned) or a staff id
    age: int = 0  # opened at least this many days ago
    q: str = ""  # case number, order number or platform refund id
    size: int = PAGE_SIZES[0]

    @classmethod
    def from_params(cls, params) -> CaseFilters:
        def pick(value, allowed, default=""):
            value = str(value or "").strip()
            return value if value in allowed else default

        age = str(params.get("age") or "")
        size = str(params.get("size") or "")
        owner = str(params.get("owner") or "").strip()
        return cls(
            tab=pick(params.get("tab"), TABS, "pending"),
            kind=pick(params.get("kind"), Kind.values),
            state=pick(params.get("state"), State.values),
            owner=owner if owner in ("me", "none") or (owner.isdigit() and len(owner) < 10) else "",
            age=int(age) if age.isdigit() and int(age) in AGES else 0,
            q=str(params.get("q") or "").replace("\x00", "").strip()[:64],
            size=int(size) if size.isdigit() and int(size) in PAGE_SIZES else PAGE_SIZES[0],
        )

    @property
    def filtered(self) -> bool:
        return bool(self.kind or self.state or self.owner or self.age or self.q)

    def as_params(self) -> dict:
        params = {
            "kind": self.kind,
            "state": self.state,
            "owner": self.owner,
            "age": self.age or "",
            "q": self.q,
            "size": self.size if self.size != PAGE_SIZES[0] else "",
        }
        return {k: v for k, v in params.items() if v}

    def apply(self, qs, user, now=None):
        """`qs` narrowed by everything but the tab."""
        now = now or clock.now()
        if self.kind:
            qs = qs.filter(kind=self.kind)
        if self.state:
            qs = qs.filter(state=self.state)
        if self.owner == "me":
            qs = qs.filter(owner=user)
        elif self.owner == "none":
            qs = qs.filter(owner__isnull=True)
        elif self.owner:
            qs = qs.filter(owner_id=int(self.owner))
        if self.age:
            qs = qs.filter(created_at__lte=now - dt.timedelta(days=self.age))
        if self.q:
            # The orders first (their number index), then the cases by index: an OR across the join would read
            # every case in scope (bench aftersales_case_queue). Case numbers are upper case (SH2611230001).
            orders = list(Order.objects.filter(platform_order_no__startswith=self.q).values_list("pk", flat=True)[:500])
            qs = qs.filter(Q(number__startswith=self.q.upper()) | Q(order_id__in=orders) | Q(platform_refund_id=self.q))
        return qs


def tab_counts(qs, now=None) -> dict[str, int]:
    """{tab: count} of `qs` (already filtered): the open tabs in one aggregate over the open cases only (a few
    thousand, through the shop/state index), the closed ones counted apart (an index-only count at 200,000 cases,
    bench aftersales_case_queue); 全部 is their sum."""
    now = now or clock.now()
    open_tabs = [t for t in TABS if t not in ("closed", "all")]
    counts = qs.filter(state__in=OPEN_STATES).aggregate(
        **{tab: Count("pk", filter=tab_filter(tab, now)) for tab in open_tabs}, open=Count("pk")
    )
    counts["closed"] = qs.filter(state__in=CLOSED_STATES).count()
    counts["all"] = counts.pop("open") + counts["closed"]
    return counts


def ordered(qs, tab: str):
    """The most urgent first: open tabs by follow-up time (overdue on top), 已完结 newest closed first."""
    if tab == "closed":
        return qs.order_by("-closed_at", "-pk")
    if tab == "all":
        return qs.order_by("-created_at", "-pk")
    return qs.order_by("follow_up_at", "pk")


def queue(qs, filters: CaseFilters, now=None):
    """The rows of the queue's current tab, with what a row shows loaded."""
    lines = Prefetch("lines", queryset=CaseLine.objects.select_related("order_line").order_by("pk"))
    rows = qs.filter(tab_filter(filters.tab, now)).select_related("order", "shop__platform", "owner", "reason")
    return ordered(rows.prefetch_related(lines), filters.tab)


def overdue_count(shops, kinds=None) -> int:
    """AS-6: open cases of `shops` whose follow-up time has passed (the workbench's 售后逾期 figure)."""
    qs = Case.objects.filter(shop__in=shops).filter(tab_filter("overdue"))
    return (qs.filter(kind__in=kinds) if kinds else qs).count()


def escalated_count(shops, kinds=None) -> int:
    """AS-6: open cases of `shops` escalated to the manager."""
    qs = Case.objects.filter(shop__in=shops).filter(tab_filter("escalated"))
    return (qs.filter(kind__in=kinds) if kinds else qs).count()


def age_text(since, now=None) -> str:
    """How long ago: 5小时 under a day, else 3天."""
    if not since:
        return ""
    seconds = max(((now or clock.now()) - since).total_seconds(), 0)
    if seconds < 86400:
        return f"{max(int(seconds // 3600), 0)}小时" if seconds >= 3600 else f"{max(int(seconds // 60), 1)}分钟"
    return f"{int(seconds // 86400)}天"


def lines_text(case: Case) -> str:
    """What the case is about, in one line: 碎花连衣裙 黑色 M ×1 等 3 件."""
    lines = list(case.lines.all())
    if not lines:
        return ""
    first = lines[0].order_line
    props = f" {first.properties}" if first.properties else ""
    text = f"{first.title or first.outer_code}{props} ×{lines[0].quantity}"
    pieces = sum(ln.quantity for ln in lines)
    return text + (f" 等 {pieces} 件" if len(lines) > 1 else "")


def handlers(shops):
    """Active staff who may own cases of all of `shops` (the assign list and the owner filter)."""
    Staff = get_user_model()
    may = Q(groups__permissions__codename="change_case", groups__permissions__content_type__app_label="aftersales")
    qs = Staff.objects.filter(is_active=True).filter(may | Q(is_superuser=True))
    shop_ids = {s.pk for s in shops}
    if shop_ids:  # working for every one of them: one grouped subquery (a join per shop multiplied the rows)
        covering = (
            Staff.shops.through.objects.filter(shop_id__in=shop_ids)
            .values("staff_id")
            .annotate(n=Count("shop_id", distinct=True))
            .filter(n=len(shop_ids))
            .values("staff_id")
        )
        qs = qs.filter(Q(all_shops=True) | Q(is_superuser=True) | Q(pk__in=covering))
    return qs.distinct().order_by("number")


def case_references(user, keys: list[str]) -> dict[str, tuple[str, str]]:
    """INV-2: {"<pk>": (case number, its page)} for the cases of `keys` the user may see."""
    ids = [int(k) for k in keys if str(k).isdigit()]
    found = cases_for(user).filter(pk__in=ids).values_list("pk", "number")
    return {str(pk): (number, reverse("aftersales:detail", args=[pk])) for pk, number in found}


def cases_of_order(user, order_id):
    """INV-5, AS-2: the cases `user` may see of an order, or whose new order (exchange, resend) it is."""
    qs = cases_for(user).filter(Q(order_id=order_id) | Q(replacement_order_id=order_id))
    return qs.select_related("order").order_by("-pk")


# ---- one case -------------------------------------------------------------------------------------------------


def load_case(user, case_id):
    """One case the user may see (its shop in their scope, its type visible to their role), else 404."""
    from django.http import Http404

    found = (
        cases_for(user)
        .select_related("order__shop__platform", "shop__platform", "owner", "reason", "policy", "created_by")
        .filter(pk=case_id if str(case_id).isdigit() else None)
        .first()
    )
    if found is None:
        raise Http404
    return found


def receiver_of(order, user) -> dict:
    """TEAM-5: the order's receiver as `user` may see it (masked without crm.view_buyer_pii)."""
    from zhanggui.core.privacy import can_see_pii, mask_receiver

    if can_see_pii(user):
        address = "".join(p for p in (order.province, order.city, order.district, order.street, order.address_detail))
        return {"name": order.receiver_name, "phone": order.receiver_phone, "address": address or order.address_raw}
    masked = mask_receiver(
        order.receiver_name, order.receiver_phone, region=(order.province, order.city, order.district)
    )
    return {"name": masked.name, "phone": masked.phone, "address": masked.address}


def case_lines(case: Case) -> list[dict]:
    """The case's lines with the ordered quantity and the paid share of the pieces taken (AS-5)."""
    from .services.refunds import line_paid

    lines = list(case.lines.select_related("order_line__sku").order_by("pk"))
    paid = line_paid(case.order, case.order.lines.all())
    rows = []
    for ln in lines:
        ol = ln.order_line
        rows.append(
            {
                "line_no": ol.line_no,
                "code": ol.sku.code if ol.sku_id else ol.outer_code,
                "title": ol.title,
                "properties": ol.properties,
                "ordered": ol.quantity,
                "quantity": ln.quantity,
                "paid_fen": paid.get(ol.pk, 0) * ln.quantity // ol.quantity if ol.quantity else 0,
            }
        )
    return rows


def order_summary(order) -> dict:
    """The order's facts the case page shows beside the case (dates of payment, shipping and signing)."""
    from .services.policy import received_at

    since, event = received_at(order)
    return {
        "order": order,
        "paid_at": order.paid_at,
        "shipped_at": order.shipped_at,
        "received_at": since,
        "received_event": event,
    }


def return_facts(case: Case, can_change: bool) -> dict:
    """INV-5: what the case page shows of the return — the buyer's return waybill (editable until received), what
    the warehouse found per line, and the new order of an exchange or resend."""
    from .models import ReturnLine

    returns = case.kind in RETURN_KINDS
    rows = list(ReturnLine.objects.filter(case=case).select_related("case_line__order_line", "exchange_sku"))
    return {
        "return_card": returns or case.replacement_order_id is not None,
        "return_rows": rows,
        "waybill_form": can_change
        and returns
        and case.returned_at is None
        and case.state in (State.NEW, State.WAITING_BUYER, State.WAITING_RETURN),
        "replacement": case.replacement_order if case.replacement_order_id else None,
    }
