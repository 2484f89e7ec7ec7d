"""Fund arrival API (FIN-3), same permission (finance.view_ledger) and shop scope as the pages:
POST /api/v1/finance/statements   multipart: `shop` (shop code) and `files` — import statements, answer counts and
                                  every bad row (file, line, Chinese reason);
GET  /api/v1/finance/funds?tab=no_arrival|mismatch|unmatched&shop=&month=YYYY-MM — the queue and the counts."""

from django.http import Http404
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from zhanggui.core.access import allowed_shops
from zhanggui.core.apitools import api_route
from zhanggui.core.errors import DomainError

from . import funds_selectors as q
from .funds_views import read_uploads
from .services.funds import import_statements

router = Router(tags=["finance"])
PERM = "finance.view_ledger"
FILES = File(...)
SHOP = Form(...)


class BadRow(Schema):
    file: str
    line: int
    reason: str


class StatementImportOut(Schema):
    shop: str
    formats: list[str]
    files: int
    rows: int
    created: int
    duplicates: int
    failed: int
    matched: int
    mismatch: int
    unmatched: int
    errors: list[BadRow]


class FundRow(Schema):
    shop: str
    order_no: str
    entry_id: str = ""
    time: str = ""
    kind: str = ""
    paid_fen: int | None = None
    refund_fen: int | None = None
    expected_fen: int | None = None
    arrived_fen: int | None = None
    difference_fen: int | None = None
    amount_fen: int | None = None
    description: str = ""


class FundsOut(Schema):
    tab: str
    counts: dict[str, int]
    rows: list[FundRow]


def _scope(request, shop: str) -> list:
    shops = list(allowed_shops(request.user))
    if shop:
        shops = [s for s in shops if s.code == shop.strip()]
        if not shops:
            raise Http404  # another shop's: as if it did not exist (shop scope)
    return shops


@api_route(router.post, "/finance/statements", perm=PERM, response=StatementImportOut)
def import_statement(request, shop: str = SHOP, files: list[UploadedFile] = FILES):
    """Import a shop's statements (Alipay 账务明细, JD 结算单, PDD 货款明细) as downloaded; the same file twice adds
    nothing."""
    [target] = _scope(request, shop or "-")
    result = import_statements(request.user, target, read_uploads(files))
    return {
        "shop": target.code,
        "formats": result.layouts,
        **result.summary(),
        "errors": [{"file": e.file, "line": e.line, "reason": e.reason} for e in result.errors[:1000]],
    }


@api_route(router.get, "/finance/funds", perm=PERM, response=FundsOut)
def funds(request, tab: str = "no_arrival", shop: str = "", month: str = ""):
    """A fund-arrival queue: paid orders with no arrival, amount mismatches, or lines matching no order."""
    if tab not in q.TABS:
        raise DomainError("bad_tab", "tab 只能是 no_arrival、mismatch 或 unmatched", "tab")
    bounds = q.month_bounds(month) if month else None
    if month and bounds is None:
        raise DomainError("bad_month", "月份格式应为 YYYY-MM", "month")
    shops = _scope(request, shop)
    rows: list[dict] = []
    if tab == "no_arrival":
        for o in q.no_arrival(shops, bounds)[:500]:
            rows.append({"shop": o.shop.code, "order_no": o.platform_order_no, "time": o.base.isoformat(),
                         "paid_fen": o.paid_fen, "refund_fen": o.refund_fen,
                         "expected_fen": o.expected_fen})  # fmt: skip
    elif tab == "mismatch":
        for r in q.mismatch_rows(shops, bounds, 500):
            rows.append({"shop": r.shop.code, "order_no": r.order_no, "paid_fen": r.paid_fen,
                         "refund_fen": r.refund_fen, "expected_fen": r.expected_fen, "arrived_fen": r.arrived_fen,
                         "difference_fen": r.difference_fen})  # fmt: skip
    else:
        for e in q.unmatched(shops, bounds)[:500]:
            rows.append({"shop": e.shop.code, "order_no": e.order_ref, "entry_id": e.entry_id,
                         "time": e.occurred_at.isoformat(), "kind": e.kind, "amount_fen": e.amount_fen,
                         "description": e.description})  # fmt: skip
    return {"tab": tab, "counts": q.counts(shops, bounds), "rows": rows}
