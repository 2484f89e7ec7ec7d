"""The platforms' other files (SHIP-1, SHIP-3): batch-ship uploads, carrier codes, privacy waybills — from plain
values, no database."""

import csv
import datetime as dt
import io

import pytest

from zhanggui.channels import carriers, shipping, waybills


def parcel(order_nos=("1001",), codes=None, **kw):
    return shipping.Parcel(
        order_nos=list(order_nos), carrier_name="申通快递", carrier_code="STO", waybill_no="2680000000301",
        shipped_at=dt.datetime(2026, 5, 17, 18, 5),
        carrier_codes=carriers.platform_codes("STO") if codes is None else codes,
        **kw,
    )  # fmt: skip


def rows(data: bytes, encoding: str):
    return list(csv.reader(io.StringIO(data.decode(encoding))))


def test_each_platform_gets_its_columns_encoding_and_carrier_name():
    """SHIP-1 批量发货: a merged parcel is one row per order; PDD's file is UTF-8 with BOM and its own columns; JD
    names the carrier as its list does; a platform without its own format gets the own channel's."""
    merged = parcel(order_nos=("1001", "1002"))
    taobao = shipping.batch_ship_file("taobao", [merged])
    assert rows(taobao, "gbk") == [["订单编号", "物流公司", "运单号"], ["1001", "申通快递", "2680000000301"],
                                   ["1002", "申通快递", "2680000000301"]]  # fmt: skip
    pdd = shipping.batch_ship_file("pdd", [parcel()])
    assert pdd.startswith(b"\xef\xbb\xbf") and rows(pdd, "utf-8-sig")[0] == ["订单号", "快递公司", "快递单号"]
    header, body, encoding = shipping.batch_ship_rows(
        "jd", [parcel(codes={"jd": {"code": "470", "name": "申通(京东)"}})]
    )
    assert (header, body, encoding) == (
        ["订单号", "物流公司", "运单号"],
        [["1001", "申通(京东)", "2680000000301"]],
        "gbk",
    )
    header, body, _ = shipping.batch_ship_rows("unknown", [parcel(codes={})])
    assert header[2] == "物流公司代码" and body == [["1001", "申通快递", "STO", "2680000000301", "2026-05-17 18:05"]]


@pytest.mark.parametrize(
    ("platform", "source", "inside"),
    [("taobao", "import", True), ("pdd", "api", True), ("taobao", "manual", False), ("jd", "manual", False),
     ("pdd", "manual", False), ("own", "manual", True), ("own", "import", True)],
)  # fmt: skip
def test_a_platform_file_takes_only_the_platforms_own_orders(platform, source, inside):
    """SHIP-1 批量发货: manual orders (our SD… numbers) never go in a marketplace's file; the own channel's: all."""
    assert shipping.in_platform_file(platform, source) is inside


def test_carrier_codes_per_platform_come_from_the_data():
    assert carriers.platform_codes("STO")["jd"] == {"code": "470", "name": "申通快递"}
    assert carriers.platform_codes("NOPE") == {}
    assert carriers.carrier_for_platform({"pdd": {"code": "", "name": "中通快递"}}, "中通", "ZTO", "pdd") == (
        "中通快递",
        "ZTO",
    )


@pytest.mark.parametrize(("platform", "masked"), [("taobao", True), ("tmall", True), ("jd", True), ("pdd", True),
                                                  ("own", False), ("new-market", True)])  # fmt: skip
def test_privacy_waybills_mask_the_receiver_where_the_platform_does(platform, masked):
    """SHIP-1 / TEAM-5: the platforms' privacy waybills print 王* and 139****5678; the own channel prints in full;
    a platform we do not know masks."""
    name, phone = waybills.receiver(platform, "王小明", "13912345678")
    assert ((name, phone) != ("王小明", "13912345678")) == masked
    assert ("****" in phone) == masked and (waybills.receiver_name(platform, "王小明") != "王小明") == masked
    assert waybills.product_title(cod=False) == "标准快递" and waybills.product_title(cod=True) == "代收货款"
