"""导出当前筛选 (ORD-6, TEAM-5): the order list's export is exactly what the list shows (tab, filters, search, shops),
in people's words (Chinese headers and labels, yuan), masked for roles without buyer data, escaped per the one
export-cell rule, built as a background job and fetched from the job page; another team's shop exports nothing."""

import io
import re

import pytest
from openpyxl import load_workbook

from zhanggui.core.models import Job
from zhanggui.orders.models import Order
from zhanggui.orders.selectors import Filters
from zhanggui.orders.services import list_export

from .pages_setup import ORDERS, import_taobao, orders_world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def export(django_capture_on_commit_callbacks):
    """export(client, query): POST the list's export button with `query` (the job runs after the commit), open the
    job page, download the file from it: the rows as dicts by header."""

    def run(client, query: str = "") -> list[dict]:
        with django_capture_on_commit_callbacks(execute=True):
            r = client.post(f"/orders/export/?{query}")
        assert r.status_code == 302, r.status_code
        job = Job.objects.get(pk=int(re.search(r"/me/jobs/(\d+)/", r["Location"]).group(1)))
        assert job.status == Job.Status.DONE, job.message
        page = client.get(r["Location"]).content.decode()
        assert f"/me/jobs/{job.pk}/download/" in page  # the user gets the file from the job page
        data = client.get(f"/me/jobs/{job.pk}/download/")
        sheet = load_workbook(io.BytesIO(b"".join(data.streaming_content))).active
        rows = [[c.value for c in row] for row in sheet.iter_rows()]
        return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]

    return run


def test_export_holds_exactly_the_orders_of_the_tab_filters_and_search(orders_world, client_for, export):
    w = orders_world
    c = client_for(w.people["cs"])
    rows = export(c, "tab=to_review")
    assert [r["订单号"] for r in rows] == ["100000000000003", "100000000000001"]  # the list's order, newest first
    rows = export(c, "tab=all&q=4444")  # search: the phone's last four digits
    assert [r["订单号"] for r in rows] == ["100000000000002"]
    rows = export(c, "tab=all&from=2026-11-21&to=2026-11-22")
    assert {r["订单号"] for r in rows} == {"100000000000002", "100000000000003"}
    rows = export(c, "tab=exc_unmatched")
    assert [r["订单号"] for r in rows] == ["100000000000003"]


def test_export_speaks_chinese_with_labels_and_yuan(orders_world, client_for, export):
    w = orders_world
    Order.objects.filter(pk=w.orders["100000000000002"].pk).update(flag="purple", payment_method="alipay")
    rows = export(client_for(w.people["cs"]), "tab=shipped")
    assert len(rows) == 1
    row = rows[0]
    assert row["店铺"] == "甲店" and row["平台"] == "淘宝"
    assert row["状态"] == "已发货" and row["旗帜"] == "紫旗" and row["支付方式"] == "支付宝"
    assert row["来源"] == "导出文件" and row["订单类型"] == "普通订单"
    assert row["实付（元）"] == 99 and row["件数"] == 1  # yuan, not fen
    assert row["快递公司"] == "顺丰速运" and row["快递单号"] == "SF1234567890"
    assert row["下单时间"] == "2026-11-21 10:00:00"  # Beijing time
    assert "D-黑-S" in row["商品"]
    for value in row.values():  # no stored code reaches the file
        assert value not in {"shipped", "purple", "alipay", "import", "normal", "taobao"}


def test_export_masks_receiver_for_roles_without_buyer_data(orders_world, client_for, export):
    """TEAM-5: marketing may export orders but gets masked names, phones and addresses (also inside the buyer
    message); customer service holds crm.view_buyer_pii and gets them in full, as on the page."""
    w = orders_world
    masked = {r["订单号"]: r for r in export(client_for(w.people["marketing"]), "tab=all")}
    row = masked["100000000000003"]
    assert row["手机号"] == "139****6666" and row["收货人"] == "张*"
    assert row["收货地址"].endswith("****")
    assert "13955556666" not in row["买家留言"]
    full = {r["订单号"]: r for r in export(client_for(w.people["cs"]), "tab=all")}
    assert full["100000000000003"]["手机号"] == "13955556666"


def test_a_formula_looking_buyer_remark_is_escaped(orders_world, client_for, export):
    w = orders_world
    import_taobao(
        w.people["manager"],
        w.shop_a,
        [{**ORDERS[0], "no": "100000000000009", "message": '=HYPERLINK("http://x","点我")', "remark": "@SUM(A1)"}],
    )
    rows = export(client_for(w.people["cs"]), "q=100000000000009")
    assert rows[0]["买家留言"] == '\'=HYPERLINK("http://x","点我")'
    assert rows[0]["卖家备注"] == "'@SUM(A1)"


def test_a_user_without_the_shop_cannot_export_its_orders(orders_world, client_for, export):
    w = orders_world
    c = client_for(w.outsider)  # shop_b only
    assert c.post(f"/orders/export/?shop={w.shop_a.code}").status_code == 404
    assert not Job.objects.filter(created_by=w.outsider).exists()
    rows = export(c, "tab=all")  # their own list: shop_b only
    assert [r["订单号"] for r in rows] == [w.order_b.platform_order_no]


def test_the_job_checks_the_shops_again_when_it_runs(orders_world):
    """Access taken away between the click and the run (or a job's parameters naming another shop) exports
    nothing of that shop."""
    w = orders_world
    qs = list_export.export_queryset(w.outsider, [w.shop_a.pk, w.shop_b.pk], "all", Filters())
    assert list(qs.values_list("shop_id", flat=True)) == [w.shop_b.pk]


def test_export_needs_a_post_and_the_order_view_right(orders_world, client_for):
    w = orders_world
    assert client_for(w.people["cs"]).get("/orders/export/").status_code == 405
    assert client_for(w.people["designer"]).post("/orders/export/").status_code == 403
