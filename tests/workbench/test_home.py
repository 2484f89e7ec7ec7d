"""The workbench (工作台) shows real counts for the shops in view (SHOP-1), with duties nobody owns (TEAM-2)."""

import re

from zhanggui.crm.services import create_customer
from zhanggui.shops.services import create_shop
from zhanggui.team.models import Duty
from zhanggui.team.services import create_staff, set_duty_owners, update_staff

FIGURE = re.compile(r'data-figure="(\w+)">\s*(\d+)\s*<')


def figures(client):
    response = client.get("/")
    assert response.status_code == 200
    return {name: int(value) for name, value in FIGURE.findall(response.content.decode())}


def test_home_figures_are_real_counts_SHOP_1(world, client_for):
    manager = world.people["manager"]
    client = client_for(manager)
    before = figures(client)
    assert before["shops"] == 2
    assert before["customers"] == 2
    assert before["staff"] == 8
    assert before["unowned_duties"] == Duty.objects.count()

    shop = create_shop(manager, code="pdd-new", platform="pdd", name="新拼多多店")
    create_customer(manager, shop, buyer_nick="new_buyer", phone="13700000000")
    create_customer(manager, world.shop_a, buyer_nick="another", phone="13700000001")
    create_staff(manager, number="B001", name="新人", roles=["cs"], shops=[shop])
    set_duty_owners(manager, Duty.objects.filter(role__code="finance").first(), [world.people["finance"]])

    after = figures(client)
    assert after["shops"] == before["shops"] + 1
    assert after["customers"] == before["customers"] + 2
    assert after["staff"] == before["staff"] + 1
    assert after["unowned_duties"] == before["unowned_duties"] - 1
    assert after["events_today"] > before["events_today"]


def test_deactivated_staff_are_not_counted_TEAM_2(world, client_for):
    client = client_for(world.people["manager"])
    before = figures(client)
    update_staff(world.people["manager"], world.people["editor"], is_active=False)
    assert figures(client)["staff"] == before["staff"] - 1


def test_home_figures_follow_the_scope_and_the_switcher_SHOP_1(world, client_for):
    cs = client_for(world.people["cs"])
    mine = figures(cs)
    assert (mine["shops"], mine["customers"]) == (1, 1)
    create_customer(None, world.shop_b, buyer_nick="elsewhere")
    assert figures(cs)["customers"] == 1  # shop_b is not in view

    manager = client_for(world.people["manager"])
    manager.post("/scope/", {"shop": "jd-b"})
    narrowed = figures(manager)
    assert (narrowed["shops"], narrowed["customers"]) == (1, 2)


def test_roles_without_customers_do_not_see_the_customer_figure_TEAM_1(world, client_for):
    shown = figures(client_for(world.people["designer"]))
    assert "customers" not in shown
    assert shown["shops"] == 1
