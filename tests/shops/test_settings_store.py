"""Rule 6 of the house: per-shop settings — documented default until changed, validated all-or-nothing, every
change on the shop's timeline with who (工号, TEAM-3), from and to; back to the default removes the stored value."""

import re

import pytest

from zhanggui.core.errors import DomainError
from zhanggui.core.models import Event
from zhanggui.shops.models import ShopSettingValue
from zhanggui.shops.settings_store import get_setting, get_settings, update_settings

CJK = re.compile(r"[\u4e00-\u9fff]")


def setting_events(shop):
    return Event.objects.filter(shop=shop, kind="setting_changed").order_by("id")


def test_default_is_returned_while_unset_SHOP_3(world):
    assert not ShopSettingValue.objects.filter(shop=world.shop_a).exists()
    assert get_setting(world.shop_a, "opening.tmall_deposit") == 1_000_000
    assert get_setting(world.shop_a, "opening.jd_review_days") == 14
    assert get_setting(world.shop_a, "service.hours_start") == "09:00"


def test_get_settings_reads_every_setting_in_one_query(world, django_assert_num_queries):
    update_settings(None, world.shop_a, {"opening.jd_review_days": "10"})
    with django_assert_num_queries(1):
        values = get_settings(world.shop_a)
    assert values["opening.jd_review_days"] == 10
    assert values["opening.tmall_deposit"] == 1_000_000


def test_unknown_setting_key_is_refused(world):
    with pytest.raises(DomainError) as info:
        get_setting(world.shop_a, "opening.nope")
    assert info.value.code == "unknown_setting"


def test_values_are_per_shop_SHOP_1(world):
    manager = world.people["manager"]
    update_settings(manager, world.shop_a, {"opening.jd_review_days": "7"})
    assert get_setting(world.shop_a, "opening.jd_review_days") == 7
    assert get_setting(world.shop_b, "opening.jd_review_days") == 14


def test_money_is_entered_in_yuan_and_stored_in_fen_and_the_change_is_on_the_timeline_TEAM_3(world):
    manager = world.people["manager"]
    changed = update_settings(manager, world.shop_a, {"opening.tmall_deposit": "12,000"})
    assert changed == ["opening.tmall_deposit"]
    assert get_setting(world.shop_a, "opening.tmall_deposit") == 1_200_000
    event = setting_events(world.shop_a).get()
    assert event.actor_number == manager.number
    assert event.actor_id == manager.pk
    assert event.from_state == "¥10,000.00"
    assert event.to_state == "¥12,000.00"
    assert event.data == {"key": "opening.tmall_deposit"}
    assert "SHOP-3" in event.note


def test_time_settings_are_validated_and_normalised(world):
    update_settings(None, world.shop_a, {"service.hours_start": "8:30".zfill(5), "service.hours_end": "23:59:00"})
    assert get_setting(world.shop_a, "service.hours_start") == "08:30"
    assert get_setting(world.shop_a, "service.hours_end") == "23:59"
    with pytest.raises(DomainError) as info:
        update_settings(None, world.shop_a, {"service.hours_end": "24:30"})
    assert set(info.value.errors) == {"service.hours_end"}


def test_one_bad_value_writes_nothing_and_every_error_is_reported_per_key(world):
    """Rule 7: all or nothing — the good value in the same submission is not saved either."""
    manager = world.people["manager"]
    before = Event.objects.count()
    with pytest.raises(DomainError) as info:
        update_settings(
            manager,
            world.shop_a,
            {
                "opening.tmall_deposit": "12000",  # fine on its own
                "opening.jd_review_days": "两周",
                "service.hours_start": "25:00",
                "opening.pdd_deposit": "1.005",
            },
        )
    error = info.value
    assert error.code == "invalid_settings"
    assert set(error.errors) == {"opening.jd_review_days", "service.hours_start", "opening.pdd_deposit"}
    for key, message in error.errors.items():
        assert CJK.search(message), (key, message)
    assert not ShopSettingValue.objects.filter(shop=world.shop_a).exists()
    assert get_setting(world.shop_a, "opening.tmall_deposit") == 1_000_000
    assert Event.objects.count() == before


def test_unknown_keys_are_reported_with_the_others(world):
    with pytest.raises(DomainError) as info:
        update_settings(None, world.shop_a, {"opening.nope": "1", "opening.jd_review_days": "10"})
    assert set(info.value.errors) == {"opening.nope"}
    assert get_setting(world.shop_a, "opening.jd_review_days") == 14


@pytest.mark.parametrize(
    ("key", "raw", "code_or_ok"),
    [
        ("opening.jd_review_days", "0", "too_small"),
        ("opening.jd_review_days", "1", "ok"),
        ("opening.jd_review_days", "60", "ok"),
        ("opening.jd_review_days", "61", "too_large"),
        ("service.reply_promise_hours", "73", "too_large"),
        ("opening.tmall_deposit", "-0.01", "too_small"),
        ("opening.tmall_deposit", "0", "ok"),
    ],
)
def test_bounds_are_enforced(world, key, raw, code_or_ok):
    if code_or_ok == "ok":
        update_settings(None, world.shop_a, {key: raw})
        return
    with pytest.raises(DomainError) as info:
        update_settings(None, world.shop_a, {key: raw})
    assert list(info.value.errors) == [key]
    assert not ShopSettingValue.objects.filter(shop=world.shop_a, key=key).exists()


def test_bound_errors_name_the_bound(world):
    with pytest.raises(DomainError) as info:
        update_settings(None, world.shop_a, {"opening.jd_review_days": "61"})
    assert "60" in info.value.errors["opening.jd_review_days"]


def test_unchanged_value_writes_nothing(world):
    assert update_settings(world.people["manager"], world.shop_a, {"opening.jd_review_days": "14"}) == []
    assert not ShopSettingValue.objects.filter(shop=world.shop_a).exists()
    assert not setting_events(world.shop_a).exists()


def test_setting_back_to_the_default_removes_the_stored_row(world):
    manager = world.people["manager"]
    update_settings(manager, world.shop_a, {"opening.tmall_annual_fee": "6500"})
    assert ShopSettingValue.objects.filter(shop=world.shop_a, key="opening.tmall_annual_fee").exists()
    assert update_settings(manager, world.shop_a, {"opening.tmall_annual_fee": "6000.00"}) == [
        "opening.tmall_annual_fee"
    ]
    assert not ShopSettingValue.objects.filter(shop=world.shop_a, key="opening.tmall_annual_fee").exists()
    assert get_setting(world.shop_a, "opening.tmall_annual_fee") == 600_000
    back = setting_events(world.shop_a).last()
    assert (back.from_state, back.to_state) == ("¥6,500.00", "¥6,000.00")
    assert back.actor_number == manager.number
