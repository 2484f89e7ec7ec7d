"""The after-sales pages (AS-2, AS-6, TEAM-1, TEAM-5): the queue with tabs, counts, filters, ages, page numbers and
batch assign; the case page with its buttons, the order summary masked per role and photos served only through a
checked view; opening a case from the order page; what each role may see and do."""

import datetime as dt
import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from zhanggui.aftersales.models import Case, CasePhoto
from zhanggui.aftersales.services import cases, photos
from zhanggui.core import clock
from zhanggui.orders.models import Order

from .setup import lines_of, make_order, open_case

State = Case.State
Kind = Case.Kind


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (12, 8), (200, 60, 60)).save(out, "PNG")
    return out.getvalue()


def _count(html, tab) -> int:
    return int(re.search(rf'data-count="{tab}">(\d+)<', html).group(1))


def test_the_queue_counts_every_state_group_and_keeps_closed_cases_listed_as_6(asw, client_for):
    waiting = cases.move(asw.cs, open_case(asw), State.WAITING_RETURN)
    late = open_case(asw, kind=Kind.EXCHANGE)
    Case.objects.filter(pk=late.pk).update(follow_up_at=clock.now() - dt.timedelta(hours=5))
    cases.move(asw.cs, open_case(asw, kind=Kind.CONSULT, lines=[]), State.DONE)
    html = client_for(asw.cs).get("/aftersales/").content.decode()
    counts = {t: _count(html, t) for t in ("pending", "waiting_buyer", "waiting_return", "overdue", "closed", "all")}
    assert counts == {"pending": 1, "waiting_buyer": 0, "waiting_return": 1, "overdue": 1, "closed": 1, "all": 3}
    assert late.number in html and waiting.number not in html  # 待处理 is the default tab
    assert "逾期 5小时" in html
    closed = client_for(asw.cs).get("/aftersales/?tab=closed").content.decode()
    assert "已完结" in closed


def test_filters_and_ages_live_in_the_url_as_2(asw, client_for):
    ret = open_case(asw)
    exchange = open_case(asw, kind=Kind.EXCHANGE, owner=None, actor=asw.manager)
    Case.objects.filter(pk=ret.pk).update(created_at=clock.now() - dt.timedelta(days=4))
    client = client_for(asw.cs)
    html = client.get("/aftersales/?kind=exchange").content.decode()
    assert exchange.number in html and ret.number not in html
    html = client.get("/aftersales/?age=3").content.decode()
    assert ret.number in html and exchange.number not in html and ">4天<" in html
    html = client.get(f"/aftersales/?q={asw.shipped.platform_order_no}").content.decode()
    assert ret.number in html and exchange.number in html
    html = client.get(f"/aftersales/?owner={asw.cs.pk}").content.decode()
    assert ret.number in html and exchange.number not in html


def test_page_numbers_and_page_size_as_2(asw, client_for):
    for _ in range(22):
        open_case(asw, order=make_order(asw.world.shop_a, Order.State.SHIPPED, shipped_days=1))
    html = client_for(asw.cs).get("/aftersales/").content.decode()
    assert html.count('class="row-check"') == 0 and html.count("row-check") == 20
    assert 'href="?tab=pending&amp;page=2">2</a>' in html
    assert client_for(asw.cs).get("/aftersales/?size=50").content.decode().count("row-check") == 22


def test_batch_assign_from_the_queue_as_6(asw, client_for):
    a, b = open_case(asw), open_case(asw, kind=Kind.EXCHANGE)
    response = client_for(asw.manager).post("/aftersales/assign/", {"case": [a.pk, b.pk], "owner": asw.manager.pk})
    assert response.status_code == 302
    assert set(Case.objects.filter(pk__in=[a.pk, b.pk]).values_list("owner", flat=True)) == {asw.manager.pk}


def test_the_warehouse_sees_returns_read_only_team_1(asw, client_for):
    """TEAM-1: 库管 sees returns and exchanges (not refunds or resends), without buttons; a POST is refused."""
    ret, resend = open_case(asw), open_case(asw, kind=Kind.RESEND)
    client = client_for(asw.world.people["warehouse"])
    html = client.get("/aftersales/?tab=all").content.decode()
    assert ret.number in html and resend.number not in html and "row-check" not in html
    page = client.get(f"/aftersales/{ret.pk}/")
    assert page.status_code == 200 and 'id="case-actions"' not in page.content.decode()
    assert client.get(f"/aftersales/{resend.pk}/").status_code == 404
    assert client.post(f"/aftersales/{ret.pk}/move/", {"to": "waiting_return"}).status_code == 403


def test_finance_reads_every_case_without_buttons_team_1(asw, client_for):
    case = open_case(asw, kind=Kind.RESEND)
    client = client_for(asw.world.people["finance"])
    html = client.get(f"/aftersales/{case.pk}/").content.decode()
    assert case.number in html and 'data-to="resending"' not in html
    assert client.post(f"/aftersales/{case.pk}/note/", {"note": "x"}).status_code == 403


def test_the_receiver_is_masked_for_roles_without_the_right_team_5(asw, client_for):
    case = open_case(asw)
    full = client_for(asw.cs).get(f"/aftersales/{case.pk}/").content.decode()
    masked = client_for(asw.world.people["warehouse"]).get(f"/aftersales/{case.pk}/").content.decode()
    assert "13912345678" in full and "文三路 99 号" in full
    assert "13912345678" not in masked and "139****5678" in masked and "文三路" not in masked


def test_buttons_are_the_moves_of_the_cases_table_as_2(asw, client_for):
    case = open_case(asw, kind=Kind.LOST_DAMAGED, requested_refund_fen=3000)
    html = client_for(asw.cs).get(f"/aftersales/{case.pk}/").content.decode()
    shown = re.findall(r'data-to="(\w+)"', html)
    assert shown == cases.allowed_moves(case) and "claiming" in shown and "waiting_return" not in shown
    assert "向快递理赔" in html and "同意退款" in html


def test_a_move_from_the_page_takes_yuan_and_refuses_too_much_as_5(asw, client_for):
    case = open_case(asw, kind=Kind.REFUND_SHIPPED, requested_refund_fen=5000)
    client = client_for(asw.cs)
    client.post(f"/aftersales/{case.pk}/move/", {"to": "refunding", "amount": "50.01", "version": case.version})
    assert Case.objects.get(pk=case.pk).state == State.NEW
    page = client.get(f"/aftersales/{case.pk}/").content.decode()
    assert "超过了这些商品的实付金额 ¥50.00" in page
    client.post(f"/aftersales/{case.pk}/move/", {"to": "refunding", "amount": "45", "version": case.version})
    assert Case.objects.get(pk=case.pk).agreed_refund_fen == 4500


def test_photos_are_checked_and_served_only_to_staff_of_the_shop_as_2(asw, client_for, settings):
    case = open_case(asw)
    client = client_for(asw.cs)
    fake = SimpleUploadedFile("x.png", b"<html><script>alert(1)</script>", content_type="image/png")
    client.post(f"/aftersales/{case.pk}/photos/", {"file": fake, "kind": "goods"})
    assert not CasePhoto.objects.exists()
    assert "不是有效的图片" in client.get(f"/aftersales/{case.pk}/").content.decode()
    photo = photos.add_photo(asw.cs, case, SimpleUploadedFile("面单.png", _png()), "waybill")
    url = f"/aftersales/photos/{photo.pk}/"
    assert url in client.get(f"/aftersales/{case.pk}/").content.decode()
    assert settings.MEDIA_URL not in client.get(f"/aftersales/{case.pk}/").content.decode()
    served = client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == _png()
    assert client_for(asw.world.outsider).get(url).status_code == 404
    assert client_for(asw.world.people["designer"]).get(url).status_code == 403


def test_the_order_page_offers_open_case_to_those_who_may_as_2(asw, client_for):
    """The button comes from core.navigation (orders never import aftersales) and only for aftersales.add_case."""
    url = f"/orders/{asw.shipped.pk}/"
    html = client_for(asw.cs).get(url).content.decode()
    assert f'href="/aftersales/new/?order={asw.shipped.pk}" data-link="aftersales:new"' in html
    assert "发起售后" in html
    assert 'data-link="aftersales:new"' not in client_for(asw.world.people["finance"]).get(url).content.decode()


def test_opening_a_case_from_the_form_as_2(asw, client_for):
    client = client_for(asw.cs)
    form_url = f"/aftersales/new/?order={asw.shipped.pk}"
    html = client.get(form_url).content.decode()
    assert 'value="return_refund" id="kind-return_refund" checked' in html
    first, second = list(asw.shipped.lines.order_by("line_no"))
    assert f'name="qty_{first.pk}" value="0"' in html  # two lines: the person picks what the case is about
    data = {"kind": "return_refund", f"qty_{first.pk}": "3", f"qty_{second.pk}": "0", "reason_text": "偏小",
            "amount": "50", "owner": asw.cs.pk}  # fmt: skip
    refused = client.post(form_url, data)
    assert refused.status_code == 400 and "1 到 2 之间" in refused.content.decode()
    assert 'value="偏小"' in refused.content.decode()  # nothing typed is lost
    data[f"qty_{first.pk}"] = "1"
    response = client.post(form_url, data)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/aftersales/{case.pk}/"
    assert (case.requested_refund_fen, case.lines.get().quantity) == (5000, 1)
    assert client.get(f"/aftersales/new/?order={asw.other_shop.pk}").status_code == 404


def test_finding_the_order_by_its_number_as_2(asw, client_for):
    client = client_for(asw.cs)
    html = client.get(f"/aftersales/new/?q={asw.shipped.platform_order_no}").content.decode()
    assert 'id="case-form"' in html
    assert "没有订单" in client.get(f"/aftersales/new/?q={asw.other_shop.platform_order_no}").content.decode()
    assert lines_of(asw.shipped)
