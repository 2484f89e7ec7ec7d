"""Shop pages call the same services as the API: a bad setting is shown, not saved (rule 6, rule 7); every save
records the signed-in person's 工号 (TEAM-3); opening steps are ticked off on the page (SHOP-3)."""

import pytest

from zhanggui.core.models import Event
from zhanggui.core.registry import all_definitions
from zhanggui.shops.models import ShopSettingValue
from zhanggui.shops.services import start_opening_checklist
from zhanggui.shops.settings_store import get_setting, get_settings


def settings_form(shop, **changes):
    """What the settings form posts: every setting at its current value, with `changes` (key with _ for .)."""
    values = get_settings(shop)
    data = {d.key: d.form_value(values[d.key]) for d in all_definitions() if d.kind != "bool"}
    data.update({d.key: "on" for d in all_definitions() if d.kind == "bool" and values[d.key]})
    data.update(changes)
    return data


@pytest.fixture
def manager(world, client_for):
    return client_for(world.people["manager"])


def test_settings_page_saves_a_change_with_the_managers_number_TEAM_3(world, manager):
    url = f"/shops/{world.shop_a.pk}/settings/"
    response = manager.post(url, settings_form(world.shop_a, **{"opening.tmall_deposit": "15000"}))
    assert response.status_code == 302
    assert get_setting(world.shop_a, "opening.tmall_deposit") == 1_500_000
    event = Event.objects.get(shop=world.shop_a, kind="setting_changed")
    assert event.actor_number == world.people["manager"].number
    assert "¥15,000.00" in manager.get(url).content.decode()


def test_settings_page_shows_errors_and_saves_nothing(world, manager):
    url = f"/shops/{world.shop_a.pk}/settings/"
    data = settings_form(world.shop_a, **{"opening.tmall_deposit": "15000", "opening.jd_review_days": "abc"})
    response = manager.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="abc"' in page  # what the manager typed is kept for correction
    assert "整数" in page  # the Chinese reason, next to the field
    assert not ShopSettingValue.objects.filter(shop=world.shop_a).exists()
    assert not Event.objects.filter(kind="setting_changed").exists()


def test_settings_page_is_for_the_manager_only_TEAM_1(world, client_for):
    for role in ("cs", "warehouse", "finance"):
        assert client_for(world.people[role]).get(f"/shops/{world.shop_a.pk}/settings/").status_code == 403


def test_opening_step_toggle_on_the_page_SHOP_3_TEAM_3(world, manager):
    step = start_opening_checklist(None, world.shop_b).steps.get(position=1)
    assert manager.post(f"/shops/opening-steps/{step.pk}/toggle/").status_code == 302
    step.refresh_from_db()
    assert step.done_on is not None
    assert manager.post(f"/shops/opening-steps/{step.pk}/toggle/").status_code == 302
    step.refresh_from_db()
    assert step.done_on is None
    numbers = set(Event.objects.filter(shop=world.shop_b, kind="opening_step").values_list("actor_number", flat=True))
    assert numbers == {world.people["manager"].number}


def test_shop_create_page_refuses_a_duplicate_code_SHOP_1(world, manager):
    from zhanggui.shops.models import Shop

    response = manager.post("/shops/new/", {"code": "tb-a", "platform": "tmall", "name": "重复"})
    assert response.status_code == 400
    assert Shop.objects.filter(code="tb-a").count() == 1
    assert Shop.objects.get(code="tb-a").platform_id == "taobao"
