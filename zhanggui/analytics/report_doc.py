"""DATA-6: a weekly report laid out for the page, the A4 PDF (core.pdf, the Chinese font) and the XLSX — one table
of figures (this week, last week, change, target), the diagnosis, best and worst products, after-sales, shipping."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from zhanggui.core import pdf
from zhanggui.core.money import format_fen
from zhanggui.core.sheets import xlsx_cell

MONEY = {"gmv_fen", "refund_fen", "profit_fen", "aov_fen", "cost_fen"}
RATES = {"margin", "refund_rate"}


def _labels() -> list[tuple[str, str]]:
    return [
        ("gmv_fen", _("GMV (paid)")), ("orders", _("Paid orders")), ("buyers", _("Paying buyers")),
        ("aov_fen", _("Average order value")), ("units", _("Units")), ("refund_fen", _("Refunded amount")),
        ("refund_rate", _("Refund rate")), ("profit_fen", _("Gross profit")), ("margin", _("Gross margin")),
    ]  # fmt: skip


def show(key: str, value) -> str:
    if value is None:
        return "—"
    if key in MONEY:
        return format_fen(value)
    if key in RATES:
        return f"{value * 100:.1f}%"
    return str(value)


def change(key: str, now, before) -> str:
    if now is None or before is None:
        return ""
    if key in RATES:
        return _("%(diff)s pt") % {"diff": f"{(now - before) * 100:+.1f}"}
    if not before:
        return ""
    return f"{(now - before) / before * 100:+.1f}%"


def lines(figures: dict) -> list[dict]:
    now, before, target = figures.get("current", {}), figures.get("previous", {}), figures.get("target") or {}
    return [
        {"key": key, "label": label, "now": show(key, now.get(key)), "before": show(key, before.get(key)),
         "change": change(key, now.get(key), before.get(key)),
         "target": show(key, target[key]) if key in target else ""}
        for key, label in _labels()
    ]  # fmt: skip


def product_lines(items: list[dict]) -> list[list[str]]:
    return [
        [p["style_code"], p["name"], str(p["units"]), format_fen(p["gmv_fen"]), format_fen(p["profit_fen"]),
         "—" if p.get("cover_days") is None else f"{p['cover_days']:.1f}"]
        for p in items
    ]  # fmt: skip


def service_lines(figures: dict) -> list[tuple[str, str]]:
    after, ship = figures.get("aftersales", {}), figures.get("shipping", {})
    rate = ship.get("rate")
    return [
        (_("After-sales cases opened"), str(after.get("opened", 0))),
        (_("After-sales cases closed"), str(after.get("closed", 0))),
        (_("Refunds agreed on closed cases"), format_fen(after.get("refund_fen", 0))),
        (_("Packages due to ship"), str(ship.get("due", 0))),
        (_("Shipped before the deadline"), "—" if rate is None else f"{ship.get('kept', 0)}（{rate * 100:.1f}%）"),
    ]


def title(report) -> str:
    f = report.figures
    return _("Weekly report %(shop)s %(first)s – %(last)s") % {
        "shop": f.get("shop_name", ""),
        "first": f.get("week_start", ""),
        "last": f.get("week_end", ""),
    }


def render_pdf(report, printed_by: str = "") -> bytes:
    """A4: the figures as the document's table; products, after-sales, shipping and diagnosis as notes."""
    f = report.figures
    rows = [[x["label"], x["now"], x["before"], x["change"], x["target"] or "—"] for x in lines(f)]
    notes = []
    if f.get("diagnosis"):
        notes.append("【" + _("Diagnosis") + "】")
        notes += [f"· {sentence}" for sentence in f["diagnosis"]]
    for heading, items in ((_("Best products"), f.get("best", [])), (_("Worst products"), f.get("worst", []))):
        notes.append("【" + heading + "】")
        notes += [
            f"· {p[0]} {p[1]}：{_('units')} {p[2]}，GMV {p[3]}，{_('gross profit')} {p[4]}"
            for p in product_lines(items)
        ] or ["· —"]
    notes.append("【" + _("After-sales and shipping") + "】")
    notes += [f"· {label}：{value}" for label, value in service_lines(f)]
    doc = pdf.Document(
        title=_("Weekly report"),
        number=f"W{report.week_start:%Y%m%d}-{report.shop_id}",
        facts=[(_("Shop"), f.get("shop_name", "")), (_("Week"), f"{f.get('week_start')} – {f.get('week_end')}")],
        columns=[pdf.Column(_("Figure"), 50), pdf.Column(_("This week"), 35, True),
                 pdf.Column(_("Last week"), 35, True), pdf.Column(_("Change"), 25, True),
                 pdf.Column(_("Target"), 35, True)],
        rows=rows,
        notes=[n.replace("&", "&amp;").replace("<", "&lt;") for n in notes],
        printed_by=printed_by,
    )  # fmt: skip
    return pdf.render(doc)


def render_xlsx(report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    f = report.figures
    book = Workbook()
    sheet = book.active
    sheet.title = _("Figures")
    sheet.append([xlsx_cell(title(report))])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([_("Figure"), _("This week"), _("Last week"), _("Change"), _("Target")])
    for x in lines(f):
        sheet.append([x["label"], x["now"], x["before"], x["change"], x["target"]])
    sheet.append([])
    for label, value in service_lines(f):
        sheet.append([label, value])
    for name, items in ((_("Best products"), f.get("best", [])), (_("Worst products"), f.get("worst", []))):
        page = book.create_sheet(name)
        page.append(
            [_("Style code"), _("Product"), _("Units"), _("GMV (paid)"), _("Gross profit"), _("Stock cover (days)")]
        )
        for row in product_lines(items):
            page.append([xlsx_cell(v) for v in row])
    if f.get("diagnosis"):
        page = book.create_sheet(_("Diagnosis"))
        for sentence in f["diagnosis"]:
            page.append([xlsx_cell(sentence)])
    for ws in book.worksheets:
        ws.column_dimensions["A"].width = 24
        ws.column_dimensions["B"].width = 24
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
