"""Editing an order with a record (ORD-7): exchange (another SKU), quantity, address, carrier —
each on the timeline with old → new, version-checked, refused once shipped; a paid order's reservation follows the
lines (ORD-4), too little stock lands in the out-of-stock queue (ORD-9); the address needs the right to see buyer
data (TEAM-5) and its timeline note never shows it."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from zhanggui.core.errors import DomainError
from zhanggui.core.events import present_event, timeline_for
from zhanggui.core.models import Event
from zhanggui.inventory.models import Reservation
from zhanggui.inventory.services.verify import verify_stock
from zhanggui.orders.models import Order
from zhanggui.orders.services import edits, states

from .pages_setup import orders_world_fixture  # noqa: F401
from .test_manual import new as new_manual
from .test_states import build_stock, level, make_order

S = Order.State
ADDRESS = "浙江省 杭州市 西湖区 文三路 90 号"


@pytest.fixture
def stocked(world):
    return build_stock(world)  # D-黑-S: 10 on hand, D-黑-M: 1


def paid(stocked, *lines, **extra):
    order = make_order(stocked.world, lines=lines, **extra)
    states.mark_paid(stocked.world.people["cs"], order)
    return order


def events(order, kind):
    return list(timeline_for(order).filter(kind=kind))


def with_change_perm(person):
    """`person` with orders.change_order added (a role that may edit orders but not see buyer data)."""
    ct = ContentType.objects.get_for_model(Order)
    person.user_permissions.add(Permission.objects.get(codename="change_order", content_type=ct))
    return type(person).objects.get(pk=person.pk)  # fresh permission cache


# ---- exchange (change SKU) -------------------------------------------------------------------------------------


def test_ORD_7_ORD_4_exchange_moves_the_reservation_to_the_new_sku(stocked):
    cs = stocked.world.people["cs"]
    order = paid(stocked, (stocked.s, 1))
    assert (level(stocked.s).reserved, level(stocked.m).reserved) == (1, 0)
    edits.change_line_sku(cs, order, 1, "D-黑-M", version=order.version)
    line = order.lines.get()
    assert line.sku_id == stocked.m.pk and line.outer_code == "D-黑-S"  # the platform's code stays
    assert (level(stocked.s).reserved, level(stocked.m).reserved) == (0, 1)  # ORD-4: moved, not doubled
    assert not order.exc_out_of_stock
    (event,) = events(order, "order_edit_sku")
    assert (event.from_state, event.to_state, event.actor_number) == ("D-黑-S", "D-黑-M", cs.number)
    assert "D-黑-S → D-黑-M" in event.note
    assert verify_stock().ok  # INV-2: levels still add up to the ledger


def test_ORD_9_exchange_to_a_short_sku_goes_to_the_out_of_stock_queue(stocked):
    order = paid(stocked, (stocked.s, 2))
    edits.change_line_sku(stocked.world.people["cs"], order, 1, stocked.m.code)  # only 1 M on hand
    order.refresh_from_db()
    assert order.exc_out_of_stock and order.lines.get().sku_id == stocked.m.pk
    assert (level(stocked.s).reserved, level(stocked.m).reserved) == (0, 0)  # nothing held, never silently
    assert "库存不足" in events(order, "order_stock")[0].note
    # exchanging back to an available SKU takes it out of the queue again
    edits.change_line_sku(stocked.world.people["cs"], order, 1, stocked.s.code, version=order.version)
    order.refresh_from_db()
    assert not order.exc_out_of_stock and level(stocked.s).reserved == 2


def test_ORD_9_matching_an_unmatched_line_leaves_the_unmatched_queue_and_reserves(stocked):
    order = paid(stocked, (None, 1), exc_unmatched=True)  # outer_code "X": no SKU of ours
    assert not Reservation.objects.filter(reference=states.reference(order)).exists()
    edits.change_line_sku(stocked.world.people["cs"], order, 1, stocked.s.code)
    order.refresh_from_db()
    assert not order.exc_unmatched and level(stocked.s).reserved == 1
    assert events(order, "order_edit_sku")[0].from_state == "未匹配 X"


def test_ORD_7_exchange_refusals_in_chinese(stocked):
    cs = stocked.world.people["cs"]
    order = paid(stocked, (stocked.s, 1))
    for line_no, ref, code in [(1, "NOPE", "unknown_sku"), (1, "D-黑-S", "same_sku"), (9, "D-黑-M", "no_line")]:
        with pytest.raises(DomainError) as info:
            edits.change_line_sku(cs, order, line_no, ref)
        assert info.value.code == code
    stocked.m.is_active = False
    stocked.m.save()
    with pytest.raises(DomainError) as info:
        edits.change_line_sku(cs, order, 1, "D-黑-M")
    assert info.value.code == "sku_inactive" and "停用" in info.value.message


def test_ORD_7_unpaid_order_exchange_reserves_nothing(stocked):
    order = make_order(stocked.world, lines=[(stocked.s, 1)])
    edits.change_line_sku(stocked.world.people["cs"], order, 1, stocked.m.code)
    assert not Reservation.objects.filter(reference=states.reference(order)).exists()
    assert level(stocked.m).reserved == 0


# ---- quantity --------------------------------------------------------------------------------------------------


def test_ORD_7_ORD_4_quantity_change_re_reserves_the_same_sku(stocked):
    """The released reservation of the same SKU must not block reserving it again (unique per reference + SKU)."""
    cs = stocked.world.people["cs"]
    order = paid(stocked, (stocked.s, 2), goods_fen=20000, paid_fen=20000)
    edits.change_quantity(cs, order, 1, 3, version=order.version)
    assert order.lines.get().quantity == 3 and level(stocked.s).reserved == 3
    edits.change_quantity(cs, order, 1, 1, version=order.version)
    assert level(stocked.s).reserved == 1
    order.refresh_from_db()
    assert (order.goods_fen, order.paid_fen) == (20000, 20000)  # a platform order keeps the platform's amounts
    notes = [e.note for e in events(order, "order_edit_qty")]
    assert "数量 3 → 1" in notes[0] and "平台" in notes[0] and "数量 2 → 3" in notes[1]
    assert verify_stock().ok


def test_ORD_7_manual_order_quantity_recomputes_amounts(stocked):
    order = new_manual(stocked)  # 2 × ¥99 + ¥10 postage, paid
    edits.change_quantity(stocked.world.people["cs"], order, 1, "3", version=order.version)
    order.refresh_from_db()
    assert (order.goods_fen, order.paid_fen) == (29700, 30700)
    assert order.lines.get().paid_fen == 29700 and level(stocked.s).reserved == 3


@pytest.mark.parametrize("qty", [-1, 0, 1_000_001, 2**31, "两"])
def test_ORD_7_bad_quantity_refused(stocked, qty):
    order = paid(stocked, (stocked.s, 1))
    with pytest.raises(DomainError) as info:
        edits.change_quantity(stocked.world.people["cs"], order, 1, qty)
    assert info.value.code in ("out_of_range", "bad_number") and info.value.field == "quantity"
    assert "数量" in info.value.message
    assert order.lines.get().quantity == 1


# ---- address ---------------------------------------------------------------------------------------------------


def test_ORD_7_address_change_re_splits_and_writes_a_safe_timeline_note(stocked):
    cs = stocked.world.people["cs"]
    order = paid(
        stocked,
        (stocked.s, 1),
        receiver_name="王小",
        receiver_phone="13911112222",
        address_raw="公司前台",
        exc_address=True,
    )
    edits.change_address(cs, order, name="赵六", phone="139 3333 4444", address=ADDRESS, version=order.version)
    order.refresh_from_db()
    assert (order.receiver_name, order.receiver_phone, order.phone_last4) == ("赵六", "13933334444", "4444")
    assert (order.province, order.city, order.district, order.address_detail) == (
        "浙江省",
        "杭州市",
        "西湖区",
        "文三路 90 号",
    )
    assert order.adcode == "330106" and not order.exc_address  # ORD-9: parses now, out of the address queue
    (event,) = events(order, "order_edit_address")
    assert event.to_state == "浙江省杭州市西湖区" and "尾号 2222 → 4444" in event.note
    for secret in ("赵六", "王小", "文三路", "13933334444", "13911112222", "公司前台"):
        assert secret not in event.note + event.from_state + event.to_state  # TEAM-5
    assert event.data["before"]["address"] == "公司前台"  # the full record, shown to no page or API


def test_ORD_9_unparseable_new_address_goes_to_the_address_queue(stocked):
    order = paid(stocked, (stocked.s, 1), receiver_name="王小", receiver_phone="13911112222")
    edits.change_address(stocked.world.people["cs"], order, name="王小", phone="13911112222", address="前台自取")
    order.refresh_from_db()
    assert order.exc_address and order.address_raw == "前台自取"


def test_ORD_7_address_from_parts_with_postcode(stocked):
    order = paid(stocked, (stocked.s, 1))
    edits.change_address(
        stocked.world.people["cs"],
        order,
        name="赵六",
        phone="0571-88886666",
        province="浙江省",
        city="杭州市",
        district="西湖区",
        detail="文三路 90 号",
        postcode="310012",
    )
    order.refresh_from_db()
    assert order.postcode == "310012" and order.district == "西湖区" and order.receiver_phone == "0571-88886666"


@pytest.mark.parametrize(
    "field,value,code", [("address", "", "required"), ("name", "", "required"), ("phone", "123", "bad_phone")]
)
def test_ORD_7_address_validated_like_manual_orders(stocked, field, value, code):
    order = paid(stocked, (stocked.s, 1))
    args = {"name": "赵六", "phone": "13933334444", "address": ADDRESS, field: value}
    with pytest.raises(DomainError) as info:
        edits.change_address(stocked.world.people["cs"], order, **args)
    assert info.value.code == code


def test_TEAM_5_masked_role_cannot_change_the_address(stocked):
    editor = with_change_perm(stocked.world.people["marketing"])
    order = paid(stocked, (stocked.s, 1))
    with pytest.raises(DomainError) as info:
        edits.change_address(editor, order, name="赵六", phone="13933334444", address=ADDRESS)
    assert info.value.code == "pii_required" and info.value.status == 403
    edits.change_carrier(editor, order, "顺丰")  # the other edits are open to them


# ---- carrier ---------------------------------------------------------------------------------------------------


def test_ORD_7_ORD_2_carrier_change_is_remarked_and_clears_the_old_tracking_number(stocked):
    cs = stocked.world.people["cs"]
    order = paid(stocked, (stocked.s, 1), carrier="中通", tracking_no="ZT123")
    edits.change_carrier(cs, order, "EMS", version=order.version)
    order.refresh_from_db()
    assert (order.carrier, order.tracking_no) == ("EMS", "")
    assert order.seller_remark.endswith(f"{cs.number} EMS 改快递（原 中通）")  # ORD-3: 工号 + 快递 + 备注
    (event,) = events(order, "order_edit_carrier")
    assert (event.from_state, event.to_state) == ("中通", "EMS") and "ZT123" in event.note


# ---- state and version guards ----------------------------------------------------------------------------------

EDITS = {
    "address": lambda cs, o, v: edits.change_address(
        cs, o, name="赵六", phone="13933334444", address=ADDRESS, version=v
    ),
    "carrier": lambda cs, o, v: edits.change_carrier(cs, o, "EMS", version=v),
    "quantity": lambda cs, o, v: edits.change_quantity(cs, o, 1, 2, version=v),
    "sku": lambda cs, o, v: edits.change_line_sku(cs, o, 1, "D-黑-M", version=v),
}


@pytest.mark.parametrize("state", sorted([S.CLOSED, S.COMPLETED, S.PART_SHIPPED, S.SHIPPED, S.SIGNED]))
@pytest.mark.parametrize("edit", sorted(EDITS))
def test_ORD_7_shipped_or_closed_order_is_not_editable(stocked, edit, state):
    order = make_order(stocked.world, state=state, lines=[(stocked.s, 1)])
    with pytest.raises(DomainError) as info:
        EDITS[edit](stocked.world.people["cs"], order, None)
    assert info.value.code == "not_editable" and states.state_label(state) in info.value.message
    order.refresh_from_db()
    assert order.version == 1 and not Event.objects.filter(kind__startswith="order_edit_").exists()


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_ORD_7_stale_version_refused(stocked, edit):
    order = paid(stocked, (stocked.s, 1))
    seen = order.version
    states.hold(stocked.world.people["cs"], order, "买家要求暂缓")  # someone else saved in between
    with pytest.raises(DomainError) as info:
        EDITS[edit](stocked.world.people["cs"], order, seen)
    assert info.value.code == "stale_version"
    EDITS[edit](stocked.world.people["cs"], order, order.version)  # held orders are still editable


# ---- page ------------------------------------------------------------------------------------------------------


def test_ORD_7_detail_page_shows_the_edit_forms_and_an_exchange_posts(orders_world, client_for):
    w = orders_world
    order = w.orders["100000000000001"]  # to_review, one line D-黑-S, reserved
    c = client_for(w.people["cs"])
    html = c.get(f"/orders/{order.pk}/").content.decode()
    assert 'data-action="edit_lines"' in html and 'name="quantity"' in html and 'id="edit-carrier"' in html
    assert '<option value="D-白-M">' in html and '<option value="D-黑-S">' not in html  # the other SKUs
    assert "13911112222" in html  # the address form is prefilled for a PII role
    r = c.post(f"/orders/{order.pk}/edit/sku/", {"line_no": 1, "sku": "D-白-M", "version": order.version})
    assert r.status_code == 302
    assert order.lines.get().sku.code == "D-白-M"
    html = c.get(f"/orders/{order.pk}/").content.decode()
    assert "D-黑-S → D-白-M" in html  # on the timeline
    r = c.post(f"/orders/{order.pk}/edit/quantity/", {"line_no": 1, "quantity": 2, "version": order.version})
    assert "已被他人修改" in c.get(f"/orders/{order.pk}/").content.decode()  # the old version: refused
    assert order.lines.get().quantity == 1


def test_ORD_7_page_hides_edits_from_viewers_and_shipped_orders(orders_world, client_for):
    w = orders_world
    order = w.orders["100000000000001"]
    html = client_for(w.people["warehouse"]).get(f"/orders/{order.pk}/").content.decode()
    assert "data-action=" not in html and "/edit/" not in html  # no 改商品 / 改地址 / 改快递 buttons
    assert (
        client_for(w.people["warehouse"]).post(f"/orders/{order.pk}/edit/carrier/", {"carrier": "EMS"}).status_code
        == 403
    )
    shipped = w.orders["100000000000002"]
    html = client_for(w.people["cs"]).get(f"/orders/{shipped.pk}/").content.decode()
    assert 'data-action="remark"' in html and "/edit/" not in html  # remarks yes, edits no


def test_TEAM_5_masked_role_page_has_no_address_form_and_its_post_is_refused(orders_world, client_for):
    w = orders_world
    order = w.orders["100000000000001"]
    c = client_for(with_change_perm(w.people["marketing"]))
    html = c.get(f"/orders/{order.pk}/").content.decode()
    assert 'data-action="edit_lines"' in html and 'data-action="edit_address"' not in html
    assert 'name="address"' not in html and "13911112222" not in html
    c.post(f"/orders/{order.pk}/edit/address/", {"name": "赵六", "phone": "13933334444", "address": ADDRESS})
    order.refresh_from_db()
    assert order.receiver_name == "王小" and "赵六" not in order.address_raw


def test_TEAM_5_masked_role_timeline_of_an_address_change_shows_no_personal_data(orders_world, client_for):
    w = orders_world
    order = w.orders["100000000000001"]
    edits.change_address(w.people["cs"], order, name="赵六", phone="13933334444", address=ADDRESS)
    viewer = w.people["marketing"]
    shown = [present_event(e, viewer) for e in events(order, "order_edit_address")]
    text = " ".join(f"{e['from_state']} {e['to_state']} {e['note']}" for e in shown)
    assert "浙江省杭州市西湖区" in text and "赵六" not in text and "13933334444" not in text and "文三路" not in text
    html = client_for(viewer).get(f"/orders/{order.pk}/").content.decode()
    assert "文三路" not in html and "13933334444" not in html and "赵六" not in html


# ---- API -------------------------------------------------------------------------------------------------------


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_ORD_7_api_edits(orders_world, client_for):
    w = orders_world
    order = w.orders["100000000000001"]
    c = client_for(w.people["cs"])
    base = f"/api/v1/orders/{order.pk}"
    body = post(c, f"{base}/lines/1/sku", {"sku": "D-黑-M", "version": order.version}).json()
    assert body["lines"][0]["sku_code"] == "D-黑-M" and body["version"] == order.version + 1
    assert any(e["kind"] == "order_edit_sku" for e in body["timeline"])
    body = post(c, f"{base}/lines/1/quantity", {"quantity": 2, "version": body["version"]}).json()
    assert body["lines"][0]["quantity"] == 2
    body = post(c, f"{base}/carrier", {"carrier": "EMS", "version": body["version"]}).json()
    assert body["carrier"] == "EMS"
    body = post(c, f"{base}/address", {"name": "赵六", "phone": "13933334444", "address": ADDRESS}).json()
    assert body["receiver_address"].startswith("浙江省杭州市西湖区") and body["receiver_phone"] == "13933334444"
    r = post(c, f"{base}/carrier", {"carrier": "顺丰", "version": 1})
    assert r.status_code == 400 and r.json()["code"] == "stale_version"
    r = post(c, f"{base}/lines/7/quantity", {"quantity": 2})
    assert r.status_code == 400 and r.json()["code"] == "no_line"


def test_TEAM_5_api_address_refused_for_a_masked_role_and_other_shops_404(orders_world, client_for):
    w = orders_world
    order = w.orders["100000000000001"]
    masked = client_for(with_change_perm(w.people["marketing"]))
    r = post(masked, f"/api/v1/orders/{order.pk}/address", {"name": "赵六", "phone": "13933334444", "address": ADDRESS})
    assert r.status_code == 403 and r.json()["code"] == "pii_required"
    body = post(masked, f"/api/v1/orders/{order.pk}/carrier", {"carrier": "EMS"}).json()
    assert body["carrier"] == "EMS" and body["receiver_phone"] == "139****2222"  # answered masked
    r = post(client_for(w.outsider), f"/api/v1/orders/{order.pk}/carrier", {"carrier": "EMS"})
    assert r.status_code == 404
    r = post(client_for(w.people["warehouse"]), f"/api/v1/orders/{order.pk}/carrier", {"carrier": "EMS"})
    assert r.status_code == 403
