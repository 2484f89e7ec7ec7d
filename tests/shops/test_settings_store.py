"""Rule 6 of the house: per-shop settings — documented default until changed, validated all-or-nothing, every
change on the shop's timeline with who (工号, TEAM-3), from and to; back to the default removes the stored value."""

import re

import pytest

from zhanggui.core.errors import DomainError
from zhanggui.core.models import Event
from zhanggui.core.registry import all_definitions, definitions_for, get_definition
from zhanggui.shops.models import Platform, ShopSettingValue
from zhanggui.shops.services import create_shop
from zhanggui.shops.settings_store import get_setting, get_settings, update_settings

CJK = re.compile(r"[\u4e00-\u9fff]")


def setting_events(shop):
    return Event.objects.filter(shop=shop, kind="setting_changed").order_by("id")


@pytest.fixture
def tmall(world):
    return create_shop(None, code="tm-c", platform="tmall", name="丙店")


def test_default_is_returned_while_unset_SHOP_3(world):
    assert not ShopSettingValue.objects.filter(shop=world.shop_a).exists()
    assert get_setting(world.shop_a, "opening.tmall_deposit") == 1_000_000
    assert get_setting(world.shop_a, "opening.jd_review_days") == 14
    assert get_setting(world.shop_a, "service.hours_start") == "09:00"


def test_get_settings_reads_every_setting_in_one_query(world, django_assert_num_queries):
    update_settings(None, world.shop_b, {"opening.jd_review_days": "10"})
    with django_assert_num_queries(1):
        values = get_settings(world.shop_b)
    assert values["opening.jd_review_days"] == 10
    assert values["opening.tmall_deposit"] == 1_000_000


def test_unknown_setting_key_is_refused(world):
    with pytest.raises(DomainError) as info:
        get_setting(world.shop_a, "opening.nope")
    assert info.value.code == "unknown_setting"


def test_values_are_per_shop_SHOP_1(world):
    manager = world.people["manager"]
    update_settings(manager, world.shop_a, {"service.reply_promise_hours": "7"})
    assert get_setting(world.shop_a, "service.reply_promise_hours") == 7
    assert get_setting(world.shop_b, "service.reply_promise_hours") == 8


def test_money_is_entered_in_yuan_and_stored_in_fen_and_the_change_is_on_the_timeline_TEAM_3(world):
    manager = world.people["manager"]
    changed = update_settings(manager, world.shop_a, {"opening.taobao_deposit": "1,200"})
    assert changed == ["opening.taobao_deposit"]
    assert get_setting(world.shop_a, "opening.taobao_deposit") == 120_000
    event = setting_events(world.shop_a).get()
    assert event.actor_number == manager.number
    assert event.actor_id == manager.pk
    assert event.from_state == "¥1,000.00"
    assert event.to_state == "¥1,200.00"
    assert event.data == {"key": "opening.taobao_deposit", "rule": "SHOP-3"}
    assert "SHOP-3" not in event.note  # rule 6: the plain name on the timeline, the ID in the data


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
                "service.hours_end": "22:00",  # fine on its own
                "service.reply_promise_hours": "两天",
                "service.hours_start": "25:00",
                "opening.taobao_deposit": "1.005",
            },
        )
    error = info.value
    assert error.code == "invalid_settings"
    assert set(error.errors) == {"service.reply_promise_hours", "service.hours_start", "opening.taobao_deposit"}
    for key, message in error.errors.items():
        assert CJK.search(message), (key, message)
    assert not ShopSettingValue.objects.filter(shop=world.shop_a).exists()
    assert get_setting(world.shop_a, "service.hours_end") == "23:00"
    assert Event.objects.count() == before


def test_unknown_keys_are_reported_with_the_others(world):
    with pytest.raises(DomainError) as info:
        update_settings(None, world.shop_a, {"opening.nope": "1", "service.reply_promise_hours": "10"})
    assert set(info.value.errors) == {"opening.nope"}
    assert get_setting(world.shop_a, "service.reply_promise_hours") == 8


BOUND_WORDS = {"too_small": "不能小于", "too_large": "不能大于"}


@pytest.mark.parametrize(
    ("shop_name", "key", "raw", "code_or_ok"),
    [
        ("shop_b", "opening.jd_review_days", "0", "too_small"),
        ("shop_b", "opening.jd_review_days", "1", "ok"),
        ("shop_b", "opening.jd_review_days", "60", "ok"),
        ("shop_b", "opening.jd_review_days", "61", "too_large"),
        ("shop_a", "service.reply_promise_hours", "0", "too_small"),
        ("shop_a", "service.reply_promise_hours", "72", "ok"),
        ("shop_a", "service.reply_promise_hours", "73", "too_large"),
        ("tmall", "opening.tmall_deposit", "-0.01", "too_small"),
        ("tmall", "opening.tmall_deposit", "0", "ok"),
    ],
)
def test_bounds_are_enforced(world, tmall, shop_name, key, raw, code_or_ok):
    """Rule 6: each shop is tested with a setting that applies to its platform, so the bound (not the platform) is
    what refuses or accepts the value."""
    shop = tmall if shop_name == "tmall" else getattr(world, shop_name)
    definition = get_definition(key)
    assert not definition.platforms or shop.platform_id in definition.platforms
    if code_or_ok == "ok":
        assert update_settings(None, shop, {key: raw}) == ([] if definition.parse(raw) == definition.default else [key])
        assert get_setting(shop, key) == definition.parse(raw)
        return
    with pytest.raises(DomainError) as info:
        update_settings(None, shop, {key: raw})
    assert list(info.value.errors) == [key]
    assert BOUND_WORDS[code_or_ok] in info.value.errors[key]
    assert not ShopSettingValue.objects.filter(shop=shop, key=key).exists()


def test_bound_errors_name_the_bound(world):
    with pytest.raises(DomainError) as info:
        update_settings(None, world.shop_b, {"opening.jd_review_days": "61"})
    assert "60" in info.value.errors["opening.jd_review_days"]


def test_unchanged_value_writes_nothing(world):
    assert update_settings(world.people["manager"], world.shop_b, {"opening.jd_review_days": "14"}) == []
    assert not ShopSettingValue.objects.filter(shop=world.shop_b).exists()
    assert not setting_events(world.shop_b).exists()


def test_setting_back_to_the_default_removes_the_stored_row(world):
    manager = world.people["manager"]
    update_settings(manager, world.shop_a, {"opening.taobao_deposit": "1500"})
    assert ShopSettingValue.objects.filter(shop=world.shop_a, key="opening.taobao_deposit").exists()
    assert update_settings(manager, world.shop_a, {"opening.taobao_deposit": "1000.00"}) == ["opening.taobao_deposit"]
    assert not ShopSettingValue.objects.filter(shop=world.shop_a, key="opening.taobao_deposit").exists()
    assert get_setting(world.shop_a, "opening.taobao_deposit") == 100_000
    back = setting_events(world.shop_a).last()
    assert (back.from_state, back.to_state) == ("¥1,500.00", "¥1,000.00")
    assert back.actor_number == manager.number


# --- Rule 6 / SHOP-3: platform-specific settings -------------------------------------------------------------


def test_a_setting_of_another_platform_is_refused_and_nothing_is_written_rule_6_SHOP_3(world):
    """The Tmall deposit does not apply to a JD shop: refused per key (not_applicable) with the good value in the
    same submission not saved either; reading it still gives the documented default."""
    manager = world.people["manager"]
    before = Event.objects.count()
    with pytest.raises(DomainError) as info:
        update_settings(manager, world.shop_b, {"opening.tmall_deposit": "20000", "opening.jd_review_days": "10"})
    error = info.value
    assert error.code == "invalid_settings"
    assert set(error.errors) == {"opening.tmall_deposit"}
    message = error.errors["opening.tmall_deposit"]
    assert "天猫保证金" in message  # names the setting
    assert "京东" in message  # and the shop's platform
    assert not re.search(r"[A-Za-z]", message), message  # in Chinese, like every other error
    assert not ShopSettingValue.objects.filter(shop=world.shop_b).exists()
    assert Event.objects.count() == before
    assert get_setting(world.shop_b, "opening.tmall_deposit") == 1_000_000
    assert get_setting(world.shop_b, "opening.jd_review_days") == 14


@pytest.mark.parametrize(
    ("platform", "applies", "other"),
    [
        ("tmall", "opening.tmall_annual_fee", "opening.taobao_deposit"),
        ("taobao", "opening.taobao_deposit", "opening.jd_deposit"),
        ("jd", "opening.jd_deposit", "opening.pdd_deposit"),
        ("pdd", "opening.pdd_deposit", "opening.tmall_deposit"),
    ],
)
def test_each_platform_takes_its_own_opening_settings_only_rule_6_SHOP_3(world, platform, applies, other):
    shop = create_shop(None, code=f"p-{platform}", platform=platform, name=f"{platform} 店")
    assert update_settings(None, shop, {applies: "12345"}) == [applies]
    assert get_setting(shop, applies) == 1_234_500
    with pytest.raises(DomainError) as info:
        update_settings(None, shop, {other: "12345"})
    assert set(info.value.errors) == {other}
    assert not ShopSettingValue.objects.filter(shop=shop, key=other).exists()


def test_service_settings_apply_to_every_platform_rule_6(world):
    for n, platform in enumerate(("taobao", "tmall", "jd", "pdd", "own"), start=1):
        shop = create_shop(None, code=f"s-{platform}", platform=platform, name=f"{platform} 店")
        assert update_settings(None, shop, {"service.reply_promise_hours": str(n)}) == ["service.reply_promise_hours"]
        assert get_setting(shop, "service.reply_promise_hours") == n


def test_platform_specific_settings_name_known_platforms_rule_6_SHOP_3(world):
    """A typo in `platforms` would hide a setting from every shop; each code must be a platform shops can be on."""
    known = set(Platform.objects.values_list("code", flat=True))
    restricted = {d.key: d.platforms for d in all_definitions() if d.platforms}
    assert {"opening.tmall_deposit", "opening.jd_review_days"} <= set(restricted)
    for key, platforms in restricted.items():
        assert set(platforms) <= known, (key, platforms)
    jd_keys = {d.key for d in definitions_for("jd")}
    assert {"opening.jd_review_days", "opening.jd_deposit", "service.hours_start"} <= jd_keys
    assert "opening.tmall_deposit" not in jd_keys
