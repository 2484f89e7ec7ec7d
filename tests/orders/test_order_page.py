"""The order page (/orders/<id>/) as the people who open it see it: a header with the number, shop, state, flag,
exceptions, deadline (SHIP-2) and amounts; the actions as labelled buttons whose forms open only when clicked,
exactly the moves of the state machine (ORD-7, ORD-5, ORD-8) and what the role may do; the facts in the main column
(lines with their stock, receiver masked per role TEAM-5, remarks ORD-3, packages, payment) and the timeline on
the right (ORD-6); no card without content, for every role."""

import datetime as dt
import re

import pytest

from tests.conftest import ROLE_CODES
from tests.orders.test_states import build_stock, make_order
from zhanggui.core import clock
from zhanggui.fulfilment.services.carriers import load_carriers
from zhanggui.orders.models import Order, OrderLine
from zhanggui.orders.services import order_actions, remarks, states
from zhanggui.team.models import Role

from .html_tree import parse

S = Order.State
PHONE = "13912345678"
RECEIVER = {
    "receiver_name": "王小明",
    "receiver_phone": PHONE,
    "province": "浙江省",
    "city": "杭州市",
    "district": "西湖区",
    "address_detail": "文三路 100 号",
    "buyer_nick": "tb_小明",
}
# A card body that only says there is nothing ("还没有备注。", "暂无记录。", "—").
NOTHING = re.compile(r"^(|—|-|无|(暂无|还没有|尚无|没有)[^，。]{0,12}。?)$")
STATE_CODES = re.compile(r"\b(pending_payment|to_review|approved|to_ship|part_shipped|on_hold|shipped|closed)\b")


class Orders:
    pass


def paid(stock, *, qty=1, sku=None, flag_note="", **extra) -> Order:
    """A paid order of shop_a (¥99 a unit) in 待审核, its goods reserved (ORD-4)."""
    sku = sku or stock.s
    order = make_order(
        stock.world,
        lines=[(sku, qty)],
        goods_fen=9900 * qty,
        paid_fen=9900 * qty,
        ordered_at=clock.now() - dt.timedelta(hours=2),
        **{**RECEIVER, **extra},
    )
    OrderLine.objects.filter(order=order).update(unit_price_fen=9900, paid_fen=9900 * qty, title="碎花连衣裙")
    states.mark_paid(stock.world.people["cs"], order)
    if flag_note:
        remarks.add_remark(stock.world.people["cs"], order, flag_note, "顺丰", flag="purple")
    order.refresh_from_db()
    return order


@pytest.fixture
def orders(world):
    load_carriers()
    stock = build_stock(world)
    o = Orders()
    o.world = world
    o.review = paid(stock, flag_note="尺码已确认", buyer_message="请发顺丰")
    o.bare = paid(stock)  # no remark, no message
    o.short = paid(stock, qty=5, sku=stock.m)  # 1 black-M on hand: out of stock (ORD-9)
    o.approved = paid(stock)
    states.approve(world.people["cs"], o.approved)  # fulfilment makes its package
    o.bank = paid(stock, payment_method="bank")  # ORD-5: on hold until finance confirms the money
    for order in (o.review, o.bare, o.short, o.approved, o.bank):
        order.refresh_from_db()
    return o


def page(client_for, person, order):
    response = client_for(person).get(f"/orders/{order.pk}/")
    assert response.status_code == 200
    return parse(response.content.decode())


def button_of(action):
    """What a person clicks: the <summary> of an action with a form, else its submit button."""
    return action.find("summary") or action.find("button")


def action_keys(tree) -> list[str]:
    bar = tree.by_id("order-actions")
    return [e.attrs["data-action"] for e in bar.iter() if "data-action" in e.attrs] if bar else []


# ---- the header -------------------------------------------------------------------------------------------------


def test_header_names_number_shop_platform_state_flag_deadline_and_amounts_SHIP_2(orders, client_for):
    tree = page(client_for, orders.world.people["cs"], orders.review)
    header = tree.by_id("order-header")
    text = header.text()
    assert orders.review.platform_order_no in text and "甲店" in text and "淘宝" in text
    badge = header.find("span", data_state="to_review")
    assert badge is not None and "text-bg-warning" in badge.classes and badge.text() == "待审核"
    flag = header.find(data_flag="purple")
    assert flag is not None and "尺码已确认" in flag.attrs.get("title", "")  # the remark on hover
    assert "实付" in text and "¥99.00" in text
    assert "最晚发货" in text and "剩余" in text  # SHIP-2: paid 2 hours ago, 48 hours to ship
    assert "尺码已确认" not in header.text()  # the remark itself stays in the main column


def test_header_shows_exceptions_and_an_overdue_deadline_SHIP_2_ORD_9(orders, client_for):
    Order.objects.filter(pk=orders.short.pk).update(paid_at=clock.now() - dt.timedelta(days=3))
    header = page(client_for, orders.world.people["cs"], orders.short).by_id("order-header")
    assert "缺货" in header.text()
    deadline = header.by_id("ship-deadline")
    assert deadline is not None and "已超时" in deadline.text() and "text-danger" in deadline.classes


# ---- actions ----------------------------------------------------------------------------------------------------


def test_actions_are_labelled_buttons_whose_forms_open_only_when_clicked_ORD_7(orders, client_for):
    tree = page(client_for, orders.world.people["cs"], orders.review)
    bar = tree.by_id("order-actions")
    labels = {button_of(e).text() for e in bar.iter() if "data-action" in e.attrs}
    assert {"审核通过", "挂起", "关闭订单", "改商品", "改地址", "改快递", "备注与旗帜", "转为定制订单"} <= labels
    fields = [
        e
        for e in tree.iter()
        if e.tag in ("input", "select", "textarea") and e.attrs.get("type") not in ("hidden", "submit")
    ]
    for field in [f for f in fields if bar in f.ancestors()]:
        details = field.inside("details")
        assert details is not None and "open" not in details.attrs, field.attrs  # closed until its button
        label = tree.find("label", **{"for": field.attrs.get("id", "-")})
        assert label is not None and label.text(), field.attrs  # every field says what it is
    reasons = [f for f in fields if f.attrs.get("name") == "reason"]
    assert len(reasons) == 2 and all(bar in r.ancestors() for r in reasons)  # 挂起 and 关闭: nowhere else
    assert tree.by_id("remark-form").inside("details") is not None


def test_approve_is_one_click_and_a_hold_needs_its_reason_ORD_7(orders, client_for):
    c = client_for(orders.world.people["cs"])
    order = orders.review
    c.post(f"/orders/{order.pk}/move/", {"to": "on_hold", "version": order.version, "reason": "买家要求改地址"})
    order.refresh_from_db()
    assert order.state == S.ON_HOLD and order.hold_reason == "买家要求改地址"
    tree = parse(c.get(f"/orders/{order.pk}/").content.decode())
    assert "买家要求改地址" in tree.by_id("order-header").text()
    assert {k for k in action_keys(tree) if k.startswith("move:")} == {"move:to_review", "move:closed"}
    release = tree.find(data_action="move:to_review")
    assert release.find("summary") is None and release.find("button").text() == "解除挂起"  # one click


@pytest.mark.parametrize("name", ["review", "short", "approved", "bank"])
def test_the_moves_shown_are_the_state_machines_ORD_5_ORD_7(orders, client_for, name):
    order = getattr(orders, name)
    keys = action_keys(page(client_for, orders.world.people["cs"], order))
    assert {k for k in keys if k.startswith("move:")} == {f"move:{s}" for s in states.allowed_moves(order)}
    assert sorted(keys) == sorted(order_actions.order_actions(orders.world.people["cs"], order))


def test_a_bank_hold_is_released_by_finance_not_by_a_button_ORD_5(orders, client_for):
    order = orders.bank
    assert order.state == S.ON_HOLD and states.allowed_moves(order) == [S.CLOSED]
    assert "move:to_review" not in action_keys(page(client_for, orders.world.people["cs"], order))
    finance = orders.world.people["finance"]
    assert action_keys(page(client_for, finance, order)) == ["confirm_payment"]
    r = client_for(finance).post(
        f"/orders/payments/{order.pk}/confirm/",
        {"bank": "工商银行", "amount": "99.00", "version": order.version, "back": "order"},
    )
    assert r.status_code == 302 and r.url == f"/orders/{order.pk}/"
    order.refresh_from_db()
    assert order.state == S.TO_REVIEW


def test_shipped_orders_offer_no_edits_ORD_7(orders, client_for):
    order = orders.approved
    states.send_to_ship(orders.world.people["cs"], order)
    states.ship(orders.world.people["cs"], order, carrier="中通", tracking_no="ZT9001")
    keys = action_keys(page(client_for, orders.world.people["cs"], order))
    assert not {"edit_lines", "edit_address", "edit_carrier", "custom_start"} & set(keys)
    assert "move:signed" in keys and "remark" in keys


# ---- every role: no empty card, no button it may not press -------------------------------------------------------


def empty_cards(tree) -> list[str]:
    found = []
    for card in tree.find_all(cls="card"):
        header = card.find(cls="card-header")
        whole = card.text()
        body = whole[len(header.text()) :].strip() if header and whole.startswith(header.text()) else whole
        if NOTHING.match(body):
            found.append(card.attrs.get("id") or whole[:40])
    return found


@pytest.mark.parametrize("role", ROLE_CODES)
def test_every_role_sees_no_empty_card_and_only_its_own_buttons_TEAM_5(orders, client_for, role):
    person = orders.world.people[role]
    perms = set(Role.objects.get(code=role).group.permissions.values_list("codename", flat=True))
    may_view = role == "manager" or "view_order" in perms
    for order in (orders.review, orders.bare, orders.approved, orders.bank):
        response = client_for(person).get(f"/orders/{order.pk}/")
        if not may_view:
            assert response.status_code == 403  # the designer has no business with orders
            continue
        html = response.content.decode()
        tree = parse(html)
        assert empty_cards(tree) == [], (role, order.platform_order_no)
        keys = action_keys(tree)
        if role not in ("manager", "cs"):  # no orders.change_order
            assert not [k for k in keys if k != "confirm_payment"], (role, keys)
            assert 'name="to"' not in html and "/remark/" not in html and "/edit/" not in html
        if role == "finance":
            assert keys == (["confirm_payment"] if order == orders.bank else [])
        assert (PHONE in html) is (role in ("manager", "cs"))  # TEAM-5
        assert tree.by_id("order-lines") is not None and tree.by_id("timeline") is not None


# ---- the main column and the timeline -----------------------------------------------------------------------------


def test_lines_show_sku_title_quantity_price_subtotal_and_stock_ORD_4(orders, client_for):
    tree = page(client_for, orders.world.people["manager"], orders.review)
    table = tree.by_id("order-lines")
    heads = [th.text() for th in table.find_all("th")]
    assert {"SKU", "单价", "数量", "小计", "库存"} <= set(heads)
    row = table.find("tr", data_line="1").text()
    assert "D-黑-S" in row and "碎花连衣裙" in row and "¥99.00" in row and "已预留 1" in row and "可用" in row
    short = page(client_for, orders.world.people["manager"], orders.short).by_id("order-lines")
    assert "缺货" in short.find("tr", data_line="1").text() and "¥495.00" in short.text()  # 5 × ¥99


def test_receiver_remarks_payment_and_packages_in_the_main_column_ORD_3_ORD_6(orders, client_for):
    tree = page(client_for, orders.world.people["warehouse"], orders.approved)
    main = tree.by_id("order-main")
    assert main.by_id("receiver") is not None and "138" not in main.by_id("receiver").text()
    assert "139****5678" in main.by_id("receiver").text()  # TEAM-5: masked for the warehouse
    assert main.by_id("payment") is not None and "¥99.00" in main.by_id("payment").text()
    packages = main.by_id("packages")
    assert packages is not None and "待打单" in packages.text()
    link = packages.find("a")
    assert link is not None and link.attrs["href"].startswith("/shipping/")  # the warehouse may open it
    marketing = page(client_for, orders.world.people["marketing"], orders.approved).by_id("packages")
    assert marketing is not None and marketing.find("a") is None  # no link that would answer 403
    review = page(client_for, orders.world.people["cs"], orders.review).by_id("order-main")
    remarks_card = review.by_id("remarks")
    assert "请发顺丰" in remarks_card.by_id("buyer-message").text()
    assert "T002 顺丰 尺码已确认" in remarks_card.text()
    assert page(client_for, orders.world.people["cs"], orders.bare).by_id("remarks") is None  # nothing to show


def test_the_timeline_is_on_the_right_newest_first_with_numbers_and_labels_ORD_6(orders, client_for):
    tree = page(client_for, orders.world.people["finance"], orders.review)
    main, side = tree.by_id("order-main"), tree.by_id("order-side")
    assert main is not None and side is not None and main.parent is side.parent
    assert main.parent.children.index(main) < main.parent.children.index(side)
    assert side.by_id("timeline") is not None and main.by_id("timeline") is None
    entries = side.by_id("timeline").find_all("li")
    assert "订单旗帜" in entries[0].text() and "T002" in entries[0].text()  # newest first: the flag
    assert "待付款" in entries[-1].text() and "待审核" in entries[-1].text()
    assert not STATE_CODES.search(side.text())
