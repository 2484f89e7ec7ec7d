"""Company-wide settings (rule 6: warehouse and purchasing rules are not about one shop): 设置 → 公司设置 is the
manager's, validates like the shop settings page, records each change on the timeline, and the stores keep the two
scopes apart."""

import pytest

from tests.conftest import ROLE_CODES
from zhanggui.core.company_settings import (
    company_settings_history,
    get_company_setting,
    get_company_settings,
    update_company_settings,
)
from zhanggui.core.errors import DomainError
from zhanggui.core.models import CompanySettingValue, Event
from zhanggui.core.registry import company_definitions, definitions_for
from zhanggui.shops.models import ShopSettingValue
from zhanggui.shops.settings_store import get_setting, get_settings, update_settings

URL = "/shops/company-settings/"
COMPANY_KEYS = {
    "inventory.low_stock_threshold",
    "inventory.stocktake_day_from",
    "inventory.stocktake_day_to",
    "purchasing.safety_stock_days",
    "purchasing.review_period_days",
    "purchasing.default_lead_days",
    "purchasing.velocity_basis",
    "purchasing.round_up_to_moq",
    "fulfilment.weight_tolerance_pct",
    "fulfilment.weight_tolerance_g",
    "fulfilment.fee_difference_alert",
    "fulfilment.print_batch_max",  # SHIP-1: the most packages one print batch may hold
    "aftersales.default_positive_days",  # AS-7: an order not reviewed after these days counts as positive
    "pricing.first_order_max_sets",
    # PROD-7 / PROD-8: products and their sales ranks belong to the company
    "lifecycle.window_days",
    "lifecycle.maturity_top",
    "lifecycle.growth_top",
    "lifecycle.stable_drop_percent",
    "lifecycle.rising_percent",
    "lifecycle.steady_days",
    "lifecycle.core_share_percent",
}


def company_form(**changes):
    """What the company settings form posts: every company setting at its current value, with `changes`."""
    values = get_company_settings()
    definitions = company_definitions()
    data = {d.key: d.form_value(values[d.key]) for d in definitions if d.kind != "bool"}
    data.update({d.key: "on" for d in definitions if d.kind == "bool" and values[d.key]})
    data.update(changes)
    return data


@pytest.fixture
def manager(world, client_for):
    return client_for(world.people["manager"])


def test_the_company_settings_are_the_warehouse_and_purchasing_rules_rule_6(world):
    assert {d.key for d in company_definitions()} == COMPANY_KEYS
    for platform in ("taobao", "tmall", "jd", "pdd"):  # never on a shop's page
        assert not COMPANY_KEYS & {d.key for d in definitions_for(platform)}
    assert not COMPANY_KEYS & set(get_settings(world.shop_a))


def test_manager_edits_a_company_setting_on_the_page_with_a_timeline_entry_TEAM_3(world, manager):
    page = manager.get(URL)
    assert page.status_code == 200
    body = page.content.decode()
    assert "公司设置" in body and 'name="inventory.low_stock_threshold"' in body
    assert 'name="opening.taobao_deposit"' not in body  # per-shop settings stay on the shop's page
    response = manager.post(URL, company_form(**{"inventory.low_stock_threshold": "3"}))
    assert response.status_code == 302 and response["Location"] == URL
    assert get_company_setting("inventory.low_stock_threshold") == 3
    event = Event.objects.get(kind="setting_changed")
    assert event.actor_number == world.people["manager"].number and event.shop is None
    assert (event.from_state, event.to_state) == ("5 件", "3 件")
    # rule 6: the timeline names the setting in words; the rule ID stays in the event's data
    assert event.data["rule"] == "INV-7" and "INV-7" not in event.note
    after = manager.get(URL).content.decode()
    assert 'id="timeline"' in after and "5 件" in after and "3 件" in after
    assert 'value="3"' in after


def test_a_bad_value_shows_a_chinese_error_next_to_the_field_and_saves_nothing(world, manager):
    data = company_form(**{"inventory.low_stock_threshold": "abc", "inventory.stocktake_day_from": "40"})
    response = manager.post(URL, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="abc"' in body  # what the manager typed is kept for correction
    assert 'data-error-for="inventory.low_stock_threshold"' in body and "低库存：可用不超过：请填写整数" in body
    assert 'data-error-for="inventory.stocktake_day_from"' in body and "不能大于 31" in body
    assert not CompanySettingValue.objects.exists()
    assert not Event.objects.filter(kind="setting_changed").exists()


@pytest.mark.parametrize("role", [r for r in ROLE_CODES if r != "manager"])
def test_company_settings_are_the_managers_only_TEAM_1(world, client_for, role):
    client = client_for(world.people[role])
    assert client.get(URL).status_code == 403
    assert client.get("/api/v1/company/settings").status_code == 403  # the API shows nothing its page forbids
    assert client.post(URL, company_form(**{"inventory.low_stock_threshold": "1"})).status_code == 403
    assert "公司设置" not in client.get("/shops/").content.decode()
    patch = client.patch(
        "/api/v1/company/settings", {"inventory.low_stock_threshold": 1}, content_type="application/json"
    )
    assert patch.status_code == 403
    assert get_company_setting("inventory.low_stock_threshold") == 5


def test_the_api_reads_and_changes_company_settings_all_or_nothing(world, manager):
    listed = {row["key"]: row for row in manager.get("/api/v1/company/settings").json()}
    assert set(listed) == COMPANY_KEYS and listed["purchasing.safety_stock_days"]["value"] == 7
    bad = manager.patch(
        "/api/v1/company/settings",
        {"purchasing.safety_stock_days": 10, "purchasing.velocity_basis": "nope"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "purchasing.velocity_basis" in bad.json()["errors"]
    assert get_company_setting("purchasing.safety_stock_days") == 7
    ok = manager.patch(
        "/api/v1/company/settings", {"purchasing.safety_stock_days": 10}, content_type="application/json"
    )
    assert ok.status_code == 200
    assert {r["key"]: r["value"] for r in ok.json()}["purchasing.safety_stock_days"] == 10


def test_the_two_scopes_do_not_mix_rule_6(world):
    with pytest.raises(DomainError) as exc:
        update_settings(None, world.shop_a, {"inventory.low_stock_threshold": "3"})
    assert "公司设置" in exc.value.errors["inventory.low_stock_threshold"]
    assert not ShopSettingValue.objects.exists()
    with pytest.raises(DomainError) as exc:
        update_company_settings(None, {"service.reply_promise_hours": "4"})
    assert "店铺设置" in exc.value.errors["service.reply_promise_hours"]
    update_company_settings(None, {"inventory.low_stock_threshold": "3"})
    # A per-shop read of a company setting gives the company's value, for every shop.
    assert get_setting(world.shop_a, "inventory.low_stock_threshold") == 3
    assert get_setting(world.shop_b, "inventory.low_stock_threshold") == 3


def test_back_to_the_default_follows_the_default_and_is_on_the_timeline(world):
    manager = world.people["manager"]
    assert update_company_settings(manager, {"purchasing.round_up_to_moq": False}) == ["purchasing.round_up_to_moq"]
    assert CompanySettingValue.objects.filter(key="purchasing.round_up_to_moq").exists()
    assert update_company_settings(manager, {"purchasing.round_up_to_moq": True}) == ["purchasing.round_up_to_moq"]
    assert not CompanySettingValue.objects.exists()
    assert get_company_setting("purchasing.round_up_to_moq") is True
    assert [(e.from_state, e.to_state) for e in company_settings_history()] == [("否", "是"), ("是", "否")]
    assert update_company_settings(manager, {"purchasing.round_up_to_moq": True}) == []  # unchanged: no entry
    assert company_settings_history().count() == 2
