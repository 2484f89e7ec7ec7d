"""The returns pages (INV-5, AS-2, TEAM-1, TEAM-5): the scanner page finds the waiting case (receiver masked for the
warehouse), the form receives it (a second submit of the same form posts nothing), a wrong scan says so and offers
to keep the parcel as an 无主退件 with photos checked by content and served only to staff of that shop; claiming
it for a case leads back to the scan; the case page records the return waybill and shows the new order of an
exchange, and the order page links to the case without orders importing aftersales."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from zhanggui.aftersales.models import Case, UnclaimedReturn
from zhanggui.aftersales.services import receiving
from zhanggui.inventory.models import LedgerEntry

from .returns_setup import inspect, shipped_order, waiting_case

State = Case.State


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (12, 8), (60, 120, 200)).save(out, "PNG")
    return out.getvalue()


def _form(case, per_line=None) -> dict:
    per_line = per_line or {}
    data = {"version": case.version}
    for line in case.lines.select_related("order_line"):
        counts = per_line.get(line.pk, {"intact": line.quantity})
        for k in receiving.OUTCOMES:
            data[f"{k}_{line.order_line.line_no}"] = str(counts.get(k, 0))
    return data


def test_the_scan_page_finds_the_case_and_masks_the_phone_for_the_warehouse_inv_5(world, stock, client_for):
    case = waiting_case(world.people["cs"], shipped_order(world, stock, phone="13900004321"), waybill="ZT555000111")
    client = client_for(world.people["warehouse"])
    page = client.get("/aftersales/returns/")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="return-code"' in html and "autofocus" in html
    html = client.get("/aftersales/returns/?code=zt555000111").content.decode()
    assert f'data-case="{case.number}"' in html and "按退货单号找到 1 个等待退货的售后单" in html
    assert "139****4321" in html and "13900004321" not in html  # TEAM-5: the warehouse sees the phone masked
    assert "文三路" not in html
    assert world.people["cs"].has_perm("aftersales.receive_return")
    assert client_for(world.people["designer"]).get("/aftersales/returns/").status_code == 403


def test_receiving_on_the_page_posts_once_however_often_the_form_is_sent_inv_5(world, stock, client_for):
    case = waiting_case(world.people["cs"], shipped_order(world, stock), waybill="ZT555000222")
    client = client_for(world.people["warehouse"])
    line1, line2 = case.lines.order_by("pk")
    form = _form(case, {line1.pk: {"intact": 1, "damaged": 1}, line2.pk: {"missing": 1}})
    first = client.post(f"/aftersales/returns/{case.pk}/receive/", form, follow=True)
    html = first.content.decode()
    assert "完好 1 件入库，破损 1 件入残损账" in html and "少件 1 件" in html
    again = client.post(f"/aftersales/returns/{case.pk}/receive/", form, follow=True)  # the second tab
    assert "已被" in again.content.decode() or "刷新" in again.content.decode()
    assert LedgerEntry.objects.filter(document=f"case:{case.pk}").count() == 2
    assert Case.objects.get(pk=case.pk).state == State.RECEIVED


def test_a_bad_inspection_comes_back_in_chinese_naming_the_line_inv_5(world, stock, client_for):
    case = waiting_case(world.people["cs"], shipped_order(world, stock))
    client = client_for(world.people["warehouse"])
    line1 = case.lines.order_by("pk").first()
    resp = client.post(f"/aftersales/returns/{case.pk}/receive/", _form(case, {line1.pk: {"intact": 5}}), follow=True)
    assert "第 1 行“退货连衣裙”：完好、破损、错发、少件合计应为 2 件（现为 5 件）" in resp.content.decode()
    assert Case.objects.get(pk=case.pk).state == State.WAITING_RETURN


def test_a_wrong_scan_is_kept_as_an_unclaimed_return_with_photos_served_only_to_its_shop_inv_5(
    world, stock, client_for, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    keeper = world.people["warehouse"]
    client = client_for(keeper)
    html = client.get("/aftersales/returns/?code=YT9988776655").content.decode()
    assert "没有找到退货单号或订单号为 YT9988776655" in html and 'id="keep-unclaimed"' in html
    html_file = SimpleUploadedFile("x.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    refused = client.post(
        "/aftersales/returns/unclaimed/keep/",
        {"tracking_no": "YT9988776655", "shop": world.shop_a.pk, "photos": [html_file]},
        follow=True,
    )
    assert "JPEG" in refused.content.decode() and not UnclaimedReturn.objects.exists()  # nothing half-written
    svg = SimpleUploadedFile("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', content_type="image/svg+xml")
    client.post("/aftersales/returns/unclaimed/keep/", {"tracking_no": "YT9988776655", "shop": world.shop_a.pk,
                                                        "photos": [svg]})  # fmt: skip
    assert not UnclaimedReturn.objects.exists()
    kept = client.post(
        "/aftersales/returns/unclaimed/keep/",
        {"tracking_no": "YT9988776655", "shop": world.shop_a.pk, "note": "一条黑裙", "photos": [
            SimpleUploadedFile("a.png", _png())]},
        follow=True,
    )  # fmt: skip
    assert "已登记为无主退件：YT9988776655" in kept.content.decode()
    unclaimed = UnclaimedReturn.objects.get()
    photo = unclaimed.photos.get()
    assert client.get(f"/aftersales/returns/unclaimed/photos/{photo.pk}/")["Content-Type"] == "image/png"
    assert client_for(world.outsider).get(f"/aftersales/returns/unclaimed/photos/{photo.pk}/").status_code in (403, 404)
    # scanned again: it says where the parcel is, never a second record
    again = client.get("/aftersales/returns/?code=YT9988776655").content.decode()
    assert "已登记为无主退件" in again and UnclaimedReturn.objects.count() == 1


def test_an_unclaimed_return_is_claimed_for_a_case_and_then_scanned_in_inv_5(world, stock, client_for):
    cs, keeper = world.people["cs"], world.people["warehouse"]
    from zhanggui.aftersales.services import unclaimed

    kept = unclaimed.keep(keeper, world.shop_a, "JD0001112223", note="无单号的退件")
    order = shipped_order(world, stock)
    case = waiting_case(cs, order)  # the buyer never told us the waybill
    client = client_for(keeper)
    unknown = client.post(
        f"/aftersales/returns/unclaimed/{kept.pk}/claim/", {"case": "SH000", "version": 1}, follow=True
    )
    assert "没有售后单号或订单号为 SH000 的等待退货售后单" in unknown.content.decode()
    resp = client.post(
        f"/aftersales/returns/unclaimed/{kept.pk}/claim/", {"case": order.platform_order_no, "version": 1}
    )
    assert resp.status_code == 302 and "code=JD0001112223" in resp["Location"]
    kept.refresh_from_db()
    case.refresh_from_db()
    assert (kept.state, kept.case_id, case.return_tracking_no) == ("claimed", case.pk, "JD0001112223")
    assert case.number in client.get(resp["Location"]).content.decode()
    listing = client.get("/aftersales/returns/unclaimed/?state=claimed").content.decode()
    assert "JD0001112223" in listing and case.number in listing


def test_the_case_page_records_the_waybill_and_shows_the_exchange_order_and_the_order_page_links_back_inv_5(
    world, stock, client_for
):
    cs = world.people["cs"]
    order = shipped_order(world, stock)
    case = waiting_case(cs, order, kind="exchange", qtys=(1, 0))
    client = client_for(cs)
    assert 'id="waybill-form"' in client.get(f"/aftersales/{case.pk}/").content.decode()
    client.post(
        f"/aftersales/{case.pk}/waybill/",
        {"tracking_no": "sf 1000 2000 30", "carrier": "顺丰", "version": case.version},
    )
    case.refresh_from_db()
    assert case.return_tracking_no == "SF10002000" + "30"
    bad = client.post(f"/aftersales/{case.pk}/waybill/", {"tracking_no": "<b>", "version": case.version}, follow=True)
    assert "退货快递单号“&lt;b&gt;”应为 6–40 位字母、数字或 -" in bad.content.decode()
    case = receiving.receive(world.people["warehouse"], case, inspect(case))
    new = case.replacement_order
    html = client.get(f"/aftersales/{case.pk}/").content.decode()
    assert 'id="replacement-order"' in html and new.platform_order_no in html and 'id="waybill-form"' not in html
    # the order pages (the original and the new one) show the case through core.navigation
    for shown in (order, new):
        page = client.get(f"/orders/{shown.pk}/").content.decode()
        assert f'href="/aftersales/for-order/?order={shown.pk}"' in page
        assert client.get(f"/aftersales/for-order/?order={shown.pk}")["Location"] == f"/aftersales/{case.pk}/"
    other = shipped_order(world, stock)
    assert "/aftersales/for-order/" not in client.get(f"/orders/{other.pk}/").content.decode()


def test_hostile_numbers_in_the_inspection_are_refused_whole_inv_5(world, stock, client_for):
    """Rule 7: 2^31, 2^63, -1, 10^30 in any count box: a Chinese refusal, nothing posted, no 500."""
    case = waiting_case(world.people["cs"], shipped_order(world, stock))
    client = client_for(world.people["warehouse"])
    for value in (2**31, 2**63, -1, 10**30, 2**31 - 1, "1e3", "１"):
        for box in ("intact_1", "damaged_1", "wrong_1", "missing_2"):
            form = {**_form(case), box: str(value)}
            resp = client.post(f"/aftersales/returns/{case.pk}/receive/", form, follow=True)
            assert (resp.status_code == 200 and "应为 0 或正整数" in resp.content.decode()) or "合计应为" in (
                resp.content.decode()
            ), (box, value)
    assert not LedgerEntry.objects.filter(document=f"case:{case.pk}").exists()
    assert Case.objects.get(pk=case.pk).state == State.WAITING_RETURN
