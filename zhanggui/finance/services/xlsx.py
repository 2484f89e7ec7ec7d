"""FIN-2: the monthly P&L as an XLSX file — a column per shop and the company total, amounts in yuan."""

import io

from django.utils.translation import gettext as _

from zhanggui.core.export_cells import safe_row
from zhanggui.core.money import fen_to_yuan

from .pnl import LINES, N_, line_label

MONEY = "#,##0.00"


def pnl_xlsx(rows, total: dict, beside: dict, month) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = f"{month:%Y-%m}"
    bold = Font(bold=True)
    sheet.append(safe_row([_("Profit and loss %(month)s") % {"month": f"{month:%Y-%m}"}]))
    sheet.append(safe_row(["", *(r.shop.name + (" ✔" if r.closed else "") for r in rows), _("Company")]))
    for key, label in [*LINES, ("profit_fen", N_("Gross profit")), ("deposit_fen", N_("Deposit (frozen, not a cost)"))]:
        values = [fen_to_yuan(r.figures.get(key, 0)) for r in rows] + [fen_to_yuan(total.get(key, 0))]
        sheet.append([line_label(label), *values])
        for cell in sheet[sheet.max_row][1:]:
            cell.number_format = MONEY
        if key == "profit_fen":
            for cell in sheet[sheet.max_row]:
                cell.font = bold
    sheet.append([])
    sheet.append([_("Purchase payments in the month"), fen_to_yuan(beside["purchase_payments_fen"])])
    sheet.append([_("Owed to suppliers now"), fen_to_yuan(beside["supplier_debts_fen"])])
    for cell in sheet[2]:
        cell.font = bold
    sheet.column_dimensions["A"].width = 30
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
