"""SHIP-5: the carrier's bill recorded per parcel, unknown waybills reported, reconciliation per carrier and month
(billed vs expected, differences over the threshold flagged, shipped but not billed), XLSX export and the API."""

import datetime as dt
import io

from django.urls import reverse
from openpyxl import load_workbook

from tests.fulfilment.test_tracking import csv_file, shipped_package, stocked  # noqa: F401 — fixture
from zhanggui.fulfilment.models import Carrier, CourierCharge, Package
from zhanggui.fulfilment.services import fees


def with_expected(package, fen):
    Package.objects.filter(pk=package.pk).update(expected_fee_fen=fen)
    package.refresh_from_db()
    return package


def test_bill_sets_the_fee_per_parcel_and_reports_unknown_waybills(stocked):  # noqa: F811
    sto = Carrier.objects.get(code="STO")
    a, b = with_expected(shipped_package(stocked), 800), with_expected(shipped_package(stocked), 800)
    bill = csv_file(
        [
            ["运单号", "重量kg", "费用元"],
            [a.waybill_no, "1.2", "8.00"],
            ["UNKNOWN1", "1", "5"],
            [b.waybill_no, "0.5", "abc"],
        ]
    )
    result = fees.import_carrier_bill(stocked.world.people["finance"], sto, bill)
    assert result.updated == 1
    assert result.errors[0] == "第 3 行：运单号 UNKNOWN1 不是申通快递的包裹"
    assert result.errors[1].startswith("第 4 行：金额格式不正确")
    a.refresh_from_db()
    assert a.courier_fee_fen == 800
    assert CourierCharge.objects.get(package=a).weight_g == 1200
    # a corrected bill replaces the figures; another carrier's bill does not touch STO parcels
    fees.import_carrier_bill(None, sto, csv_file([["运单号", "重量", "费用"], [a.waybill_no, "1.3", "9.5"]]))
    a.refresh_from_db()
    assert (a.courier_fee_fen, CourierCharge.objects.get(package=a).weight_g) == (950, 1300)
    other = fees.import_carrier_bill(
        None, Carrier.objects.get(code="EMS"), csv_file([["运单号", "费用元"], [b.waybill_no, "3"]])
    )
    assert other.updated == 0 and len(other.errors) == 1


def test_reconciliation_flags_differences_over_the_threshold_and_unbilled(stocked):  # noqa: F811
    """SHIP-5: threshold 2 元 (setting); a parcel billed 3 元 more is flagged, 1 元 is not; one parcel unbilled."""
    sto = Carrier.objects.get(code="STO")
    ok, over, unbilled = (with_expected(shipped_package(stocked), 800) for _ in range(3))
    fees.import_carrier_bill(None, sto, csv_file([["运单号", "费用元"], [ok.waybill_no, "9"], [over.waybill_no, "11"]]))
    recon = fees.reconcile([stocked.world.shop_a], sto, "2025-11")
    assert (recon.parcels, recon.billed, recon.flagged) == (3, 2, 1)
    assert (recon.expected_total, recon.billed_total, recon.difference_total) == (1600, 2000, 400)
    assert [p.pk for p in recon.unbilled] == [unbilled.pk]
    flagged = {r.package.pk: r.flagged for r in recon.rows}
    assert flagged == {ok.pk: False, over.pk: True, unbilled.pk: False}
    assert fees.reconcile([stocked.world.shop_a], sto, "2025-10").parcels == 0
    assert fees.reconcile([stocked.world.shop_b], sto, "2025-11").parcels == 0

    sheet = load_workbook(io.BytesIO(fees.export_xlsx(recon))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:4] == ["店铺", "包裹号", "订单号", "运单号"]
    assert {row[1]: row[9] for row in values[1:4]} == {
        ok.package_no: None,
        over.package_no: "差额超限",
        unbilled.package_no: "未出账",
    }


def test_month_is_beijing_time(stocked):  # noqa: F811
    """A parcel shipped 2025-11-30 17:00 UTC is 12-01 01:00 in Beijing: December's bill."""
    a = shipped_package(stocked)
    Package.objects.filter(pk=a.pk).update(shipped_at=dt.datetime(2025, 11, 30, 17, 0, tzinfo=dt.UTC))
    sto = Carrier.objects.get(code="STO")
    assert fees.reconcile([stocked.world.shop_a], sto, "2025-11").parcels == 0
    assert fees.reconcile([stocked.world.shop_a], sto, "2025-12").parcels == 1


def test_fee_page_import_export_and_api(stocked, client):  # noqa: F811
    sto = Carrier.objects.get(code="STO")
    a = with_expected(shipped_package(stocked), 800)
    client.force_login(stocked.world.people["finance"])
    url = reverse("fulfilment:fees")
    response = client.post(
        f"{url}?month=2025-11", {"carrier": sto.pk, "file": csv_file([["运单号", "费用元"], [a.waybill_no, "12"]])}
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.courier_fee_fen == 1200
    page = client.get(f"{url}?carrier={sto.pk}&month=2025-11").content.decode()
    assert a.package_no in page and "table-danger" in page
    export = client.get(f"{url}?carrier={sto.pk}&month=2025-11&export=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    api = client.get("/api/v1/courier-fees?carrier=STO&month=2025-11").json()
    assert (api["parcels"], api["billed_total_fen"], api["flagged"]) == (1, 1200, 1)
    client.force_login(stocked.world.people["cs"])  # no reconcile_fee
    assert client.get(url).status_code == 403
    assert client.get("/api/v1/courier-fees?carrier=STO&month=2025-11").status_code == 403


def test_fee_page_refuses_a_png_renamed_xlsx(stocked, client):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "PNG")
    sto = Carrier.objects.get(code="STO")
    client.force_login(stocked.world.people["finance"])
    hostile = SimpleUploadedFile("账单.xlsx", out.getvalue())
    page = client.post(reverse("fulfilment:fees"), {"carrier": sto.pk, "file": hostile}, follow=True)
    assert "不是有效的 XLSX 文件" in page.content.decode()
    assert not CourierCharge.objects.exists()
