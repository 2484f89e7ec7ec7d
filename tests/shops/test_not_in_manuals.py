"""Rule 6: a default the operating manuals do not give (the JD, Taobao and Pinduoduo deposits) says so where it is
shown — the settings page, the API and the opening checklist; a default from the manuals (Tmall's 10,000 元, S0)
does not."""

from zhanggui.core.registry import get_definition
from zhanggui.shops.services import start_opening_checklist

MARK = "非操作手册数值"


def test_the_deposits_not_in_the_manuals_are_marked_on_the_settings_page_SHOP_3(world, client_for):
    manager = client_for(world.people["manager"])
    jd = manager.get(f"/shops/{world.shop_b.pk}/settings/").content.decode()  # shop_b is on JD
    taobao = manager.get(f"/shops/{world.shop_a.pk}/settings/").content.decode()
    assert MARK in jd and "30,000 元为系统假设值" in jd
    assert MARK in taobao and "1,000 元为系统假设值" in taobao
    assert not get_definition("opening.tmall_deposit").not_in_manuals  # S0 gives 10,000 元
    assert get_definition("opening.pdd_deposit").not_in_manuals


def test_the_api_says_which_defaults_are_assumptions_SHOP_3(world, client_for):
    rows = client_for(world.people["manager"]).get(f"/api/v1/shops/{world.shop_b.pk}/settings").json()
    by_key = {r["key"]: r for r in rows}
    assert "假设" in by_key["opening.jd_deposit"]["not_in_manuals"]
    assert by_key["opening.jd_review_days"]["not_in_manuals"] == ""


def test_the_opening_checklist_marks_the_assumed_deposit_SHOP_3(world, client_for):
    start_opening_checklist(None, world.shop_b)
    body = client_for(world.people["manager"]).get(f"/shops/{world.shop_b.pk}/").content.decode()
    assert MARK in body
