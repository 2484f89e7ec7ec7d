"""CRM-1: every imported and manual order creates or links its customer (platform buyer identity per shop, a
masked phone kept masked), set-based in the import; customer pages show orders, spend, frequency, first and last
purchase, average order and refunds; `zhanggui link-customers` backfills older orders."""

import datetime as dt
import io
from dataclasses import replace

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhanggui.crm.models import Customer
from zhanggui.orders.models import Order
from zhanggui.orders.services import customers
from zhanggui.orders.services.manual import create_manual_order

from .test_imports import po as parsed
from .test_imports import run
from .test_imports import shop as shop  # the fixture: a warehouse, the D dress SKUs, stock

PAID = dt.datetime(2026, 11, 1, 2, 0, tzinfo=dt.UTC)


def po(no, line=2, **buyer):
    """An imported order (the readers' output) with the buyer fields given."""
    return replace(parsed(no, line=line), **buyer)


def test_crm1_import_creates_and_links_customers_per_shop_identity(world, shop):
    orders = [
        po("T0001", buyer_nick="小红"),
        po("T0002", buyer_nick="小红", line=3),  # the same buyer again: one customer
        po("T0003", buyer_nick="buyer_a", line=4),  # the customer entered by hand (world.customer_a)
        # no buyer account in the export (PDD): the receiver's masked phone with the name identifies the buyer
        po("T0004", buyer_nick="", receiver_name="李雷", receiver_phone="138****5678", line=5),
        po("T0005", buyer_nick="", receiver_name="李雷", receiver_phone="138****5678", line=6),
        po("T0006", buyer_nick="", receiver_name="", receiver_phone="", line=7),  # nothing identifies the buyer
    ]
    run(world, orders)
    by_no = dict(Order.objects.values_list("platform_order_no", "customer_id"))
    red = Customer.objects.get(shop=world.shop_a, buyer_nick="小红")
    assert by_no["T0001"] == by_no["T0002"] == red.pk
    assert by_no["T0003"] == world.customer_a.pk
    masked = Customer.objects.get(shop=world.shop_a, name="李雷")
    assert by_no["T0004"] == by_no["T0005"] == masked.pk
    assert masked.phone == "138****5678" and masked.buyer_nick == ""  # a masked phone stays masked
    assert by_no["T0006"] is None
    assert (red.province, red.city, red.district) == ("广东省", "广州市", "越秀区")
    # the same buyer account in another shop is another customer (identity per shop)
    world.shop_a, shop_a = world.shop_b, world.shop_a
    try:
        run(world, [po("J0001", buyer_nick="小红")])
    finally:
        world.shop_a = shop_a
    assert Customer.objects.filter(buyer_nick="小红").count() == 2
    # a re-import changes nothing and creates nobody twice
    count = Customer.objects.count()
    run(world, orders)
    assert Customer.objects.count() == count


def _link_queries(world, start: int, n: int) -> int:
    orders = [(start + i, po(f"X{start + i}", buyer_nick=f"老客{i % 7}")) for i in range(n)]
    with CaptureQueriesContext(connection) as ctx:
        customers.link_customers(world.shop_a.pk, orders)
    return len(ctx.captured_queries)


def test_crm1_linking_is_set_based(world, shop):
    """A fixed number of statements whatever the number of orders: known buyers cost one SELECT and one UPDATE."""
    _link_queries(world, 0, 7)  # the seven buyers exist from here on
    assert _link_queries(world, 100, 10) == _link_queries(world, 1000, 400) == 2
    assert _link_queries(world, 5000, 5) <= 4  # new buyers: + one INSERT and one SELECT of their ids


def test_crm1_manual_orders_link_their_customer(world, shop):
    cs = world.people["cs"]
    args = dict(address="广东省 深圳市 南山区 科技园南路 1 号", lines=[("D-黑-S", 1, 9900)])
    first = create_manual_order(cs, world.shop_a, receiver_name="王五", receiver_phone="13812345678", **args)
    again = create_manual_order(cs, world.shop_a, receiver_name="王五", receiver_phone="138 1234 5678", **args)
    named = create_manual_order(
        cs, world.shop_a, receiver_name="赵六", receiver_phone="13900001111", buyer_nick="buyer_a", **args
    )
    first.refresh_from_db(), again.refresh_from_db(), named.refresh_from_db()
    assert first.customer_id and first.customer_id == again.customer_id
    customer = Customer.objects.get(pk=first.customer_id)
    assert (customer.phone, customer.name, customer.buyer_nick) == ("13812345678", "王五", "")
    assert named.customer_id == world.customer_a.pk


def _order(world, no, nick, *, paid_at=PAID, state=Order.State.COMPLETED, paid=10000, refund=0, shop=None):
    return Order.objects.create(
        shop=shop or world.shop_a, platform_order_no=no, buyer_nick=nick, receiver_name="张三",
        receiver_phone="13800138000", state=state, paid_at=paid_at, ordered_at=paid_at, paid_fen=paid,
        refund_fen=refund,
    )  # fmt: skip


def test_crm1_backfill_command_links_older_orders(world):
    for n in range(3):
        _order(world, f"OLD{n}", "buyer_a", paid_at=PAID + dt.timedelta(days=10 * n))
    _order(world, "OLD9", "新客", shop=world.shop_b)
    assert not Order.objects.filter(customer__isnull=False).exists()  # orders as they were before linking
    out = io.StringIO()
    call_command("link-customers", stdout=out)
    assert "4 单" in out.getvalue()
    assert set(Order.objects.filter(shop=world.shop_a).values_list("customer_id", flat=True)) == {world.customer_a.pk}
    assert (
        Customer.objects.get(shop=world.shop_b, buyer_nick="新客").pk
        == Order.objects.get(platform_order_no="OLD9").customer_id
    )
    out = io.StringIO()
    call_command("link-customers", "--shop", world.shop_a.code, stdout=out)
    assert "0 单" in out.getvalue()


@pytest.fixture
def bought(world):
    """buyer_a: three paid orders 10 days apart (¥100, ¥200, ¥300 with ¥50 refunded), one closed with a full
    refund, one awaiting payment — all linked."""
    _order(world, "B1", "buyer_a", paid=10000)
    _order(world, "B2", "buyer_a", paid_at=PAID + dt.timedelta(days=10), paid=20000)
    _order(world, "B3", "buyer_a", paid_at=PAID + dt.timedelta(days=20), paid=30000, refund=5000)
    _order(world, "B4", "buyer_a", paid_at=PAID + dt.timedelta(days=5), state=Order.State.CLOSED, refund=10000)
    _order(world, "B5", "buyer_a", paid_at=None, state=Order.State.PENDING_PAYMENT)
    customers.link_all()
    return world.customer_a


def test_crm1_customer_page_shows_purchases(world, bought, client_for):
    html = client_for(world.people["manager"]).get(reverse("crm:detail", args=[bought.pk])).content.decode()
    section = html[html.index('id="purchases"') :]
    assert "订单</th><td>3</td>" in section  # the closed and the unpaid order are no purchases
    assert "¥550.00" in section  # spend: 100 + 200 + 300 − 50
    assert "¥183.33" in section  # average order
    assert "平均 10 天一单" in section  # frequency
    assert '退款次数</th><td colspan="3">2</td>' in section  # B3 partly, B4 in full
    assert "2026-11-01" in section and "2026-11-21" in section  # first and last purchase (Beijing days)
    for number in ("B1", "B2", "B3", "B4", "B5"):
        assert f"<code>{number}</code>" in section
    assert reverse("orders:detail", args=[Order.objects.get(platform_order_no="B3").pk]) in section


def test_crm1_customer_list_shows_orders_spend_and_last_purchase(world, bought, client_for):
    html = client_for(world.people["manager"]).get(reverse("crm:list")).content.decode()
    row = next(r for r in html.split("<tr>") if "buyer_a" in r)
    assert '<td class="num">3</td>' in row and "¥550.00" in row and "2026-11-21" in row
    other = next(r for r in html.split("<tr>") if "buyer_b" in r)
    assert '<td class="num">0</td>' in other
