"""AS-7 pages: the 中差评 queue with tab counts and filters, the review page (masked order, rendered templates),
reply-and-close, batch assign, the import page and CLI (JSON summary last), the default-positive rates on the
product and shop pages."""

import datetime as dt
import json
from io import StringIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from zhanggui.aftersales import review_selectors as rs
from zhanggui.aftersales.models import Review
from zhanggui.aftersales.services import review_imports as imp
from zhanggui.aftersales.services import reviews as svc
from zhanggui.catalog.services.products import create_product
from zhanggui.core import clock
from zhanggui.orders.models import Order

from .setup import make_order
from .test_reviews import tb_csv, tb_rows


def _import(asw):
    imp.import_files(None, asw.world.shop_a, [("a.csv", tb_csv(asw, tb_rows(asw)))])
    return Review.objects.get(text="裙子起球了")


def test_as7_queue_tabs_counts_and_filters(asw, client):
    _import(asw)
    client.force_login(asw.cs)
    page = client.get(reverse("aftersales:reviews")).content.decode()
    assert 'data-count="to_contact">2<' in page and 'data-count="all">3<' in page
    assert "裙子起球了" in page and "很好" not in page
    page = client.get(reverse("aftersales:reviews"), {"tab": "bad", "rating": "neutral"}).content.decode()
    assert "一般" in page and "裙子起球了" not in page
    assert client.get(reverse("aftersales:list")).content.decode().count('id="reviews-link"') == 1


def test_as7_review_page_masks_the_receiver_and_fills_templates(asw, client):
    review = _import(asw)
    svc.save_template(asw.manager, name="致歉", text="{买家}您好，关于{商品}")
    client.force_login(asw.world.people["warehouse"])
    assert client.get(reverse("aftersales:review", args=[review.pk])).status_code == 403  # no view_review
    client.force_login(asw.world.people["finance"])
    page = client.get(reverse("aftersales:review", args=[review.pk])).content.decode()
    assert "13912345678" not in page and "文三路" not in page
    client.force_login(asw.cs)
    page = client.get(reverse("aftersales:review", args=[review.pk])).content.decode()
    assert "tb_买家您好，关于碎花连衣裙" in page and "13912345678" in page


def test_as7_contact_then_reply_and_close_with_template(asw, client):
    review = _import(asw)
    client.force_login(asw.cs)
    url = reverse("aftersales:review_move", args=[review.pk])
    client.post(url, {"to": "contacted", "version": review.version})
    review.refresh_from_db()
    assert review.state == "contacted"
    client.post(reverse("aftersales:review_reply", args=[review.pk]),
                {"reply": "抱歉", "then": "changed", "version": review.version})  # fmt: skip
    review.refresh_from_db()
    assert (review.state, review.reply_text) == ("changed", "抱歉")
    page = client.get(reverse("aftersales:review", args=[review.pk])).content.decode()
    assert asw.cs.number in page and "已改评" in page


def test_as7_batch_assign_from_the_queue(asw, client):
    review = _import(asw)
    client.force_login(asw.manager)
    client.post(reverse("aftersales:review_assign"), {"review": [review.pk], "owner": asw.cs.pk})
    review.refresh_from_db()
    assert review.owner == asw.cs


def test_as7_other_shops_review_is_404(asw, client):
    review = _import(asw)
    client.force_login(asw.world.outsider)
    assert client.get(reverse("aftersales:review", args=[review.pk])).status_code == 404


def test_as7_import_page_and_template_download(asw, client):
    client.force_login(asw.cs)
    assert client.get(reverse("aftersales:review_import_template")).status_code == 200
    upload = SimpleUploadedFile("评价.csv", tb_csv(asw, [*tb_rows(asw), "2026-11-21,超好,?,x,x,1,,"]))
    page = client.post(reverse("aftersales:review_import"), {"shop": "tb-a", "file": upload}).content.decode()
    assert 'data-n="created">3<' in page and "第 5 行" in page
    upload = SimpleUploadedFile("x.csv", "订单,金额\n1,2\n".encode())
    page = client.post(reverse("aftersales:review_import"), {"shop": "tb-a", "file": upload}).content.decode()
    assert "不是评价导出文件" in page


def test_as7_cli_last_line_is_json_summary(asw, tmp_path):
    path = tmp_path / "评价.csv"
    path.write_bytes(tb_csv(asw, tb_rows(asw), "gb18030"))
    out = StringIO()
    call_command("import-reviews", "--shop", "tb-a", str(path), stdout=out)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary["created"] == 3 and summary["failed"] == 0
    out = StringIO()
    call_command("import-reviews", "--shop", "tb-a", str(path), stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1])["unchanged"] == 3


def test_as7_default_positive_after_the_setting_days(asw):
    """AS-7: an order shipped 45+ days ago without a review counts as positive; one reviewed does not."""
    now = clock.now()
    old = make_order(asw.world.shop_a, Order.State.COMPLETED, shipped_days=50)
    make_order(asw.world.shop_a, Order.State.SHIPPED, shipped_days=10)  # not yet due
    row = rs.rates(shops=[asw.world.shop_a.pk], now=now)
    due_month = f"{clock.local(old.shipped_at + dt.timedelta(days=45)):%Y-%m}"
    counted = {r["month"]: r["default_good"] for r in row}
    assert counted[due_month] == 1 and sum(counted.values()) == 1
    Review.objects.create(shop=asw.world.shop_a, platform_review_id="X", order=old, rating="bad", first_rating="bad",
                          reviewed_at=now, state="to_contact")  # fmt: skip
    row = rs.rates(shops=[asw.world.shop_a.pk], now=now)
    assert sum(r["default_good"] for r in row) == 0 and row[0]["bad"] == 1 and row[0]["bad_rate"] == 100.0


def test_as7_rates_panel_on_product_and_shop_pages(asw, client):
    product = create_product(asw.manager, style_code="RV-1", name="评价裙", colours=["黑色"], sizes=["M"])
    review = _import(asw)
    Review.objects.filter(pk=review.pk).update(product=product, reviewed_at=clock.now())
    client.force_login(asw.cs)
    page = client.get(reverse("catalog:detail", args=[product.pk])).content.decode()
    assert 'id="review-rates"' in page and 'data-panel="product"' in page
    page = client.get(reverse("shops:detail", args=[asw.world.shop_a.pk])).content.decode()
    assert 'data-panel="shop"' in page
    client.force_login(asw.world.people["warehouse"])  # no view_review: no panel
    assert 'id="review-rates"' not in client.get(reverse("catalog:detail", args=[product.pk])).content.decode()
