"""The home page per role (ui.md "Home per role"; TEAM-1, TEAM-2, SHOP-1): each role opens on its own queues with
counts and ages, the manager on the day's sales, orders and refunds per shop beside every queue; a person with
several roles sees the union; every figure links to the page listing exactly its rows; a figure whose page the
person may not open is never shown."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhanggui.core.access import has_access
from zhanggui.fulfilment.services import sla
from zhanggui.shops.services import create_shop
from zhanggui.team.models import Duty
from zhanggui.team.services import create_staff, set_duty_owners

from .home_setup import home_fixture, listed_rows, sale  # noqa: F401 — fixture

pytestmark = pytest.mark.django_db


def shown(client) -> dict[str, dict[str, object]]:
    """{block key: {row key: count as rendered}} of the home page."""
    response = client.get("/")
    assert response.status_code == 200
    blocks = {}
    for block in [*response.context["tiles"], *response.context["side"]]:
        blocks[block.key] = {row.key: row.count for row in block.rows}
    return blocks


def rows_of(client):
    response = client.get("/")
    return [row for block in [*response.context["tiles"], *response.context["side"]] for row in block.rows]


# ---- the blocks each role sees, and their numbers -----------------------------------------------------------------


def test_manager_home_sales_per_shop_today_and_yesterday_with_refunds(home, client_for):
    """SHOP-1: paid amount and orders per shop for today and yesterday (orders paid that Beijing day), the refunds
    on them and the refund requests open now (ORD-9), rolled up over the shops in view."""
    response = client_for(home.world.people["manager"]).get("/")
    sales = response.context["sales"]
    by_shop = {r["shop"].code: r for r in sales["rows"]}
    today_a, yesterday_a = by_shop["tb-a"]["days"]
    assert (today_a["orders"], today_a["paid_fen"], today_a["refunds"], today_a["refund_fen"]) == (2, 20_000, 1, 3_000)
    assert (yesterday_a["orders"], yesterday_a["paid_fen"], yesterday_a["refunds"]) == (1, 5_000, 0)
    today_b, yesterday_b = by_shop["jd-b"]["days"]
    assert (today_b["orders"], today_b["paid_fen"], yesterday_b["orders"], yesterday_b["paid_fen"]) == (
        1,
        20_000,
        1,
        4_000,
    )
    assert (by_shop["tb-a"]["refund_requests"], by_shop["jd-b"]["refund_requests"]) == (1, 1)
    today, yesterday = sales["total"]["days"]
    assert (today["orders"], today["paid_fen"], yesterday["orders"], yesterday["paid_fen"]) == (3, 40_000, 2, 9_000)

    html = response.content.decode()
    table = html.split('id="sales"')[1].split("</table>")[0]
    assert "¥200.00" in table and "¥400.00" in table and "¥30.00" in table  # money as ¥, never fen
    assert "20000" not in table
    tiles = shown(client_for(home.world.people["manager"]))["sales"]
    assert tiles == {
        "paid_today": 40_000,
        "orders_today": 3,
        "paid_yesterday": 9_000,
        "orders_yesterday": 2,
        "refund_requests": 2,
    }
    assert 'data-count="paid_today">¥400.00<' in html


def test_manager_home_keeps_every_queue_and_the_team_activity(home, client_for):
    """ORD-9 every exception queue (nothing hidden), SHIP-2 parcels at risk per shop, TEAM-2 duties nobody owns,
    and the team-activity chart — for the manager only."""
    client = client_for(home.world.people["manager"])
    blocks = shown(client)
    assert set(blocks) == {"sales", "order_queues", "at_risk", "duties"}
    queues = blocks["order_queues"]
    assert set(queues) == {"exc_out_of_stock", "exc_address", "exc_unmatched", "exc_refund", "exc_risk",
                           "exc_no_lines", "overdue"}  # fmt: skip
    assert (queues["exc_refund"], queues["exc_address"], queues["exc_unmatched"]) == (2, 1, 1)
    at_risk = len(sla.at_risk([home.world.shop_a]))
    assert at_risk >= 4  # three overdue packages and the bank transfer held five days
    assert blocks["at_risk"] == {f"at_risk:{home.world.shop_a.pk}": at_risk}
    assert blocks["duties"] == {"unowned_duties": Duty.objects.count()}
    html = client.get("/").content.decode()
    assert 'id="activity-chart"' in html and 'id="recent"' in html

    for role in ("cs", "warehouse", "finance", "designer", "editor", "marketing"):
        page = client_for(home.world.people[role]).get("/")
        assert page.context["sales"] is None and page.context.get("activity") is None, role
        assert 'id="activity-chart"' not in page.content.decode(), role


def test_cs_home_shows_the_queues_cs_answers_for(home, client_for):
    """客服: orders awaiting payment and to review, and the exception queues of the cs duties (nobody owns them
    yet, so every cs person sees them) — not the editor's unmatched-SKU queue nor the manager's overdue one."""
    blocks = shown(client_for(home.world.people["cs"]))
    assert set(blocks) == {"my_orders", "aftersales"}  # AS-6: and the after-sales queues (tests/aftersales)
    assert blocks["my_orders"] == {
        "pending_payment": 1,
        "to_review": 1,
        "exc_out_of_stock": 0,
        "exc_address": 1,
        "exc_refund": 1,  # shop_b's refund request is not in cs's shops
        "exc_risk": 0,
        "exc_no_lines": 0,
    }


def tile(client, key) -> str:
    return client.get("/").content.decode().split(f'data-row="{key}"')[1].split("</div></div></div>")[0]


def test_cs_sees_only_the_queues_whose_duty_is_theirs_TEAM_2(home, client_for):
    """Once a colleague working for the same shop owns 退款申请订单, the refund queue is theirs, not mine; the
    queue whose duty I own stays (no owner line: it is me). A duty owned by someone who does not work for my shops
    stays mine too, naming its owner (the duty chart needs a look)."""
    manager, cs = home.world.people["manager"], home.world.people["cs"]
    colleague, _pw = create_staff(manager, number="T050", name="另一客服", roles=["cs"], shops=[home.world.shop_a])
    set_duty_owners(manager, Duty.objects.get(role__code="cs", title="退款申请订单"), [colleague])
    set_duty_owners(manager, Duty.objects.get(role__code="cs", title="地址异常订单"), [cs])
    set_duty_owners(manager, Duty.objects.get(role__code="cs", title="缺货订单跟进"), [home.world.outsider])
    mine = shown(client_for(cs))["my_orders"]
    assert "exc_refund" not in mine and mine["exc_address"] == 1 and "exc_out_of_stock" in mine
    assert shown(client_for(colleague))["my_orders"]["exc_refund"] == 1
    assert "data-owners" not in tile(client_for(cs), "exc_address")
    elsewhere = tile(client_for(cs), "exc_out_of_stock")
    assert f'data-owners="{home.world.outsider.number}"' in elsewhere and home.world.outsider.name in elsewhere


def test_warehouse_home_to_print_to_verify_to_ship_and_at_risk_SHIP_2(home, client_for):
    """库管: packages to print, to verify, to ship, each with the age of the oldest; at risk is the at-risk page's
    own queue (one definition of 超时)."""
    client = client_for(home.world.people["warehouse"])
    blocks = shown(client)
    assert set(blocks) == {"warehouse"}
    assert blocks["warehouse"] == {
        "packages:to_print": 1,
        "packages:printed": 1,
        "packages:packed": 1,
        "at_risk": len(sla.at_risk([home.world.shop_a])),
    }
    html = client.get("/").content.decode()
    assert 'data-oldest="packages:to_print"' in html


def test_finance_home_payments_to_confirm_and_fee_differences_ORD_5_SHIP_5(home, client_for):
    blocks = shown(client_for(home.world.people["finance"]))
    assert set(blocks) == {"finance"}
    month, last_month = home.today.strftime("%Y-%m"), home.last_month.strftime("%Y-%m")
    sto = home.over.carrier_id
    # this month's parcel not billed yet is not a difference (its bill comes after the month); last month's is
    assert blocks["finance"] == {"payments": 1, f"flagged:{month}:{sto}": 1, f"unbilled:{last_month}:{sto}": 1}


def test_editor_designer_and_marketing_homes_PROD_3_PROD_4_PROD_7(home, client_for):
    """No empty homes: the editor fixes titles, delists sold-out listings and owns the unmatched-SKU queue; the
    designer has images to make; marketing sees each shop's hero items against its range."""
    editor = shown(client_for(home.world.people["editor"]))
    assert editor == {"my_orders": {"exc_unmatched": 1}, "editor": {"title_issues": 1, "to_delist": 1}}
    designer = shown(client_for(home.world.people["designer"]))
    assert designer == {"designer": {"images:no_main": 1, "images:to_photograph": 1}}
    marketing = client_for(home.world.people["marketing"]).get("/")
    rows = {row.key: row for block in marketing.context["tiles"] for row in block.rows}
    assert set(rows) == {f"heroes:{home.world.shop_a.pk}", "to_delist"}
    hero = rows[f"heroes:{home.world.shop_a.pk}"]
    assert hero.count == 0 and hero.alert and hero.note == "建议 3–5 个"  # PROD-7: fewer than the least, in red


def test_a_person_with_several_roles_sees_the_union_once_TEAM_2(home, client_for):
    both, _pw = create_staff(
        home.world.people["manager"], number="T060", name="客服兼库管", roles=["cs", "warehouse"],
        shops=[home.world.shop_a],
    )  # fmt: skip
    blocks = shown(client_for(both))
    assert set(blocks) == {"my_orders", "warehouse", "aftersales"}  # AS-6: cs gets the after-sales queues
    keys = [row.key for row in rows_of(client_for(both))]
    assert len(keys) == len(set(keys))


def test_figures_a_person_may_not_open_are_never_shown_TEAM_1(home, client_for):
    """Every row on every role's home links to a page that person may open (ui.md: never a 403)."""
    for role, person in home.world.people.items():
        for row in rows_of(client_for(person)):
            assert has_access(person, row.perm), (role, row.key)
            assert client_for(person).get(row.url).status_code == 200, (role, row.url)


# ---- each figure lands on exactly its rows -------------------------------------------------------------------------


def test_every_home_figure_lists_exactly_its_rows(home, client_for):
    """The number on a tile is the number of rows the page behind it lists (the tab, filter or shop in its link)."""
    for role in ("cs", "warehouse", "finance", "editor", "designer", "marketing", "manager"):
        client = client_for(home.world.people[role])
        for row in rows_of(client):
            if row.money or row.key.startswith(("checklist:", "unowned_duties", "heroes:")):
                continue
            assert listed_rows(client.get(row.url)) == row.count, (role, row.key, row.url)


def test_sales_figures_land_on_the_shop_s_orders_paid_that_day(home, client_for):
    client = client_for(home.world.people["manager"])
    sales = client.get("/").context["sales"]
    by_shop = {r["shop"].code: r for r in sales["rows"]}
    today_a = by_shop["tb-a"]["days"][0]

    def orders_at(url):
        return set(map(int, re.findall(r'<tr[^>]*data-order="(\d+)"', client.get(url).content.decode())))

    assert orders_at(today_a["url"]) == {home.sales["a_today"].pk, home.sales["a_today_refunded"].pk}
    assert orders_at(today_a["refund_url"]) == {home.sales["a_today_refunded"].pk}
    assert orders_at(by_shop["jd-b"]["days"][1]["url"]) == {home.sales["b_refund_asked"].pk}
    assert orders_at(by_shop["jd-b"]["requests_url"]) == {home.sales["b_refund_asked"].pk}
    assert orders_at(sales["total"]["days"][0]["url"]) == {
        home.sales[n].pk for n in ("a_today", "a_today_refunded", "b_today")
    }
    # the list keeps the shop of the link on its own tabs and next pages
    page = client.get(today_a["url"]).content.decode()
    assert "shop=tb-a" in page.split('id="order-tabs"')[1].split("</ul>")[0]


# ---- cost -------------------------------------------------------------------------------------------------------


def test_manager_home_costs_the_same_queries_for_three_shops_as_for_one(home, client_for):
    """SHOP-1 figures per shop come from grouped queries: a third shop with its own sales and parcels adds none."""
    manager = home.world.people["manager"]
    shop_c = create_shop(manager, code="pdd-c", platform="pdd", name="丙店")
    sale(home, "c_today", shop_c, home.today, 3_000)
    client = client_for(manager)
    client.post("/scope/", {"shop": "tb-a"})
    client.get("/")
    with CaptureQueriesContext(connection) as one:
        assert client.get("/").status_code == 200
    client.post("/scope/", {"shop": ""})
    client.get("/")
    with CaptureQueriesContext(connection) as three:
        response = client.get("/")
    assert len(response.context["sales"]["rows"]) == 3
    assert len(three) == len(one), "\n".join(q["sql"][:160] for q in three.captured_queries)
