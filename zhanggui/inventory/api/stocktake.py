"""Stocktake API (盘点, INV-6): the same services as the pages — list, one stocktake with its lines, counts from a
scanner or a spreadsheet, approval (manager only; the service checks it too). Stock is company-level."""

import datetime as dt
from typing import Literal

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from zhanggui.core.apitools import api_route, sku_fields
from zhanggui.core.bounds import Quantity

from ..models import Stocktake
from ..services import stocktake as services

router = Router(tags=["stocktake"])
State = Stocktake.State


class StocktakeOut(Schema):
    id: int
    number: str
    state: str
    state_label: str
    warehouse_id: int
    warehouse: str
    scope: str
    window_start: dt.date
    window_end: dt.date
    note: str
    counted_lines: int
    total_lines: int
    created_by: str
    created_at: dt.datetime
    approved_by: str
    approved_at: dt.datetime | None


class StocktakePage(Schema):
    count: int
    tabs: dict[str, int]
    items: list[StocktakeOut]


class LineOut(Schema):
    id: int
    sku_id: int
    sku_code: str
    product_name: str
    colour: str
    size: str
    bin: str | None
    counted_qty: int | None
    book_qty: int | None  # on hand in the ledger when the line was counted (INV-6)
    ledger_mark: int | None  # the last ledger entry id then
    difference: int | None
    cost_fen: int
    difference_fen: int | None
    counted_by: str
    counted_at: dt.datetime | None
    note: str


class TotalsOut(Schema):
    lines: int
    counted: int
    diff_lines: int
    gain_units: int
    gain_fen: int
    loss_units: int
    loss_fen: int
    net_units: int
    net_fen: int


class StocktakeDetail(StocktakeOut):
    totals: TotalsOut
    lines: list[LineOut]


class CountEntry(Schema):
    sku: str  # merchant code or barcode
    qty: Quantity
    seen: Quantity | None = None  # the counted figure the caller saw before; a change meanwhile refuses the save


class CountsIn(Schema):
    entries: list[CountEntry]
    mode: Literal["set", "add"] = "set"


class ApproveIn(Schema):
    note: str = ""


def _who(user) -> str:
    return str(user) if user else ""  # 工号 and name


def _out(st: Stocktake, counted: int, total: int) -> dict:
    return {
        "id": st.pk,
        "number": st.number,
        "state": st.state,
        "state_label": services.STATE_WORDS[st.state],
        "warehouse_id": st.warehouse_id,
        "warehouse": st.warehouse.name,
        "scope": st.scope,
        "window_start": st.window_start,
        "window_end": st.window_end,
        "note": st.note,
        "counted_lines": counted,
        "total_lines": total,
        "created_by": _who(st.created_by),
        "created_at": st.created_at,
        "approved_by": _who(st.approved_by),
        "approved_at": st.approved_at,
    }


def _detail(st: Stocktake) -> dict:
    st = Stocktake.objects.select_related("warehouse", "created_by", "approved_by").get(pk=st.pk)
    lines = list(services.sorted_lines(st).select_related("sku__product", "bin", "counted_by"))
    t = services.totals(st)
    return {
        **_out(st, t.counted, t.lines),
        "totals": {**vars(t), "net_units": t.net_units, "net_fen": t.net_fen},
        "lines": [
            {
                "id": ln.pk,
                **sku_fields(ln.sku),
                "bin": ln.bin.code if ln.bin_id else None,
                "counted_qty": ln.counted_qty,
                "book_qty": ln.book_qty,
                "ledger_mark": ln.ledger_mark,
                "difference": ln.difference,
                "cost_fen": ln.sku.cost_fen,
                "difference_fen": None if ln.difference is None else ln.difference * ln.sku.cost_fen,
                "counted_by": ln.counted_by.number if ln.counted_by_id else "",
                "counted_at": ln.counted_at,
                "note": ln.note,
            }
            for ln in lines
        ],
    }


@api_route(router.get, "/stocktakes", perm="inventory.view_stocktake", response=StocktakePage)
def list_stocktakes(
    request,
    state: Literal["all", "planned", "counting", "submitted", "posted", "cancelled"] = "all",
    warehouse_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
):
    """INV-6: stocktakes newest first, with the count per state (`tabs`) and each one's progress."""
    qs = Stocktake.objects.all()
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    tabs = qs.aggregate(all=Count("id"), **{s: Count("id", filter=Q(state=s)) for s in State.values})
    if state != "all":
        qs = qs.filter(state=state)
    qs = (
        qs.select_related("warehouse", "created_by", "approved_by")
        .annotate(total=Count("lines"), counted=Count("lines", filter=Q(lines__counted_qty__isnull=False)))
        .order_by("-created_at", "-pk")
    )
    offset = max(offset, 0)
    rows = qs[offset : offset + max(1, min(limit, 200))]
    return {"count": tabs[state], "tabs": tabs, "items": [_out(st, st.counted, st.total) for st in rows]}


@api_route(router.get, "/stocktakes/{stocktake_id}", perm="inventory.view_stocktake", response=StocktakeDetail)
def get_stocktake(request, stocktake_id: int):
    """INV-6: one stocktake with its lines in count-sheet order: book at count time, counted, difference, value."""
    return _detail(get_object_or_404(Stocktake, pk=stocktake_id))


@api_route(
    router.post, "/stocktakes/{stocktake_id}/counts", perm="inventory.change_stocktake", response=StocktakeDetail
)
def post_counts(request, stocktake_id: int, payload: CountsIn):
    """INV-6: enter counts while counting — mode set (the figure) or add (a scanner: +1 per scan). Each line keeps
    the book figure of this moment. Unknown codes, negative counts and stale `seen` figures refuse the whole call."""
    st = get_object_or_404(Stocktake, pk=stocktake_id)
    entries = [
        (e.sku.strip(), e.qty, e.seen) if "seen" in e.model_fields_set else (e.sku.strip(), e.qty)
        for e in payload.entries
    ]
    services.count(request.user, st, entries, mode=payload.mode)
    return _detail(st)


@api_route(
    router.post, "/stocktakes/{stocktake_id}/approve", perm="inventory.approve_stocktake", response=StocktakeDetail
)
def approve_stocktake(request, stocktake_id: int, payload: ApproveIn | None = None):
    """INV-6: approve a submitted stocktake and post every difference in one transaction (reason stocktake,
    document = its number). A refused line refuses the whole posting (details per line); nothing is written."""
    st = get_object_or_404(Stocktake, pk=stocktake_id)
    services.approve(request.user, st, payload.note if payload else "")
    return _detail(st)
