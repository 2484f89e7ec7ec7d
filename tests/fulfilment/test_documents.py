"""SHIP-1 documents: waybill labels (76 × 130 一联单, 100 × 180 二联单), packing slips and the picking list — PDFs
that parse, one label page per package at the right size, privacy-masked receivers per platform, Code128 barcodes
that decode to the waybill number, and a picking list aggregated by bin and SKU."""

import io
import itertools
import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from tests.orders.test_states import build_stock, make_order
from zhanggui.core.errors import DomainError
from zhanggui.fulfilment.models import Carrier, Package, WaybillAccount
from zhanggui.fulfilment.services import documents, packages
from zhanggui.fulfilment.services.carriers import load_carriers
from zhanggui.inventory.models import Bin, StockLevel
from zhanggui.orders.models import Order
from zhanggui.shops.services import create_shop

MM = 72 / 25.4
RECEIVER = {
    "receiver_name": "王小明",
    "receiver_phone": "13912345678",
    "province": "浙江省",
    "city": "杭州市",
    "district": "西湖区",
    "address_detail": "文三路 100 号",
}
_numbers = itertools.count(773012345678901)


@pytest.fixture
def stocked(world):
    load_carriers()
    return build_stock(world)


def package(stocked, *, shop=None, lines=None, waybill=True, **extra) -> Package:
    order = make_order(
        stocked.world,
        state=Order.State.APPROVED,
        shop=shop,
        lines=lines or [(stocked.s, 2)],
        **{**RECEIVER, **extra},
    )
    p = packages.create_package([order], [(line, line.quantity) for line in order.lines.all()], None)
    if waybill:
        p.waybill_no = str(next(_numbers))
        p.save(update_fields=["waybill_no"])
    return Package.objects.get(pk=p.pk)


def text_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def decode_pages(pdf: bytes) -> list[list[str]]:
    """Render every page at 203 dpi (a thermal printer's resolution) and read its Code128 barcodes."""
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils not installed (make browser)")
    found = []
    count = len(PdfReader(io.BytesIO(pdf)).pages)
    for n in range(1, count + 1):
        png = subprocess.run(
            ["pdftoppm", "-r", "203", "-gray", "-png", "-f", str(n), "-l", str(n), "-"],
            input=pdf,
            capture_output=True,
            check=True,
        ).stdout
        image = Image.open(io.BytesIO(png)).convert("L")
        found.append([r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.Code128])
    return found


def test_labels_76x130_one_page_per_package_of_the_right_size(stocked):
    pkgs = [package(stocked) for _ in range(3)]
    pdf = documents.labels_pdf(pkgs, "76x130", stocked.world.people["warehouse"])
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(76 * MM, abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(130 * MM, abs=0.5)
    texts = text_of(pdf)
    for p, text in zip(pkgs, texts, strict=True):  # SHIP-1: printed in the order given (order time)
        assert p.package_no in text
        assert "标准快递" in text
        assert "杭州市 西湖区" in text  # routing: destination, never an invented 三段码


@pytest.mark.parametrize("platform", ["jd", "pdd", "taobao", "tmall"])
def test_privacy_platforms_print_a_masked_receiver(stocked, platform):
    """SHIP-1 / TEAM-5: privacy waybills (platform-formats §3): 王* and 139****5678, full address."""
    shop = create_shop(None, code=f"s-{platform}", platform=platform, name=f"{platform}店")
    text = text_of(documents.labels_pdf([package(stocked, shop=shop)], "76x130", None))[0]
    assert "139****5678" in text
    assert "13912345678" not in text
    assert "王小明" not in text and "王**" in text
    assert "文三路 100 号" in text  # the courier still needs the full address


def test_own_channel_prints_the_full_receiver(stocked):
    shop = create_shop(None, code="own-1", platform="own", name="自营店")
    text = text_of(documents.labels_pdf([package(stocked, shop=shop)], "76x130", None))[0]
    assert "13912345678" in text and "王小明" in text


def test_label_barcode_decodes_to_the_waybill_number(stocked):
    """SHIP-1: the Code128 on the label scans (at 203 dpi) as the waybill number."""
    pkgs = [package(stocked) for _ in range(2)]
    pdf = documents.labels_pdf(pkgs, "76x130", None)
    assert decode_pages(pdf) == [[p.waybill_no] for p in pkgs]


def test_two_part_label_has_the_stub_with_the_same_waybill(stocked):
    p = package(stocked)
    pdf = documents.labels_pdf([p], "100x180", None)
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert float(page.mediabox.width) == pytest.approx(100 * MM, abs=0.5)
    assert float(page.mediabox.height) == pytest.approx(180 * MM, abs=0.5)
    assert "收件联" in text_of(pdf)[0]
    assert decode_pages(pdf) == [[p.waybill_no, p.waybill_no]]


def test_alphanumeric_long_waybill_still_decodes(stocked):
    p = package(stocked)
    p.waybill_no = "JT5012345678901234"
    p.save(update_fields=["waybill_no"])
    assert decode_pages(documents.labels_pdf([p], "76x130", None)) == [["JT5012345678901234"]]


def test_sender_block_comes_from_the_waybill_account_else_the_shop(stocked):
    p = package(stocked)
    text = text_of(documents.labels_pdf([p], "76x130", None))[0]
    assert stocked.world.shop_a.name in text
    WaybillAccount.objects.create(
        carrier=p.carrier or Carrier.objects.get(code="STO"),
        name="申通-杭州",
        sender_name="青禾仓库",
        sender_phone="0571-88886666",
        sender_address="杭州市余杭区良睦路 1399 号",
    )
    if p.carrier is None:
        p.carrier = Carrier.objects.get(code="STO")
        p.save(update_fields=["carrier"])
    text = text_of(documents.labels_pdf([p], "76x130", None))[0]
    assert "青禾仓库" in text and "0571-88886666" in text


def test_a_package_without_waybill_number_is_refused(stocked):
    with pytest.raises(DomainError) as caught:
        documents.labels_pdf([package(stocked, waybill=False)], "76x130", None)
    assert caught.value.code == "no_waybill"


def test_label_builder_queries_do_not_grow_with_packages(stocked):
    few = [package(stocked) for _ in range(2)]
    many = few + [package(stocked) for _ in range(4)]
    with CaptureQueriesContext(connection) as small:
        documents.build_labels([Package.objects.get(pk=p.pk) for p in few])
    with CaptureQueriesContext(connection) as large:
        documents.build_labels([Package.objects.get(pk=p.pk) for p in many])
    assert len(large) - len(many) == len(small) - len(few)  # only the per-object get() above differs


def test_packing_slip_shows_message_remark_and_lines(stocked):
    p = package(stocked, buyer_message="周末送到驿站", seller_remark="A01 申通 送袜子")
    viewer = stocked.world.people["warehouse"]
    pdf = documents.slips_pdf([p], viewer)
    text = "".join(text_of(pdf))
    assert "周末送到驿站" in text and "送袜子" in text
    assert stocked.s.code in text and "合计 2 件" in text
    assert "王**" in text and "王小明" not in text  # taobao: masked like the label
    assert viewer.number in text


def test_pick_list_aggregates_by_bin_and_sku(stocked):
    """SHIP-1: one row per bin and SKU with total quantity and package count, sorted by bin; no bin → 未设库位."""
    wh = stocked.warehouse
    StockLevel.objects.filter(sku=stocked.s, warehouse=wh).update(
        home_bin=Bin.objects.create(warehouse=wh, code="B-02")
    )
    StockLevel.objects.filter(sku=stocked.m, warehouse=wh).update(
        home_bin=Bin.objects.create(warehouse=wh, code="A-01")
    )
    pkgs = [
        package(stocked, lines=[(stocked.s, 2)]),
        package(stocked, lines=[(stocked.s, 1), (stocked.m, 1)]),
    ]
    rows = documents.pick_list(pkgs)
    assert [(r.bin, r.sku_code, r.quantity, r.packages) for r in rows] == [
        ("A-01", stocked.m.code, 1, 1),
        ("B-02", stocked.s.code, 3, 2),
    ]
    StockLevel.objects.filter(sku=stocked.m).update(home_bin=None)
    rows = documents.pick_list(pkgs)
    assert [r.bin for r in rows] == ["B-02", documents.NO_BIN]


def test_pick_list_pdf_is_an_a4_document(stocked):
    pkgs = [package(stocked) for _ in range(2)]
    pdf = documents.pick_list_pdf(pkgs, "PB20261203-001")
    reader = PdfReader(io.BytesIO(pdf))
    assert float(reader.pages[0].mediabox.width) == pytest.approx(210 * MM, abs=1)
    text = text_of(pdf)[0]
    assert "拣货单" in text and "PB20261203-001" in text and stocked.s.code in text


def test_a_long_packing_slip_continues_on_a_next_page():
    """SHIP-1: nothing is cut off — every line is printed, the package number heads each page."""
    from zhanggui.fulfilment.services.label_layout import SlipData, SlipLine, render_slips

    lines = [SlipLine(f"C-{n:02d}", "纯棉宽松短袖T恤女夏季新款", "颜色分类：黑色;尺码：M", 1) for n in range(20)]
    slip = SlipData("甲店", "P261203000001", ["T1"], "王**", "", "", "", lines)
    pages = text_of(render_slips([slip]))
    assert len(pages) >= 2
    assert all("P261203000001" in page for page in pages)
    joined = "".join(pages)
    assert all(f"C-{n:02d}" in joined for n in range(20)) and "合计 20 件" in pages[-1]
