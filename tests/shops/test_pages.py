"""Shop pages call the same services as the API: a bad setting is shown, not saved (rule 6, rule 7); every save
records the signed-in person's 工号 (TEAM-3); opening steps are ticked off on the page (SHOP-3)."""

import pytest

from zhanggui.core.models import Event
from zhanggui.core.registry import definitions_for
from zhanggui.shops.models import ShopSettingValue
from zhanggui.shops.services import start_opening_checklist
from zhanggui.shops.settings_store import get_setting, get_settings


def settings_form(shop, **changes):
    """What the settings form posts: every setting of the shop's platform at its current value, with `changes`."""
    values = get_settings(shop)
    definitions = definitions_for(shop.platform_id)
    data = {d.key: d.form_value(values[d.key]) for d in definitions if d.kind != "bool"}
    data.update({d.key: "on" for d in definitions if d.kind == "bool" and values[d.key]})
    data.update(changes)
    return data


@pytest.fixture
def manager(world, client_for):
    return client_for(world.people["manager"])


def test_settings_page_saves_a_change_with_the_managers_number_TEAM_3(world, manager):
    url = f"/shops/{world.shop_a.pk}/settings/"
    response = manager.post(url, settings_form(world.shop_a, **{"opening.taobao_deposit": "15000"}))
    assert response.status_code == 302
    assert get_setting(world.shop_a, "opening.taobao_deposit") == 1_500_000
    event = Event.objects.get(shop=world.shop_a, kind="setting_changed")
    assert event.actor_number == world.people["manager"].number
    assert "¥15,000.00" in manager.get(url).content.decode()


def test_settings_page_shows_errors_and_saves_nothing(world, manager):
    url = f"/shops/{world.shop_a.pk}/settings/"
    data = settings_form(world.shop_a, **{"opening.taobao_deposit": "15000", "service.reply_promise_hours": "abc"})
    response = manager.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="abc"' in page  # what the manager typed is kept for correction
    assert "整数" in page  # the Chinese reason, next to the field
    assert not ShopSettingValue.objects.filter(shop=world.shop_a).exists()
    assert not Event.objects.filter(kind="setting_changed").exists()


def test_settings_page_of_a_jd_shop_lists_only_what_applies_to_jd_rule_6_SHOP_3(world, manager):
    page = manager.get(f"/shops/{world.shop_b.pk}/settings/").content.decode()
    assert "京东供应商审核" in page
    assert 'name="opening.jd_review_days"' in page
    assert 'name="service.hours_start"' in page  # service settings apply to every shop
    assert 'name="opening.tmall_deposit"' not in page
    assert 'name="opening.taobao_deposit"' not in page
    assert "天猫保证金" not in page


def test_settings_page_of_a_taobao_shop_has_no_jd_or_tmall_inputs_rule_6_SHOP_3(world, manager):
    page = manager.get(f"/shops/{world.shop_a.pk}/settings/").content.decode()
    assert 'name="opening.taobao_deposit"' in page
    assert 'name="opening.jd_review_days"' not in page
    assert 'name="opening.tmall_deposit"' not in page


def test_settings_page_ignores_a_posted_setting_of_another_platform_rule_6(world, manager):
    """A forged field for the Tmall deposit on the JD shop's form is not stored; the JD change is."""
    url = f"/shops/{world.shop_b.pk}/settings/"
    data = settings_form(world.shop_b, **{"opening.jd_review_days": "10", "opening.tmall_deposit": "15000"})
    assert manager.post(url, data).status_code == 302
    assert get_setting(world.shop_b, "opening.jd_review_days") == 10
    assert not ShopSettingValue.objects.filter(shop=world.shop_b, key="opening.tmall_deposit").exists()


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
