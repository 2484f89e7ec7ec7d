"""DATA-1: daily shop traffic — the platforms' exports imported as they are (生意参谋, 京东商智, 拼多多), our
template, GBK/UTF-8/BOM, re-import changes nothing, bad rows by line, another platform's file refused whole,
manual entry; conversion (orders ÷ UV) on the dashboard once traffic exists."""

import datetime as dt

import pytest

from zhanggui.analytics import selectors
from zhanggui.analytics.models import ShopDayTraffic
from zhanggui.analytics.services import traffic
from zhanggui.core.errors import DomainError

SYCM = (
    "店铺流量看板,,,,,,,,,\n"
    "统计日期,浏览量,访客数,平均停留时长,老访客数,淘内免费,付费流量,自主访问,淘外流量,其它来源\n"
    "2026-03-01,888,432,424.94,48,114,253,60,0,5\n"
    "2026-03-02,900,440,410,50,120,250,60,1,9\n"
)


def test_data1_sycm_gbk_csv_imported_and_reimport_changes_nothing(world):
    data = SYCM.encode("gbk")
    result = traffic.import_file(None, world.shop_a, "流量.csv", data)
    assert (result.layout, result.created, result.errors) == ("taobao", 2, [])
    row = ShopDayTraffic.objects.get(shop=world.shop_a, day=dt.date(2026, 3, 1))
    assert (row.pv, row.uv, row.stay_seconds, row.returning_permille) == (888, 432, 425, 111)
    assert (row.search, row.free, row.direct, row.paid, row.other) == (0, 114, 60, 253, 5)
    again = traffic.import_file(None, world.shop_a, "流量.csv", ("\ufeff" + SYCM).encode("utf-8"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_data1_bad_rows_by_line_good_rows_kept(world):
    text = SYCM + "2026-02-30,1,1,1,0,0,0,0,0,0\n2026-03-03,abc,5,1,0,0,0,0,0,0\n2026-03-04,10,20,1,0,0,0,0,0,0\n"
    result = traffic.import_file(None, world.shop_a, "f.csv", text.encode())
    assert result.created == 2
    assert result.errors == [
        "第 5 行：日期“2026-02-30”无效",
        "第 6 行：浏览量“abc”不是有效的人数/次数",
        "第 7 行：浏览量 10 少于访客数 20",
    ]


def test_data1_another_platforms_export_refused_whole(world):
    pdd = "日期,商品浏览量,商品访客数,平均停留时长,老访客占比\n2026-03-01,100,50,30,10%\n"
    with pytest.raises(DomainError) as refused:
        traffic.import_file(None, world.shop_a, "pdd.csv", pdd.encode())
    assert "拼多多数据中心" in refused.value.message and "整份文件未导入" in refused.value.message
    assert not ShopDayTraffic.objects.exists()
    jd = "日期,浏览量,访客数,人均浏览量,平均停留时长(秒),回访客占比,京东快车\n2026-03-01,100,50,2,30,10%,20\n"
    assert traffic.import_file(None, world.shop_b, "jd.csv", jd.encode()).created == 1


def test_data1_our_template_xlsx_round_trip(world):
    result = traffic.import_file(None, world.shop_b, "模板.xlsx", traffic.template_xlsx())
    assert (result.layout, result.created, result.errors) == ("template", 1, [])


def test_data1_no_header_said_in_chinese(world):
    with pytest.raises(DomainError) as refused:
        traffic.import_file(None, world.shop_a, "x.csv", b"a,b\n1,2\n")
    assert "访客数" in refused.value.message


def test_data1_manual_entry_bounds_named(world):
    day = dt.date(2026, 3, 1)
    assert traffic.record_day(None, world.shop_a, day, {"pv": 900, "uv": 400, "paid": 100}) == "created"
    with pytest.raises(DomainError) as bad:
        traffic.record_day(None, world.shop_a, day, {"pv": 900, "uv": -5})
    assert "访客数" in bad.value.message and bad.value.field == "uv"
    assert ShopDayTraffic.objects.get(shop=world.shop_a, day=day).uv == 400


def test_data1_traffic_sums_and_shares(world):
    traffic.import_file(None, world.shop_a, "f.csv", SYCM.encode())
    sums = selectors.traffic_sums([world.shop_a.pk], dt.date(2026, 3, 1), dt.date(2026, 3, 2))
    assert (sums["pv"], sums["uv"], sums["days"]) == (1788, 872, 2)
    assert round(sums["shares"]["paid"], 4) == round(503 / 872, 4)
    figures = selectors.figures([world.shop_a.pk], dt.date(2026, 3, 1), dt.date(2026, 3, 2))
    assert figures.uv == 872 and figures.conversion == 0  # no orders those days: 0, not "—"
