"""导出当前筛选 (ORD-6, TEAM-5): the orders the list shows — its tab, filters, search and shops — as an XLSX file,
built by a background job (a list may hold a hundred thousand orders), fetched from the job page.

- exactly the list's orders: the same selectors (`filtered`, `in_tab`) in the same order, read page by page on the
  list's keyset (no OFFSET), lines summarised on the order's one row;
- people's words only: Chinese headers, every stored code as its label (state, platform, flag, payment method,
  source, kind, exception queues), money in yuan (two decimals), times in Beijing time;
- TEAM-5: receiver name, phone and address masked, and phones inside remarks and messages, unless the person who
  asked may see buyers' data (core.privacy.can_see_pii); the shops are checked again when the job runs (access
  taken away meanwhile is honoured) — the Job row records who exported what filter, when;
- every cell through the one export-cell rule (core.export_cells.safe_row): a remark "=HYPERLINK(…)" stays text.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.db.models import Prefetch
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhanggui.core import clock
from zhanggui.core.access import allowed_shops
from zhanggui.core.export_cells import safe_row
from zhanggui.core.jobs import report, start_job
from zhanggui.core.money import fen_to_yuan
from zhanggui.core.navigation import column_cells, list_columns
from zhanggui.core.privacy import can_see_pii, mask_receiver, mask_text

from .. import selectors
from ..models import Order, OrderLine
from . import states
from .remarks import FLAG_NAMES

log = logging.getLogger(__name__)
EXPORT_DIR = Path("private") / "exports"
BATCH = 1000
MONEY = "#,##0.00"


def start_list_export(user, shops, tab: str, filters: selectors.Filters):
    """Queue the export of the list as `user` sees it now: its shops (ids), tab and filters."""
    from ..tasks import export_order_list

    tab = tab if tab in selectors.TABS else "all"
    return start_job(
        user,
        kind="order_list_export",
        title=_("Order export"),
        task=export_order_list,
        params={"shops": [s.pk for s in shops], "tab": tab, "filters": filters.as_query()},
        shop=shops[0] if len(shops) == 1 else None,
    )


def headers() -> list[str]:
    return [
        _("Shop"),
        _("Platform"),
        _("Order number"),
        _("State"),
        _("Platform status"),
        pgettext("order column", "Flag"),
        _("Seller remark"),
        _("Buyer message"),
        pgettext("shop customer", "Buyer"),
        _("Receiver"),
        _("Phone"),
        _("Receiving address"),
        _("Items"),
        _("Pieces"),
        _("Goods amount (yuan)"),
        _("Postage (yuan)"),
        _("Discount (yuan)"),
        _("Paid (yuan)"),
        _("Refunded (yuan)"),
        _("Payment method"),
        _("Carrier"),
        _("Tracking number"),
        _("Ordered at"),
        _("Paid at"),
        _("Shipped at"),
        _("Source"),
        _("Order kind"),
        _("Exceptions"),
    ]


MONEY_COLUMNS = range(14, 19)  # goods … refunded, in headers() order


def _time(moment) -> str:
    return clock.local(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _address(order: Order) -> str:
    parts = [order.province, order.city, order.district, order.street, order.address_detail]
    return "".join(p for p in parts if p) or order.address_raw


def _items(lines) -> str:
    return "；".join(
        " ".join(t for t in ((ln.sku.code if ln.sku else ln.outer_code), ln.title, ln.properties) if t)
        + f" ×{ln.quantity}"
        for ln in lines
    )


def _exceptions(order: Order) -> str:
    return "、".join(str(label) for name, label in selectors.EXCEPTION_TABS if getattr(order, name, False))


def order_row(order: Order, show_pii: bool) -> list:
    """One order as the export's row, in headers() order (codes as labels, money in yuan, masked per TEAM-5)."""
    lines = list(order.lines.all())
    if show_pii:
        name, phone, address = order.receiver_name, order.receiver_phone, _address(order)
        remark, message = order.seller_remark, order.buyer_message
    else:
        masked = mask_receiver(
            order.receiver_name, order.receiver_phone, region=(order.province, order.city, order.district)
        )
        name, phone, address = masked.name, masked.phone, masked.address
        remark, message = mask_text(order.seller_remark or ""), mask_text(order.buyer_message or "")
    return [
        order.shop.name,
        order.shop.platform.name,
        order.platform_order_no,
        states.state_label(order.state),
        order.platform_status,
        FLAG_NAMES.get(order.flag, "") if order.flag else "",
        remark,
        message,
        order.buyer_nick,
        name,
        phone,
        address,
        _items(lines),
        sum(ln.quantity for ln in lines),
        fen_to_yuan(order.goods_fen),
        fen_to_yuan(order.postage_fen),
        fen_to_yuan(order.discount_fen),
        fen_to_yuan(order.paid_fen),
        fen_to_yuan(order.refund_fen),
        order.payment_method_label,
        order.carrier,
        order.tracking_no,
        _time(order.ordered_at),
        _time(order.paid_at),
        _time(order.shipped_at),
        order.get_source_display(),
        order.get_kind_display(),
        _exceptions(order),
    ]


def export_queryset(user, shop_ids, tab: str, filters: selectors.Filters):
    """The list's orders for `user`: only the shops among `shop_ids` the user may still see."""
    allowed = set(allowed_shops(user).values_list("pk", flat=True))
    shops = [pk for pk in shop_ids if pk in allowed]
    lines = Prefetch("lines", queryset=OrderLine.objects.select_related("sku").order_by("line_no"))
    return (
        selectors.in_tab(selectors.filtered(shops, filters), tab if tab in selectors.TABS else "all")
        .select_related("shop__platform")
        .prefetch_related(lines)
    )


def run_list_export(job) -> dict:
    with translation.override(settings.LANGUAGE_CODE):
        return _run(job)


def _run(job) -> dict:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    user = job.created_by
    params = job.params or {}
    qs = export_queryset(
        user,
        params.get("shops") or [],
        params.get("tab", "all"),
        selectors.Filters.from_query(params.get("filters") or {}),
    )
    total = qs.order_by().count()
    report(job, 0, total)
    show = can_see_pii(user)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Orders"))
    bold = Font(bold=True)
    columns = list_columns("orders.order", user)  # higher apps' columns (FIN-1 profit), as the list shows them
    titles = [*headers(), *(str(c.header) for c in columns)]
    sheet.append([_bold(WriteOnlyCell(sheet, value=title), bold) for title in titles])
    done, cursor = 0, None
    while True:  # the list's keyset pages: each an index range scan, however deep
        page = selectors.keyset_page(qs, after=cursor, size=BATCH)
        cells = column_cells(columns, [o.pk for o in page.rows])
        for order in page.rows:
            row = safe_row(order_row(order, show) + [values.get(order.pk, ("", ""))[1] for values in cells])
            for i in MONEY_COLUMNS:
                cell = WriteOnlyCell(sheet, value=row[i])
                cell.number_format = MONEY
                row[i] = cell
            sheet.append(row)
        done += len(page.rows)
        report(job, done, total)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    folder = Path(settings.MEDIA_ROOT) / EXPORT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"orders-{job.pk}.xlsx"
    book.save(path)
    log.info("order export %s by %s: %s orders, masked=%s", job.pk, getattr(user, "number", ""), done, not show)
    return {"file": str(path.relative_to(settings.MEDIA_ROOT)), "rows": done, "file_label": _("Download XLSX")}


def _bold(cell, font):
    cell.font = font
    return cell
