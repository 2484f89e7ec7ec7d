"""SHIP-4: tracking import (file and API) — status from keywords, unknown waybills as errors with their line,
idempotent re-import, 签收 → package and (when all its parcels are signed) order 已签收; the after-shipping message."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from tests.orders.test_states import build_stock, make_order
from zhanggui.core import clock
from zhanggui.core.errors import DomainError
from zhanggui.fulfilment.models import Carrier, Package, TrackingEvent
from zhanggui.fulfilment.services import notify, packages, tracking
from zhanggui.fulfilment.services.carriers import load_carriers
from zhanggui.orders.models import Order
from zhanggui.orders.services import states
from zhanggui.shops.settings_store import update_settings

SHIPPED_AT = dt.datetime(2025, 11, 12, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def stocked(world):
    load_carriers()
    return build_stock(world)


_waybills = iter(range(1, 10_000))


def shipped_package(stocked, order=None, **extra) -> Package:
    """An approved order's package put straight into 已发货 (the ship step belongs to another part)."""
    cs = stocked.world.people["cs"]
    if order is None:
        order = make_order(stocked.world, lines=[(stocked.s, 1)], buyer_nick="小王", **extra)
        states.mark_paid(cs, order)
        states.approve(cs, order)
    package = packages.open_packages(order)[0]
    Package.objects.filter(pk=package.pk).update(
        state=Package.State.SHIPPED,
        carrier=Carrier.objects.get(code="STO"),
        waybill_no=f"7730{next(_waybills):08d}",
        shipped_at=SHIPPED_AT,
    )
    Order.objects.filter(pk=order.pk).update(state=Order.State.SHIPPED)
    package.refresh_from_db()
    return package


def csv_file(rows, name="track.csv") -> SimpleUploadedFile:
    text = "\n".join(",".join(r) for r in rows) + "\n"
    return SimpleUploadedFile(name, text.encode("utf-8-sig"))


@pytest.mark.parametrize(
    ("text", "status"),
    sorted(
        [
            ("【杭州】快件已揽收", "collected"),
            ("快件已到达【南京转运中心】", "in_transit"),
            ("快件已发往【上海】", "in_transit"),
            ("派件员正在派件，电话 138", "delivering"),
            ("已签收，签收人：本人", "signed"),
            ("派送异常，地址不详", "problem"),
            ("买家拒收，退回", "problem"),
            ("signed", "signed"),
            ("天气晴", None),
        ]
    ),
)
def test_status_from_keywords(text, status):
    """SHIP-4: the keywords are data; 异常 wins over 派送 in 派送异常."""
    assert tracking.classify(text) == status


def test_import_keeps_good_rows_reports_bad_ones_and_is_idempotent(stocked):
    a = shipped_package(stocked)
    rows = [
        ["运单号", "时间", "描述", "地点"],
        [a.waybill_no, "2025-11-12 20:00:00", "快件已揽收", "杭州"],
        ["NOPE123", "2025-11-12 21:00:00", "快件已揽收", "杭州"],
        [a.waybill_no, "2025-11-13 08:00", "快件已到达【南京转运中心】", "南京"],
        [a.waybill_no, "not a time", "派件中", ""],
    ]
    result = tracking.import_tracking(None, csv_file(rows))
    assert result.created == 2
    assert result.errors == ["第 3 行：运单号 NOPE123 不存在", "第 5 行：时间“not a time”无法识别"]
    events = list(TrackingEvent.objects.filter(package=a).order_by("at"))
    assert [e.status for e in events] == ["collected", "in_transit"]
    assert events[0].at == dt.datetime(2025, 11, 12, 20, 0, tzinfo=clock.SHANGHAI)  # Beijing time
    assert events[0].location == "杭州"

    again = tracking.import_tracking(None, csv_file(rows))
    assert (again.created, again.duplicates) == (0, 2)
    assert TrackingEvent.objects.filter(package=a).count() == 2


def test_signed_scan_signs_the_package_and_the_order_when_all_parcels_are(stocked):
    """SHIP-4: an order in two parcels becomes 已签收 when the second one is signed for."""
    cs = stocked.world.people["cs"]
    order = make_order(stocked.world, lines=[(stocked.s, 1)])
    states.mark_paid(cs, order)
    states.approve(cs, order)
    first = shipped_package(stocked, order)
    second = packages.create_package([order], [(order.lines.get(), 1)], cs)  # the other parcel of the split
    Package.objects.filter(pk=second.pk).update(
        state=Package.State.SHIPPED, carrier=first.carrier, waybill_no="SECOND0001", shipped_at=SHIPPED_AT
    )

    xlsx = Workbook()
    xlsx.active.append(["运单号", "时间", "状态"])
    xlsx.active.append([first.waybill_no, dt.datetime(2025, 11, 14, 15, 30), "已签收"])
    data = io.BytesIO()
    xlsx.save(data)
    result = tracking.import_tracking(cs, SimpleUploadedFile("t.xlsx", data.getvalue()))
    first.refresh_from_db()
    order.refresh_from_db()
    assert first.state == Package.State.SIGNED
    assert first.signed_at == dt.datetime(2025, 11, 14, 15, 30, tzinfo=clock.SHANGHAI)
    assert result.signed_packages == [first.package_no] and result.signed_orders == []
    assert order.state == Order.State.SHIPPED  # one parcel still on the way

    result = tracking.import_tracking(
        cs, csv_file([["运单号", "时间", "描述"], ["SECOND0001", "2025-11-15 09:00", "已签收"]])
    )
    order.refresh_from_db()
    assert result.signed_orders == [order.platform_order_no]
    assert order.state == Order.State.SIGNED


def test_tracking_page_and_api(stocked, client):
    a = shipped_package(stocked)
    client.force_login(stocked.world.people["warehouse"])
    upload = csv_file(
        [
            ["运单号", "时间", "描述"],
            [a.waybill_no, "2025-11-12 20:00", "快件已揽收"],
            ["X1", "2025-11-12 20:00", "揽收"],
        ]
    )
    response = client.post(reverse("fulfilment:tracking"), {"file": upload})
    body = response.content.decode()
    assert response.status_code == 200 and "第 3 行：运单号 X1 不存在" in body
    payload = {"events": [{"waybill_no": a.waybill_no, "at": "2025-11-14T10:00:00+08:00", "status": "signed"}]}
    response = client.post("/api/v1/tracking", payload, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["signed_packages"] == [a.package_no]
    a.refresh_from_db()
    assert a.state == Package.State.SIGNED
    client.force_login(stocked.world.outsider)  # customer service may not record scans
    payload["events"][0]["at"] = "2025-11-14T11:00:00+08:00"
    assert client.post("/api/v1/tracking", payload, content_type="application/json").status_code == 403


def test_shipped_message_fills_the_template_and_is_marked_sent_once(stocked, client):
    """SHIP-4: the message to the buyer from the shop's template; marking it sent is recorded once."""
    manager = stocked.world.people["manager"]
    a = shipped_package(stocked)
    update_settings(
        manager, stocked.world.shop_a, {"fulfilment.shipped_template": "{买家}:{店铺}/{快递}/{运单号}/{订单号}"}
    )
    assert notify.shipped_message(a) == f"小王:甲店/申通/{a.waybill_no}/{a.order.platform_order_no}"
    client.force_login(stocked.world.people["cs"])
    page = client.get(reverse("fulfilment:messages") + "?day=2025-11-12").content.decode()
    assert a.waybill_no in page and "小王:甲店" in page
    client.post(reverse("fulfilment:message_sent"), {"package": a.pk, "day": "2025-11-12"})
    assert notify.sent_ids([a]) == {a.pk}
    with pytest.raises(DomainError, match="已标记为已发送"):
        notify.mark_sent(manager, a)


def test_tracking_page_refuses_a_png_renamed_csv(stocked, client):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "PNG")
    client.force_login(stocked.world.people["warehouse"])
    response = client.post(reverse("fulfilment:tracking"), {"file": SimpleUploadedFile("轨迹.csv", out.getvalue())})
    assert "“轨迹.csv”的内容不是文本" in response.content.decode()
    assert not TrackingEvent.objects.exists()
