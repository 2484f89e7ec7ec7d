"""End-to-end (ORD-7, SHIP-1, SHIP-3): the warehouse's afternoon run in a real browser.

A002 (customer service) reviews a batch of three Taobao orders: two approved, one rejected and held with a reason.
A007 (warehouse) prints the approved packages' labels (the PDF is rendered to PNG and its Code128 decodes to the
waybill number), scan-verifies one parcel with a wrong item first (the alarm goes off, nothing is counted), scans the
right items, weighs it, ships it, and downloads the Taobao batch-ship file (GBK) with the order, carrier and waybill.
Screenshots and the label PNG in test-artifacts/screenshots/.
"""

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def _clean_review_orders(shop, count):
    """To-review orders whose lines are all matched and in stock: what a reviewer would pass."""
    from zhanggui.orders.models import Order

    qs = Order.objects.filter(
        shop=shop,
        state=Order.State.TO_REVIEW,
        kind=Order.Kind.NORMAL,
        exc_out_of_stock=False,
        exc_unmatched=False,
        exc_address=False,
    ).exclude(lines__sku__isnull=True)
    return list(qs.order_by("ordered_at", "pk")[:count])


def _label_png(pdf: bytes, tmp_path) -> tuple:
    """The first label page as a 203-dpi PNG (a thermal printer's resolution) and what its barcode decodes to."""
    import zxingcpp
    from PIL import Image

    (tmp_path / "labels.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "203", "-f", "1", "-l", "1", "-png", str(tmp_path / "labels.pdf"), str(tmp_path / "label")],
        check=True,
    )
    png = next(tmp_path.glob("label*.png"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(png, SCREENSHOTS / "shipping-label-76x130.png")
    return png, [r.text for r in zxingcpp.read_barcodes(Image.open(png))]


def test_review_print_scan_ship_and_download_the_taobao_file(demo, new_page, login, shot, tmp_path):
    from zhanggui.catalog.models import Sku
    from zhanggui.fulfilment.models import Package, Shipment
    from zhanggui.orders.models import Order
    from zhanggui.shops.models import Shop

    shop = Shop.objects.get(platform_id="taobao")
    first, second, held = _clean_review_orders(shop, 3)

    # ---- 审单 (ORD-7): approve two, reject one with a reason (held) -------------------------------------------
    cs = login(new_page(), "A002")
    cs.goto("/shipping/review/")
    for order in (first, second):
        cs.check(f"input.row-check[value^='{order.pk}:']")
    cs.fill("input[name=note]", "地址和尺码已核对")
    with cs.expect_navigation():
        cs.click("#btn-approve")
    cs.check(f"input.row-check[value^='{held.pk}:']")
    cs.fill("#reject-reason", "买家要求改地址，等回复")
    with cs.expect_navigation():
        cs.click("#btn-reject")
    shot(cs, "shipping-review")
    states = dict(Order.objects.filter(pk__in=[first.pk, second.pk, held.pk]).values_list("pk", "state"))
    assert states == {first.pk: "approved", second.pk: "approved", held.pk: "on_hold"}
    assert Order.objects.get(pk=held.pk).hold_reason == "审单驳回：买家要求改地址，等回复"
    packages = {o.pk: Package.objects.get(order=o, state="to_print") for o in (first, second)}
    assert not Package.objects.filter(order=held).exists()  # a held order never reaches the warehouse

    # ---- print (SHIP-1): labels sorted by order time, numbers from the pool ---------------------------------
    wh = login(new_page(), "A007")
    wh.goto(f"/shipping/?state=to_print&shop_id={shop.pk}")
    for package in packages.values():
        wh.check(f"input.row-check[value='{package.pk}']")
    wh.select_option("select[name=size]", "76x130")
    with wh.expect_navigation():
        wh.click("#print-button")
    wh.wait_for_selector("#batch-packages")
    shot(wh, "shipping-batch")
    package = Package.objects.get(pk=packages[first.pk].pk)
    assert package.state == "printed" and package.waybill_no
    labels = wh.request.get(wh.locator("#batch-downloads a").first.get_attribute("href"))
    assert labels.ok and labels.headers["content-type"].startswith("application/pdf")
    _png, decoded = _label_png(labels.body(), tmp_path)
    waybills = {Package.objects.get(pk=p.pk).waybill_no for p in packages.values()}
    assert decoded and decoded[0] in waybills  # the first label's barcode is a real waybill of this batch

    # ---- scan-verify and weigh (SHIP-1): a wrong item first ------------------------------------------------
    wrong = Sku.objects.exclude(pk__in=package.lines.values("sku_id")).order_by("pk").first()
    wh.goto("/shipping/scan/")
    scan = wh.locator("#scan-input")

    def scan_in(text):  # type what the scanner types, Enter, and wait for the server's answer
        scan.fill(text)
        with wh.expect_response(lambda r: "/shipping/scan/" in r.url and r.request.method == "POST"):
            scan.press("Enter")

    scan_in(package.waybill_no)
    wh.wait_for_selector("#scan-lines tbody tr")
    scan_in(wrong.code)
    alarm = wh.locator("#scan-alarm")
    alarm.wait_for(state="visible")
    shot(wh, "shipping-scan-wrong-item")
    assert sum(package.lines.values_list("verified_qty", flat=True)) == 0  # the alarm went off, nothing counted
    # SHIP-1: the right items and the weight in one burst, as fast as a scanner types: none is lost.
    lines = package.lines.select_related("sku")
    burst = [line.sku.barcode or line.sku.code for line in lines for _unit in range(line.quantity)]
    for text in [*burst, str(max(package.expected_weight_g, 1))]:
        scan.fill(text)
        scan.press("Enter")
    wh.wait_for_function("document.getElementById('pk-state').textContent.includes('已验货打包')")
    shot(wh, "shipping-scan-packed")
    assert Package.objects.get(pk=package.pk).state == "packed"

    # ---- ship (SHIP-1): once, then the Taobao batch-ship file ----------------------------------------------
    wh.goto("/shipping/shipped/")
    wh.check(f"#waiting-table input.row-check[value='{package.pk}']")
    with wh.expect_navigation():
        wh.click("#ship-button")
    shot(wh, "shipping-daily-record")
    shipment = Shipment.objects.get(package_id=package.pk)
    order = Order.objects.get(pk=first.pk)
    assert order.state == "shipped" and order.tracking_no == shipment.waybill_no
    with wh.expect_download() as download:
        wh.click(f"a:has-text('{shop.name} · {shop.platform.name}')")
    with open(download.value.path(), "rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("gbk"))))
    assert rows[0][:3] == ["订单编号", "物流公司", "运单号"]
    assert [order.platform_order_no, package.carrier.platform_codes["taobao"]["name"], shipment.waybill_no] in [
        r[:3] for r in rows[1:]
    ]
