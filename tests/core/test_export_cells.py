"""core.export_cells (rule 7 of the house; OWASP's CSV injection rule): every export writes a text cell starting
with = + - @, a tab or a carriage return with a leading apostrophe, so a spreadsheet never runs it as a formula —
products (PROD-1), customers CSV (TEAM-5), orders (ORD-1), batch-ship files (SHIP-1), supplier statements
(PUR-1), dropship files (PROD-10), stock ledger (INV-1) and error reports. Our importers read the escape back."""

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from zhanggui.core.export_cells import safe_cell, unescape

EVIL = '=HYPERLINK("http://evil.example","点我")'


def xlsx_values(data) -> list:
    book = load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data)
    return [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_escaped(values, evil=EVIL):
    values = [v for v in values if isinstance(v, str)]
    assert "'" + evil in values
    assert not any(v.startswith(("=", "+", "@")) for v in values)


@pytest.mark.parametrize("value", ["=1+1", "+1+1", "-1+cmd|' /C calc'!A0", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_triggers_get_an_apostrophe_and_read_back(value):
    assert safe_cell(value) == "'" + value
    assert unescape(safe_cell(value)) == value


@pytest.mark.parametrize("value", ["-12.50", "+8613812345678", "普通文字", "A-1", 12, None, 1.5])
def test_plain_values_pass_unchanged(value):
    assert safe_cell(value) == value


def test_prod1_products_export_escapes_formulas(world, tmp_path):
    from zhanggui.catalog.services.exports import export_xlsx
    from zhanggui.catalog.services.products import create_product

    manager = world.people["manager"]
    create_product(manager, style_code="EV1", name=EVIL, colours=["黑"], sizes=["M"])
    path = tmp_path / "p.xlsx"
    export_xlsx(manager, path)
    assert_escaped(xlsx_values(path))


def test_team5_customers_csv_escapes_formulas(world):
    from zhanggui.crm.models import Customer
    from zhanggui.crm.services import create_customer, export_customers_csv

    manager = world.people["manager"]
    create_customer(manager, world.shop_a, buyer_nick=EVIL, name="@SUM(1+1)")
    text, _full = export_customers_csv(manager, Customer.objects.filter(buyer_nick=EVIL))
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert_escaped(cells)


def test_ship1_batch_ship_file_escapes_formulas():
    from zhanggui.channels.shipping import Parcel, batch_ship_file

    parcel = Parcel([EVIL], "中通", "ZTO", "=1+1", dt.datetime(2026, 12, 1, 10, 0))
    text = batch_ship_file("own", [parcel]).decode("utf-8-sig")
    assert_escaped([c for row in csv.reader(io.StringIO(text)) for c in row])


def test_ord1_order_export_and_error_report_escape_formulas(world):
    from zhanggui.channels.formats.types import RowError
    from zhanggui.orders.models import Order, OrderLine
    from zhanggui.orders.services.exports import export_orders
    from zhanggui.orders.services.import_report import error_report

    assert_escaped(xlsx_values(error_report([RowError(file="a.csv", line=2, column="订单号", reason=EVIL)])))
    order = Order.objects.create(
        shop=world.shop_a, platform_order_no="EV-1", receiver_name=EVIL, ordered_at=dt.datetime.now(dt.UTC)
    )
    OrderLine.objects.create(order=order, line_no=1, title="@SUM(1)", quantity=1)
    assert_escaped(xlsx_values(export_orders(world.shop_a, [order])))


def test_prod1_import_error_report_escapes_formulas(settings, tmp_path):
    from zhanggui.catalog.rules_imports import RowError
    from zhanggui.catalog.services.import_report import write_error_report

    settings.MEDIA_ROOT = tmp_path
    path = write_error_report([RowError(2, "商品名称", "太长")], ["商品名称"], {2: [EVIL]}, "evil")
    assert_escaped(xlsx_values(tmp_path / path))


def test_pur1_supplier_statement_escapes_formulas(world):
    from zhanggui.purchasing.services.suppliers import Statement, create_supplier, statement_xlsx

    supplier = create_supplier(world.people["manager"], code="EV", name=EVIL)
    assert_escaped(xlsx_values(statement_xlsx(Statement(supplier, None, None, []))), evil=f"{EVIL}（EV）采购对账单")
