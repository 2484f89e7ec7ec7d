"""ORD-4: the buyer's confirmation message (template setting, 已发送 / 买家已确认 on the timeline, masked for roles
without buyer-data rights, TEAM-5) and ORD-5: the finance page and API for bank transfers (ORD-3 green flag)."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType

from zhanggui.core.errors import DomainError
from zhanggui.core.models import Event
from zhanggui.orders.models import Order
from zhanggui.orders.services import confirm, states
from zhanggui.orders.services.confirm import confirmation_text, mark_confirmed, mark_sent, render_template
from zhanggui.orders.services.manual import create_manual_order
from zhanggui.shops.settings_store import update_settings

from .test_states import build_stock

S = Order.State
PHONE = "13812345678"


@pytest.fixture
def stocked(world):
    return build_stock(world)


def new(stocked, shop=None, **kw):
    args = dict(
        receiver_name="王五",
        receiver_phone=PHONE,
        address="广东省 深圳市 南山区 科技园南路 1 号",
        lines=[("D-黑-S", 2, 9900)],
        postage_fen=1000,
        buyer_nick="小王的店",
    )
    args.update(kw)
    actor = stocked.world.people["manager"] if shop else stocked.world.people["cs"]
    return create_manual_order(actor, shop or stocked.world.shop_a, **args)


def kinds(order) -> list[str]:
    ct = ContentType.objects.get_for_model(Order)
    return list(
        Event.objects.filter(content_type=ct, object_id=str(order.pk)).order_by("id").values_list("kind", flat=True)
    )


# ---- the message ------------------------------------------------------------------------------------------------


def test_ORD_4_template_keeps_unknown_placeholders_and_never_raises():
    values = {"收货人": "王五", "电话": PHONE}
    text = render_template("{收货人} {电话} {未知} {0} {a.b} { 单独的括号 {", values)
    assert text == f"王五 {PHONE} {{未知}} {{0}} {{a.b}} {{ 单独的括号 {{"
    assert render_template("{收货人}", {"收货人": "{电话}"}) == "{电话}"  # a value is not filled in again


def test_ORD_4_default_message_carries_the_receiving_details(stocked):
    order = new(stocked)
    text = confirmation_text(order)
    for part in ("王五", PHONE, "广东省深圳市南山区科技园南路 1 号", "连衣裙 黑;S ×2", "甲店", order.platform_order_no):
        assert part in text
    assert "{" not in text  # every default placeholder is known


def test_ORD_4_shop_setting_overrides_the_template(stocked):
    w = stocked.world
    update_settings(w.people["manager"], w.shop_a, {"orders.confirm_template": "亲，{收货人} {电话} 对吗？{优惠}"})
    order = new(stocked)
    assert confirmation_text(order) == f"亲，王五 {PHONE} 对吗？{{优惠}}"
    other = new(stocked, shop=w.shop_b)
    assert confirmation_text(other).startswith("亲，您好！这里是乙店")  # the other shop keeps the default


def test_ORD_4_masked_text_hides_name_phone_and_street(stocked):
    order = new(stocked, buyer_nick=PHONE)  # a nick that is a phone number is masked too
    text = confirmation_text(order, masked=True)
    assert PHONE not in text and "王五" not in text and "科技园" not in text
    assert "138****5678" in text and "王*" in text and "广东省深圳市南山区****" in text


# ---- sent / confirmed ---------------------------------------------------------------------------------------------


def test_ORD_4_sent_and_confirmed_are_recorded_with_the_timeline(stocked):
    cs = stocked.world.people["cs"]
    order = new(stocked)
    version = order.version
    mark_sent(cs, order, version=version)
    assert order.confirm_sent_at is not None and order.version == version + 1
    with pytest.raises(DomainError) as info:
        mark_confirmed(cs, order, version=version)  # based on the page before the send
    assert info.value.code == "stale_version"
    mark_confirmed(cs, order, version=order.version, note="买家回复：确认")
    order.refresh_from_db()
    assert order.buyer_confirmed_at is not None and order.confirm_sent_at <= order.buyer_confirmed_at
    assert kinds(order)[-2:] == ["order_confirm_sent", "order_buyer_confirmed"]
    event = Event.objects.filter(kind="order_confirm_sent", object_id=str(order.pk)).get()
    assert event.actor_number == cs.number and PHONE not in event.note and "王五" not in event.note
    with pytest.raises(DomainError) as info:
        mark_confirmed(cs, order)
    assert info.value.code == "already_confirmed"


def _unpaid(stocked):
    return new(stocked, paid=False)


def _closed(stocked):
    return states.close(stocked.world.people["cs"], new(stocked), "买家不要了")


def _shipped(stocked):
    cs = stocked.world.people["cs"]
    order = new(stocked)
    states.approve(cs, order)
    states.send_to_ship(cs, order)
    return states.ship(cs, order, carrier="顺丰", tracking_no="SF1")


def _bank_held(stocked):
    return new(stocked, payment_method="bank")


@pytest.mark.parametrize(
    "make,code",
    [
        (_bank_held, "payment_unconfirmed"),  # ORD-5: the money is not confirmed yet
        (_closed, "not_confirmable"),
        (_shipped, "not_confirmable"),
        (_unpaid, "not_confirmable"),
    ],
    ids=["bank_held", "closed", "shipped", "unpaid"],
)
def test_ORD_4_no_confirmation_where_it_makes_no_sense(stocked, make, code):
    order = make(stocked)
    for change in (mark_sent, mark_confirmed):
        with pytest.raises(DomainError) as info:
            change(stocked.world.people["cs"], order)
        assert info.value.code == code
    order.refresh_from_db()
    assert order.confirm_sent_at is None and order.buyer_confirmed_at is None


def test_ORD_4_a_role_without_buyer_data_cannot_mark_it_sent(stocked):
    order = new(stocked)
    with pytest.raises(DomainError) as info:
        mark_sent(stocked.world.people["finance"], order)
    assert info.value.code == "forbidden"


# ---- the detail page panel ------------------------------------------------------------------------------------------


def test_ORD_4_detail_panel_full_for_cs_masked_for_marketing(stocked, client_for):
    w = stocked.world
    order = new(stocked)
    page = client_for(w.people["cs"]).get(f"/orders/{order.pk}/").content.decode()
    assert 'id="buyer-confirmation"' in page and 'id="confirm-copy"' in page and "navigator.clipboard" in page
    assert 'id="confirm-sent-form"' in page and 'data-confirm-state="todo"' in page
    assert confirmation_text(order) in page.replace("&#x27;", "'")
    # A role that can neither send nor record it gets no card until something is recorded, then only the times.
    viewer = client_for(w.people["marketing"])
    assert 'id="buyer-confirmation"' not in viewer.get(f"/orders/{order.pk}/").content.decode()
    mark_sent(w.people["cs"], order)
    masked = viewer.get(f"/orders/{order.pk}/").content.decode()
    assert 'id="buyer-confirmation"' in masked and 'data-confirm-state="sent"' in masked
    assert 'id="confirm-text"' not in masked and confirmation_text(order, masked=True) not in masked
    assert PHONE not in masked and "科技园" not in masked
    assert 'id="confirm-copy"' not in masked and 'id="confirm-sent-form"' not in masked


def test_ORD_4_detail_buttons_record_sent_and_confirmed(stocked, client_for):
    order = new(stocked)
    c = client_for(stocked.world.people["cs"])
    r = c.post(f"/orders/{order.pk}/confirmation/sent/", {"version": order.version}, follow=True)
    assert 'data-confirm-state="sent"' in r.content.decode()
    order.refresh_from_db()
    c.post(f"/orders/{order.pk}/confirmation/confirmed/", {"version": order.version})
    order.refresh_from_db()
    assert order.confirm_sent_at and order.buyer_confirmed_at
    page = c.get(f"/orders/{order.pk}/").content.decode()
    assert 'data-confirm-state="confirmed"' in page and 'id="confirm-confirmed-form"' not in page


def test_ORD_4_no_panel_before_payment(stocked, client_for):
    order = new(stocked, paid=False)
    assert (
        'id="buyer-confirmation"'
        not in client_for(stocked.world.people["cs"]).get(f"/orders/{order.pk}/").content.decode()
    )


# ---- API ------------------------------------------------------------------------------------------------------------


def test_ORD_4_api_confirmation_masked_per_role_and_recorded(stocked, client_for):
    w = stocked.world
    order = new(stocked)
    url = f"/api/v1/orders/{order.pk}/confirmation"
    full = client_for(w.people["cs"]).get(url).json()
    assert full["text"] == confirmation_text(order) and not full["masked"] and full["applicable"]
    masked = client_for(w.people["marketing"]).get(url).json()
    assert masked["masked"] and PHONE not in masked["text"] and "王五" not in masked["text"]
    assert client_for(w.people["marketing"]).post(f"{url}/sent", {}, content_type="application/json").status_code == 403
    assert client_for(w.outsider).get(url).status_code == 404  # another shop's order does not exist for them
    c = client_for(w.people["cs"])
    sent = c.post(f"{url}/sent", {"version": order.version}, content_type="application/json").json()
    assert sent["confirm_sent_at"] and sent["version"] == order.version + 1
    stale = c.post(f"{url}/confirmed", {"version": order.version}, content_type="application/json")
    assert stale.status_code == 400 and stale.json()["code"] == "stale_version"
    done = c.post(f"{url}/confirmed", {"version": sent["version"]}, content_type="application/json").json()
    assert done["buyer_confirmed_at"]


# ---- ORD-5: finance ---------------------------------------------------------------------------------------------


@pytest.fixture
def held(stocked):
    """Two bank orders of shop_a on hold (the older first), one of shop_b, and a paid Alipay order of shop_a."""
    w = stocked.world
    held = type("Held", (), {})()
    held.stocked = stocked
    held.first = new(stocked, payment_method="bank", lines=[("D-黑-S", 1, 5000)], postage_fen=0)
    held.second = new(stocked, payment_method="bank")
    held.other_shop = new(stocked, shop=w.shop_b, payment_method="bank", lines=[("D-黑-S", 1, 100)])
    held.alipay = new(stocked, payment_method="alipay", lines=[("D-黑-S", 1, 100)])
    return held


def test_ORD_5_finance_page_lists_held_bank_orders_of_own_shops_oldest_first(held, client_for):
    r = client_for(held.stocked.world.people["finance"]).get("/orders/payments/")
    assert r.status_code == 200
    page = r.content.decode()
    rows = [int(x) for x in re.findall(r'<tr data-order="(\d+)"', page)]
    assert rows == [held.first.pk, held.second.pk]  # not shop_b's (finance works for shop_a), not the Alipay one
    assert "¥50.00" in page and 'value="50.00"' in page  # amount due, prefilled in yuan


@pytest.mark.parametrize("role", ["cs", "marketing", "warehouse"])
def test_ORD_5_finance_page_is_for_finance_only(held, client_for, role):
    c = client_for(held.stocked.world.people[role])
    assert c.get("/orders/payments/").status_code == 403
    assert c.post(f"/orders/payments/{held.first.pk}/confirm/", {"bank": "工行", "amount": "50"}).status_code == 403
    held.first.refresh_from_db()
    assert held.first.state == S.ON_HOLD


def test_ORD_5_confirming_releases_the_hold_and_flags_green(held, client_for):
    finance = held.stocked.world.people["finance"]
    c = client_for(finance)
    url = f"/orders/payments/{held.first.pk}/confirm/"
    short = c.post(url, {"bank": "工商银行", "amount": "49.99", "version": held.first.version}, follow=True)
    assert "少于订单应付" in short.content.decode()
    held.first.refresh_from_db()
    assert held.first.state == S.ON_HOLD
    r = c.post(url, {"bank": "工商银行", "amount": "50.00", "version": held.first.version}, follow=True)
    held.first.refresh_from_db()
    assert held.first.state == S.TO_REVIEW and held.first.flag == Order.Flag.GREEN  # ORD-3 green
    assert held.first.seller_remark.splitlines()[-1] == f"{finance.number} 工商银行 到账 ¥50.00"
    page = r.content.decode()
    assert f'<tr data-order="{held.first.pk}"' not in page  # no longer waiting
    assert f'data-recent="{held.first.pk}"' in page and "工商银行 到账 ¥50.00" in page  # confirmed this week
    assert c.post(f"/orders/payments/{held.other_shop.pk}/confirm/", {"bank": "x", "amount": "1"}).status_code == 404


def test_ORD_5_api_payment_confirmation(held, client_for):
    w = held.stocked.world
    url = f"/api/v1/orders/{held.second.pk}/payment-confirmation"
    body = {"bank": "招商银行", "amount_fen": 20800, "version": held.second.version}
    assert client_for(w.people["cs"]).post(url, body, content_type="application/json").status_code == 403
    r = client_for(w.people["finance"]).post(url, body, content_type="application/json")
    assert r.status_code == 200
    out = r.json()
    assert out["state"] == S.TO_REVIEW and out["flag"] == "green"
    assert confirm.can_confirm(Order.objects.get(pk=held.second.pk))  # now the buyer can be asked (ORD-4)
