"""Waybill number pools (SHIP-1): ranges and files loaded with the carrier's number format checked, bad lines
reported with their line numbers, duplicates skipped; numbers taken in one step, never twice — also with two
batches at once on PostgreSQL; the accounts page and the API."""

import io
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from openpyxl import Workbook

from tests.fulfilment.test_packages import approved, login, make_stocked, package_of, pool
from zhanggui.core.errors import DomainError
from zhanggui.fulfilment.models import Carrier, Package, WaybillAccount, WaybillNumber
from zhanggui.fulfilment.services import printing, waybills
from zhanggui.fulfilment.services.carriers import load_carriers


@pytest.fixture
def stocked(world):
    return make_stocked(world)


@pytest.fixture
def sto(world):
    load_carriers()
    return WaybillAccount.objects.create(carrier=Carrier.objects.get(code="STO"), name="申通-杭州网点")


def numbers(account):
    return list(account.numbers.order_by("id").values_list("number", flat=True))


def test_range_by_count_keeps_the_width_and_prefix(world):
    load_carriers()
    account = WaybillAccount.objects.create(carrier=Carrier.objects.get(code="SF"), name="顺丰月结")
    result = waybills.load_range(None, account, "0000000000098", 3, prefix="SF")
    assert result.added == 3 and not result.errors
    assert numbers(account) == ["SF0000000000098", "SF0000000000099", "SF0000000000100"]


def test_range_by_end_and_duplicates_skipped(sto):
    waybills.load_range(None, sto, "2680000000001", end="2680000000005")
    again = waybills.load_range(None, sto, "2680000000004", end="2680000000008")
    assert again.added == 3 and again.duplicates == 2
    assert len(numbers(sto)) == 8


def test_range_outside_the_carriers_format_is_reported(sto):
    """SHIP-1: 申通 numbers start 268/368/…; 1234… is not one."""
    result = waybills.load_range(None, sto, "1234567890123", 2)
    assert result.added == 0 and result.errors[0].startswith("第 1 行：1234567890123 不是申通")


@pytest.mark.parametrize(
    ("start", "count", "end"), sorted([("abc", 1, None), ("2680000000001", None, None), ("268000000005", None, "1")])
)
def test_range_needs_a_number_and_a_count_or_end(sto, start, count, end):
    with pytest.raises(DomainError):
        waybills.load_range(None, sto, start, count, end)


def test_file_keeps_good_lines_and_reports_bad_ones_by_line(sto):
    text = "运单号\n2680000000101\n\n2680000000102\nXYZ\n2680000000101\n"
    result = waybills.load_file(None, sto, SimpleUploadedFile("numbers.txt", text.encode("gbk")))
    assert result.added == 2 and result.duplicates == 1
    assert [e.split("：")[0] for e in result.errors] == ["第 1 行", "第 5 行"]
    assert numbers(sto) == ["2680000000101", "2680000000102"]


def test_xlsx_file_first_column(sto):
    book = Workbook()
    for n in ("2680000000201", 2680000000202, "bad"):
        book.active.append([n, "备注"])
    out = io.BytesIO()
    book.save(out)
    result = waybills.load_file(None, sto, SimpleUploadedFile("numbers.xlsx", out.getvalue()))
    assert result.added == 2 and [e.split("：")[0] for e in result.errors] == ["第 3 行"]


def test_other_file_types_are_refused(sto):
    with pytest.raises(DomainError, match="txt"):
        waybills.load_file(None, sto, SimpleUploadedFile("numbers.pdf", b"x"))


def test_take_numbers_in_order_and_never_twice(stocked, sto):
    waybills.load_range(None, sto, "2680000000001", 3)
    a, b = (package_of(approved(stocked)) for _ in range(2))
    assert waybills.take_numbers(sto, [a, b]) == ["2680000000001", "2680000000002"]
    c = package_of(approved(stocked))
    d = package_of(approved(stocked))
    assert waybills.take_numbers(sto, [c, d]) == ["2680000000003"]  # the pool ran dry: fewer numbers
    assert WaybillNumber.objects.filter(package__isnull=False).count() == 3


def test_account_for_prefers_the_shops_own_account(world, sto):
    own = WaybillAccount.objects.create(carrier=sto.carrier, shop=world.shop_a, name="甲店申通")
    assert waybills.account_for(sto.carrier_id, world.shop_a.pk) == own
    assert waybills.account_for(sto.carrier_id, world.shop_b.pk) == sto


def test_unknown_provider_is_refused(sto):
    sto.provider = "cainiao"
    with pytest.raises(DomainError, match="尚未接入"):
        waybills.provider_for(sto)


# ---- page and API ----------------------------------------------------------------------------------------------


def test_page_shows_counts_and_warns_when_low(world, sto):
    waybills.load_range(None, sto, "2680000000001", 5)
    resp = login(world, "warehouse").get("/shipping/waybills/")
    assert resp.status_code == 200
    assert b'id="low-pool"' in resp.content and b'data-free="5"' in resp.content


def test_page_loads_a_range_and_a_file(world, sto):
    client = login(world, "warehouse")
    resp = client.post(f"/shipping/waybills/{sto.pk}/load/", {"start": "2680000000001", "count": "10"}, follow=True)
    assert "导入 10 个运单号" in resp.content.decode()
    upload = SimpleUploadedFile("n.csv", b"2680000000011\nbad\n")
    resp = client.post(f"/shipping/waybills/{sto.pk}/load/", {"file": upload}, follow=True)
    body = resp.content.decode()
    assert "导入 1 个运单号" in body and "第 2 行" in body
    assert sto.numbers.count() == 11


def test_cs_may_not_load_numbers(world, sto):
    resp = login(world, "cs").post(f"/shipping/waybills/{sto.pk}/load/", {"start": "2680000000001", "count": "1"})
    assert resp.status_code == 403 and not sto.numbers.exists()


def test_api_pool_status_and_load(world, sto):
    client = login(world, "warehouse")
    resp = client.post(f"/api/v1/waybill-accounts/{sto.pk}/numbers", {"start": "2680000000001", "count": 4})
    assert resp.status_code == 200, resp.content
    assert resp.json()["added"] == 4
    status = client.get(f"/api/v1/waybill-accounts/{sto.pk}/numbers").json()
    assert status["free"] == 4 and status["low"] is True


# ---- concurrency (PostgreSQL) ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_batches_at_once_never_take_the_same_number(stocked):
    """SHIP-1: two people print two batches at the same moment from one pool: SKIP LOCKED hands each its own
    numbers; the unique constraints would refuse a double anyway."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    pool(40)
    first = [package_of(approved(stocked)).pk for _ in range(10)]
    second = [package_of(approved(stocked)).pk for _ in range(10)]
    barrier = threading.Barrier(2)
    errors = []

    def run(ids):
        try:
            barrier.wait()
            printing.print_batch(stocked.world.people["warehouse"], ids, "76x130")
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(ids,)) for ids in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    taken = list(Package.objects.filter(pk__in=first + second).values_list("waybill_no", flat=True))
    assert len(taken) == 20 and len(set(taken)) == 20 and all(taken)
    assert WaybillNumber.objects.filter(package__isnull=False).count() == 20


def test_page_refuses_a_png_renamed_txt(world, sto):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "PNG")
    client = login(world, "warehouse")
    upload = SimpleUploadedFile("numbers.txt", out.getvalue())
    body = client.post(f"/shipping/waybills/{sto.pk}/load/", {"file": upload}, follow=True).content.decode()
    assert "“numbers.txt”的内容不是文本" in body
    assert not sto.numbers.exists()
