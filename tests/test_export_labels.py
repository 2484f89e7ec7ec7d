"""Files people read speak the shop's language, like the pages (rule 6, rule 9): every human-facing export of the
demo company — products, the stock ledger, a supplier's statement, customers, the courier-fee reconciliation, a
supplier's dropship list and the printed documents (picking list, packing slips, shipping record, count sheet,
exchange list, stock-in slip) — is opened as a person would open it, and fails on a stored code (a state key, a
payment method, a platform or carrier code, a document key like order:2406) and on money that is not yuan with
two decimals.

Not checked here, on purpose: the platforms' batch-ship files and the generic order template keep the values the
platform's (or our own importer's) format requires (../shared/docs/platform-formats.md); import error reports
give back the rows a person sent; waybill labels carry what the carrier prints."""

import csv
import io
import re
import subprocess
from decimal import Decimal

import pytest
from django.test import Client

from zhanggui.core import clock
from zhanggui.fulfilment.models import Carrier, CourierCharge, PrintBatch, Shipment
from zhanggui.inventory.models import Stocktake
from zhanggui.purchasing.models import DropshipOrder, PurchaseOrder, Receipt, SupplierExchange
from zhanggui.team.models import Staff
from zhanggui.team.services import sync_roles
from zhanggui.workbench.demo import load_demo

from .workbench.page_text import REFERENCE, stored_codes

MONEY_HEADER = re.compile(r"金额|价|运费|费用|已付|欠款|成本|差额|应付")


def _xlsx(data: bytes) -> list[tuple[str, list]]:
    """[(sheet title, rows of openpyxl cells)] of a workbook."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    return [(sheet.title, [list(row) for row in sheet.iter_rows()]) for sheet in book.worksheets]


def _pdf_words(data: bytes) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout
    return text.decode("utf-8").split()


def _raw_codes(texts, codes) -> list[str]:
    """Stored codes shown: a whole cell, or a word of it (a sheet title "2026-12 STO"), or a key like order:2406."""
    words = {w for t in texts for w in (t, *t.split())}
    return sorted({w for w in words if w in codes} | {t for t in texts if REFERENCE.search(t)})


def _money_problems(rows) -> list[str]:
    """Cells under a money header that are not a number shown with two decimals."""
    problems, money_columns = [], set()
    for row in rows:
        texts = [str(c.value or "") for c in row]
        if (
            not money_columns
            and any(MONEY_HEADER.search(t) for t in texts)
            and not any(isinstance(c.value, int | float | Decimal) for c in row)
        ):
            money_columns = {i for i, t in enumerate(texts) if MONEY_HEADER.search(t)}
            continue
        for i in money_columns:
            cell = row[i] if i < len(row) else None
            if cell is None or cell.value in (None, ""):
                continue
            if not isinstance(cell.value, int | float | Decimal) or "0.00" not in (cell.number_format or ""):
                problems.append(f"{cell.coordinate}={cell.value!r} ({cell.number_format})")
    return problems


def _download(client, name, response):
    """The file an export answers with — directly, or through the job it started (jobs run inline in tests)."""
    if response.status_code == 302 and "/me/jobs/" in response["Location"]:
        job_id = int(re.search(r"/me/jobs/(\d+)/", response["Location"]).group(1))
        response = client.get(f"/me/jobs/{job_id}/download/")
    assert response.status_code == 200, (name, response.status_code, response.get("Location"))
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def demo(db):
    sync_roles()
    load_demo()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(Staff.objects.get(number="A001"))
    return client


def _exports(client) -> dict:
    supplier = PurchaseOrder.objects.filter(supplier__isnull=False).exclude(state="draft").first().supplier
    charge = CourierCharge.objects.select_related("package", "carrier").order_by("-pk").first()
    fees_carrier, month = charge.carrier, clock.local(charge.package.shipped_at).strftime("%Y-%m")
    shipped_day = clock.local(Shipment.objects.order_by("-shipped_at").first().shipped_at).date()
    batch = PrintBatch.objects.order_by("-pk").first()
    dropship = DropshipOrder.objects.filter(state__in=["pending", "sent"]).order_by("pk").first()
    files = {
        "商品导出.xlsx": client.post("/products/export/", {}),
        "库存流水.xlsx": client.post("/stock/ledger/export/", {}),
        "客户.csv": client.post("/customers/export/", {}),
        "对账单.xlsx": client.get(f"/purchasing/suppliers/{supplier.pk}/statement.xlsx"),
        "运费对账.xlsx": client.get("/shipping/fees/", {"carrier": fees_carrier.pk, "month": month, "export": "xlsx"}),
        "代发单.xlsx": client.post(
            "/purchasing/dropship/export/", {"supplier": dropship.supplier_id, "state": dropship.state}
        ),
        "拣货单.pdf": client.get(f"/shipping/batches/{batch.pk}/picking.pdf"),
        "发货单.pdf": client.get(f"/shipping/batches/{batch.pk}/slips.pdf"),
        "发货记录.pdf": client.get(
            "/shipping/shipped/pdf/",
            {"day": shipped_day.isoformat()},
        ),
        "盘点表.pdf": client.get(f"/stock/stocktakes/{Stocktake.objects.order_by('pk').first().pk}/sheet.pdf"),
        "换货清单.pdf": client.get("/purchasing/exchanges/list.pdf"),
        "入库单.pdf": client.get(f"/purchasing/receipts/{Receipt.objects.order_by('pk').first().pk}/slip.pdf"),
    }
    assert SupplierExchange.objects.exists()
    return files


def test_human_exports_write_labels_and_yuan_rule_6_rule_9(demo, django_capture_on_commit_callbacks):
    carriers = Carrier.objects.values_list("code", "name", "short_name")
    codes = stored_codes() | {code for code, *names in carriers if code not in names}  # "EMS" is EMS's name
    failures = []
    with django_capture_on_commit_callbacks(execute=True):  # export jobs run after the commit
        answers = _exports(demo)
    for name, answer in answers.items():
        data = _download(demo, name, answer)
        if name.endswith(".xlsx"):
            for title, rows in _xlsx(data):
                texts = [title] + [str(c.value) for row in rows for c in row if c.value is not None]
                if found := _raw_codes(texts, codes):
                    failures.append(f"{name} [{title}]: stored codes {found[:8]}")
                if money := _money_problems(rows):
                    failures.append(f"{name} [{title}]: money not in yuan with two decimals: {money[:5]}")
        elif name.endswith(".csv"):
            rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
            if found := _raw_codes([cell for row in rows for cell in row], codes):
                failures.append(f"{name}: stored codes {found[:8]}")
        else:
            if found := _raw_codes(_pdf_words(data), codes):
                failures.append(f"{name}: stored codes {found[:8]}")
    assert not failures, "\n".join(failures)
