"""Order pages: list tabs and search (ORD-6, ORD-9), keyset pages, masking (TEAM-5), shop scope, batch
actions (ORD-3, ORD-7), the detail page's moves and remarks, and the import page (ORD-1)."""

import io
import re

import pytest
from openpyxl import load_workbook

from zhanggui.channels.samples import taobao_pair
from zhanggui.core.models import Job
from zhanggui.orders import selectors
from zhanggui.orders.models import ImportRun, Order

from .pages_setup import orders_world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def listed(response) -> list[str]:
    return re.findall(r'data-order="(\d+)"', response.content.decode())


def count_of(response, key) -> int:
    return int(re.search(rf'data-count="{key}">(\d+)<', response.content.decode()).group(1))


def test_ord9_list_tabs_count_states_and_exception_queues(orders_world, client_for):
    w = orders_world
    r = client_for(w.people["cs"]).get("/orders/")
    assert r.status_code == 200
    assert count_of(r, "all") == 3  # shop_b's order is not in cs's scope
    assert count_of(r, "to_review") == 2 and count_of(r, "shipped") == 1
    assert count_of(r, "exc_unmatched") == 1  # ORD-9: NOPE-1 is no SKU of ours
    r = client_for(w.people["cs"]).get("/orders/?tab=exc_unmatched")
    assert listed(r) == [str(w.orders["100000000000003"].pk)]
    r = client_for(w.people["cs"]).get("/orders/?tab=shipped")
    assert listed(r) == [str(w.orders["100000000000002"].pk)]


def test_ord6_search_by_last_four_digits_tracking_and_sku(orders_world, client_for):
    w = orders_world
    c = client_for(w.people["cs"])
    assert listed(c.get("/orders/?q=4444")) == [str(w.orders["100000000000002"].pk)]  # phone_last4
    assert listed(c.get("/orders/?q=SF1234567890")) == [str(w.orders["100000000000002"].pk)]
    assert listed(c.get("/orders/?q=NOPE-1")) == [str(w.orders["100000000000003"].pk)]  # 商家编码 via lines
    assert len(listed(c.get("/orders/?q=D-黑-S"))) == 2  # the SKU code of the matched lines
    assert listed(c.get("/orders/?q=tb_王小")) == [str(w.orders["100000000000001"].pk)]
    assert listed(c.get("/orders/?q=13911112222")) == [str(w.orders["100000000000001"].pk)]


def test_ord6_filters_date_range_in_beijing_days_and_shop_switcher(orders_world, client_for):
    w = orders_world
    c = client_for(w.people["manager"])
    assert len(listed(c.get("/orders/"))) == 4  # the manager sees both shops
    assert len(listed(c.get(f"/orders/?shop={w.shop_b.code}"))) == 1  # the top bar's switcher
    c.get(f"/scope/?shop={w.shop_a.code}")
    r = c.get("/orders/?from=2026-11-21&to=2026-11-21")
    assert listed(r) == [str(w.orders["100000000000002"].pk)]


def test_list_keyset_pages_continue_without_overlap(orders_world, client_for, monkeypatch):
    """Keyset pagination: next pages continue where the last one ended, previous goes back; ties of ordered_at are
    broken by id so nothing is skipped or repeated."""
    w = orders_world
    Order.objects.filter(shop=w.shop_a, platform_order_no="100000000000003").update(
        ordered_at=w.orders["100000000000002"].ordered_at
    )
    Order.objects.filter(shop=w.shop_a, platform_order_no="100000000000001").update(ordered_at=None)
    monkeypatch.setattr(selectors, "PAGE_SIZE", 1)
    c = client_for(w.people["cs"])
    seen, url, pages = [], "/orders/", []
    while url:
        r = c.get(url)
        html = r.content.decode()
        pages.append(html)
        seen += listed(r)
        m = re.search(r'id="page-next"|href="([^"]+)" id="page-next"', html)
        url = ("/orders/" + m.group(1).replace("&amp;", "&")) if m and m.group(1) else None
    assert len(seen) == 3 and len(set(seen)) == 3
    expected = [
        str(o.pk) for o in Order.objects.filter(shop=w.shop_a).exclude(ordered_at=None).order_by("-ordered_at", "-id")
    ]
    assert seen[:2] == expected and seen[2] == str(w.orders["100000000000001"].pk)
    prev = re.search(r'href="([^"]+)" id="page-prev"', pages[-1]).group(1).replace("&amp;", "&")
    assert listed(c.get("/orders/" + prev)) == [seen[1]]


def test_team5_receiver_masked_for_roles_without_pii(orders_world, client_for):
    """Marketing may see orders but not buyer data: name, phone (also inside the buyer message) are masked."""
    w = orders_world
    order = w.orders["100000000000003"]
    for user, full in ((w.people["marketing"], False), (w.people["cs"], True)):
        c = client_for(user)
        html = c.get(f"/orders/{order.pk}/").content.decode() + c.get("/orders/").content.decode()
        assert ("13955556666" in html) is full
        assert ("139****6666" in html) is not full


def test_outsider_gets_404_on_another_shops_order(orders_world, client_for):
    w = orders_world
    c = client_for(w.outsider)
    order = w.orders["100000000000001"]
    assert c.get(f"/orders/{order.pk}/").status_code == 404
    assert c.post(f"/orders/{order.pk}/remark/", {"note": "x"}).status_code == 404
    assert str(order.pk) not in listed(c.get("/orders/"))


def test_ord3_batch_flag_sets_colour_and_remark(orders_world, client_for):
    w = orders_world
    a, b = w.orders["100000000000001"], w.orders["100000000000002"]
    c = client_for(w.people["cs"])
    r = c.post(
        "/orders/batch/",
        {"action": "flag", "flag": "red", "note": "两单合并", "order": [f"{a.pk}:{a.version}", f"{b.pk}:{b.version}"]},
    )
    assert r.status_code == 302
    for o in (a, b):
        o.refresh_from_db()
        assert o.flag == "red" and o.seller_remark.endswith(f"{w.people['cs'].number} 两单合并")


def test_ord7_batch_approve_is_all_or_nothing_with_per_order_errors(orders_world, client_for):
    w = orders_world
    a, shipped = w.orders["100000000000001"], w.orders["100000000000002"]
    c = client_for(w.people["cs"])
    r = c.post(
        "/orders/batch/",
        {"action": "approve", "order": [f"{a.pk}:{a.version}", f"{shipped.pk}:{shipped.version}"]},
        follow=True,
    )
    html = r.content.decode()
    assert "全部未执行" in html and shipped.platform_order_no in html
    a.refresh_from_db()
    assert a.state == "to_review"  # nothing approved
    r = c.post("/orders/batch/", {"action": "approve", "order": [f"{a.pk}:{a.version}"]})
    a.refresh_from_db()
    assert a.state == "approved"


def test_ord7_detail_shows_allowed_moves_and_refuses_stale_version(orders_world, client_for):
    w = orders_world
    order = w.orders["100000000000001"]
    c = client_for(w.people["cs"])
    html = c.get(f"/orders/{order.pk}/").content.decode()
    assert 'data-to="approved"' in html and 'data-to="on_hold"' in html and 'data-to="shipped"' not in html
    assert f'name="version" value="{order.version}"' in html
    c.post(f"/orders/{order.pk}/move/", {"to": "approved", "version": order.version})
    order.refresh_from_db()
    assert order.state == "approved"
    r = c.post(f"/orders/{order.pk}/move/", {"to": "to_ship", "version": order.version - 1}, follow=True)
    assert "已被他人修改" in r.content.decode()
    order.refresh_from_db()
    assert order.state == "approved"
    c.post(f"/orders/{order.pk}/move/", {"to": "on_hold", "version": order.version, "reason": "买家要求改地址"})
    order.refresh_from_db()
    assert order.state == "on_hold" and order.hold_reason == "买家要求改地址"


def test_ord3_detail_remark_form_writes_number_carrier_note_and_flag(orders_world, client_for):
    w = orders_world
    order = w.orders["100000000000003"]
    c = client_for(w.people["cs"])
    html = c.get(f"/orders/{order.pk}/").content.decode()
    assert "所有信息已核对，可以发货" in html  # the shop's purple meaning beside the colour
    assert "请发顺丰" in html and 'id="buyer-message"' in html
    c.post(
        f"/orders/{order.pk}/remark/", {"note": "尺码换M", "carrier": "顺丰", "flag": "red", "version": order.version}
    )
    order.refresh_from_db()
    assert order.seller_remark == f"{w.people['cs'].number} 顺丰 尺码换M" and order.flag == "red"
    html = c.get(f"/orders/{order.pk}/").content.decode()
    assert "尺码换M" in html and "订单旗帜" in html  # the timeline


def test_ord1_import_page_runs_job_and_serves_report_to_shop_staff_only(
    orders_world, client_for, settings, tmp_path, django_capture_on_commit_callbacks
):
    w = orders_world
    settings.MEDIA_ROOT = tmp_path
    report, detail = taobao_pair([{"no": "200000000000001"}, {"no": "200000000000002", "paid": "abc"}])
    c = client_for(w.people["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(
            "/orders/import/",
            {
                "shop": w.shop_a.pk,
                "files": [_upload("ExportOrderList.csv", report), _upload("ExportOrderDetailList.csv", detail)],
            },
        )
    job = Job.objects.get(kind="orders_import")
    assert r.status_code == 302 and r["Location"] == f"/me/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.status == "done", job.message
    run = ImportRun.objects.get(pk=job.result["run"])
    assert run.shop == w.shop_a and run.created == 1 and run.failed >= 1 and run.job_id == job.pk
    assert Order.objects.filter(shop=w.shop_a, platform_order_no="200000000000001").exists()
    r = c.get(f"/orders/imports/{run.pk}/report/")
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    assert book.active.max_row >= 2 and "200000000000002" in str([c.value for c in book.active["E"]])
    assert client_for(w.outsider).get(f"/orders/imports/{run.pk}/report/").status_code == 404
    html = c.get("/orders/import/").content.decode()
    assert f'data-run="{run.pk}"' in html


def test_ord1_unreadable_file_is_refused_nothing_imported(
    orders_world, client_for, settings, tmp_path, django_capture_on_commit_callbacks
):
    w = orders_world
    settings.MEDIA_ROOT = tmp_path
    before = Order.objects.count()
    c = client_for(w.people["manager"])
    r = c.post("/orders/import/", {"shop": w.shop_a.pk, "files": [_upload("a.pdf", b"%PDF")]})
    assert r.status_code == 400 and "a.pdf：只能上传 .csv、.xlsx、.xls 或 .txt 文件" in r.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        c.post("/orders/import/", {"shop": w.shop_a.pk, "files": [_upload("x.csv", "随便,什么\n1,2\n".encode("gbk"))]})
    job = Job.objects.get(kind="orders_import")
    assert job.status == "failed" and "无法读取" in job.message
    assert Order.objects.count() == before


def test_import_needs_add_order_and_an_allowed_shop(orders_world, client_for):
    w = orders_world
    assert client_for(w.people["designer"]).get("/orders/import/").status_code == 403
    r = client_for(w.outsider).post("/orders/import/", {"shop": w.shop_a.pk})
    assert r.status_code in (400, 403)


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_ord9_home_page_shows_every_exception_queue_with_its_count(orders_world, client_for, world):
    """Nothing hidden: the manager's home lists each order queue (zeros too); roles that do not see orders get none."""
    manager = client_for(world.people["manager"])
    manager.post("/scope/", {"shop": world.shop_a.code})
    page = manager.get("/").content.decode()
    assert 'id="block-order_queues"' in page
    for key in ("exc_out_of_stock", "exc_address", "exc_unmatched", "exc_refund", "exc_risk", "overdue"):
        assert f'data-row="{key}"' in page
    # The order with the unknown code NOPE-1 is in the unmatched queue, linked to its tab.
    unmatched = page.split('data-row="exc_unmatched"')[1].split("</tr>")[0]
    assert "?tab=exc_unmatched" in unmatched and 'data-count="exc_unmatched">1</td>' in unmatched
    designer = client_for(world.people["designer"]).get("/").content.decode()
    assert 'id="block-order_queues"' not in designer and 'id="block-my_orders"' not in designer


def test_ord9_list_shows_every_exception_queue_tab_with_its_owner_line(orders_world, client_for):
    """ORD-9 "each a queue with an owner": every exception tab, the overdue one included, and under the active
    exception tab who answers for it (nobody yet: in red)."""
    c = client_for(orders_world.people["cs"])
    html = c.get("/orders/").content.decode()
    for key in selectors.QUEUE_KEYS:
        assert f'data-tab="{key}"' in html
    assert 'id="queue-owner"' not in html  # the "all" tab is no queue
    owner = c.get("/orders/?tab=exc_refund").content.decode().split('id="queue-owner"')[1].split("</p>")[0]
    assert "退款申请订单" in owner and "text-danger" in owner


def test_ord1_import_page_refuses_a_png_renamed_csv(orders_world, client_for, settings, tmp_path):
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "PNG")
    c = client_for(orders_world.people["manager"])
    r = c.post("/orders/import/", {"shop": orders_world.shop_a.pk, "files": [_upload("订单.csv", out.getvalue())]})
    assert r.status_code == 400 and "订单.csv：“订单.csv”的内容不是文本" in r.content.decode()
    assert not Job.objects.exists()
