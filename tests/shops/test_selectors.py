"""Reads for the home page: a shop being opened shows how many of its checklist steps are done (SHOP-3), counted
once per step — never multiplied by the joins of the query."""

import datetime as dt

import pytest

from zhanggui.shops import services
from zhanggui.shops.models import Shop
from zhanggui.shops.selectors import open_checklists

START = dt.date(2026, 3, 2)


@pytest.fixture
def tmall(world):
    return services.create_shop(None, code="tm-c", platform="tmall", name="丙店", shop_type="flagship")


def test_open_checklists_count_each_step_once_SHOP_3(world, tmall):
    checklist = services.start_opening_checklist(None, tmall, started_on=START)
    steps = list(checklist.steps.order_by("position"))
    assert len(steps) == 7
    for step in steps[:2]:
        services.complete_opening_step(world.people["manager"], step)

    (row,) = open_checklists(Shop.objects.filter(pk=tmall.pk))
    assert row.pk == checklist.pk
    assert (row.done, row.total) == (2, 7)


def test_open_checklists_of_several_shops_keep_their_own_counts_SHOP_3(world, tmall):
    tmall_list = services.start_opening_checklist(None, tmall, started_on=START)
    jd_list = services.start_opening_checklist(None, world.shop_b, started_on=START)
    services.complete_opening_step(None, tmall_list.steps.get(position=1))
    jd_total = jd_list.steps.count()

    rows = {c.pk: (c.done, c.total) for c in open_checklists(Shop.objects.all())}
    assert rows == {tmall_list.pk: (1, 7), jd_list.pk: (0, jd_total)}


def test_a_finished_checklist_is_no_longer_open_SHOP_3(world, tmall):
    checklist = services.start_opening_checklist(None, tmall, started_on=START)
    steps = list(checklist.steps.order_by("position"))
    for step in steps[:-1]:
        services.complete_opening_step(None, step)
    (row,) = open_checklists(Shop.objects.filter(pk=tmall.pk))
    assert (row.done, row.total) == (6, 7)

    services.complete_opening_step(None, steps[-1])
    assert list(open_checklists(Shop.objects.filter(pk=tmall.pk))) == []


def opening_card(client):
    """The home page's 开店中的店铺 card (the shop switcher elsewhere on the page also names every shop)."""
    page = client.get("/").content.decode()
    card = page.split("开店中的店铺", 1)[1]
    return card.split("</ul>", 1)[0]


def test_home_page_shows_done_out_of_total_steps_SHOP_3(world, tmall, client_for):
    checklist = services.start_opening_checklist(None, tmall, started_on=START)
    steps = list(checklist.steps.order_by("position"))
    for step in steps[:2]:
        services.complete_opening_step(None, step)
    client = client_for(world.people["manager"])

    card = opening_card(client)
    assert "丙店" in card
    assert "2/7 步已完成" in card
    assert 'style="width: 29%"' in card  # 2 of 7

    for step in steps[2:]:
        services.complete_opening_step(None, step)
    page = client.get("/").content.decode()
    assert 'id="block-checklists"' not in page and "开店中的店铺" not in page  # no empty card once all are open
