"""Shops on platforms (SHOP-1), profiles (SHOP-2), opening checklists (SHOP-3) and platform facts as data
(SHOP-4); every write on the timeline with the actor's 工号 (TEAM-3)."""

import datetime as dt
import itertools
import re

import pytest

from zhanggui.core.errors import DomainError
from zhanggui.core.models import Event
from zhanggui.shops import services
from zhanggui.shops.models import OpeningStep, Platform, Shop
from zhanggui.shops.settings_store import update_settings

CJK = re.compile(r"[\u4e00-\u9fff]")
START = dt.date(2026, 3, 2)


def shop_events(shop, kind):
    return Event.objects.filter(shop=shop, kind=kind).order_by("id")


# --- SHOP-1: shops -------------------------------------------------------------------------------------------


def test_create_shop_on_each_platform_SHOP_1(world):
    manager = world.people["manager"]
    for platform in ("taobao", "tmall", "jd", "pdd", "own"):
        shop = services.create_shop(manager, code=f"x-{platform}", platform=platform, name=f"{platform} 店")
        assert shop.platform_id == platform
        event = shop_events(shop, "created").get()
        assert event.actor_number == manager.number
        assert event.to_state == Platform.objects.get(code=platform).name


def test_create_shop_normalises_the_code_SHOP_1(world):
    shop = services.create_shop(None, code="  TM-Main ", platform="tmall", name=" 天猫主店 ", shop_type="flagship")
    assert (shop.code, shop.name, shop.shop_type) == ("tm-main", "天猫主店", "flagship")
    assert shop.shop_type_name == "旗舰店"


def test_shop_code_is_unique_SHOP_1(world):
    with pytest.raises(DomainError) as info:
        services.create_shop(None, code="tb-a", platform="tmall", name="另一个店")
    assert info.value.code == "duplicate_code"
    assert info.value.field == "code"
    assert "tb-a" in info.value.message
    with pytest.raises(DomainError) as info:
        services.create_shop(None, code="TB-A", platform="taobao", name="大小写不同")
    assert info.value.code == "duplicate_code"
    assert Shop.objects.filter(code="tb-a").count() == 1


@pytest.mark.parametrize("code", ["a", "", "淘宝店", "tb main", "-tb", "x" * 33])
def test_invalid_shop_code_is_refused_SHOP_1(world, code):
    with pytest.raises(DomainError) as info:
        services.create_shop(None, code=code, platform="taobao", name="店")
    assert info.value.code == "invalid_code"


def test_unknown_platform_is_refused_with_the_known_ones_SHOP_1(world):
    with pytest.raises(DomainError) as info:
        services.create_shop(None, code="ks-1", platform="kuaishou", name="快手店")
    assert info.value.code == "unknown_platform"
    assert info.value.field == "platform"
    for code in ("taobao", "tmall", "jd", "pdd", "own"):
        assert code in info.value.message
    assert not Shop.objects.filter(code="ks-1").exists()


def test_shop_name_is_required_SHOP_2(world):
    with pytest.raises(DomainError) as info:
        services.create_shop(None, code="tb-noname", platform="taobao", name="  ")
    assert info.value.code == "required"


@pytest.mark.parametrize(
    ("platform", "shop_type", "ok"),
    [
        ("taobao", "personal", True),
        ("taobao", "enterprise", True),
        ("taobao", "flagship", False),
        ("tmall", "flagship", True),
        ("tmall", "exclusive", True),
        ("tmall", "specialty", True),
        ("tmall", "personal", False),
        ("jd", "pop", True),
        ("jd", "self", True),
        ("jd", "flagship", False),
    ],
)
def test_shop_type_must_exist_on_the_platform_SHOP_2(world, platform, shop_type, ok):
    if ok:
        shop = services.create_shop(None, code="typed", platform=platform, name="店", shop_type=shop_type)
        assert shop.shop_type == shop_type
        return
    with pytest.raises(DomainError) as info:
        services.create_shop(None, code="typed", platform=platform, name="店", shop_type=shop_type)
    assert info.value.code == "invalid_shop_type"
    assert not Shop.objects.filter(code="typed").exists()


# --- SHOP-2: profile -----------------------------------------------------------------------------------------


def test_profile_update_records_one_event_per_changed_field_SHOP_2_TEAM_3(world):
    manager = world.people["manager"]
    shop = world.shop_a
    changed = services.update_shop_profile(
        manager,
        shop,
        name="甲店旗舰",
        announcement="双12 全店满 299 减 30",
        buyer_notice="16:00 前付款当天发货",
        reply_promise="邮件 8 小时内回复",
        category=shop.category,  # unchanged: no event
    )
    assert sorted(changed) == ["announcement", "buyer_notice", "name", "reply_promise"]
    shop.refresh_from_db()
    assert shop.name == "甲店旗舰"
    assert shop.buyer_notice == "16:00 前付款当天发货"
    events = list(shop_events(shop, "profile_changed"))
    assert len(events) == 4
    assert all(e.actor_number == manager.number for e in events)
    rename = next(e for e in events if e.to_state == "甲店旗舰")
    assert rename.from_state == "甲店"


def test_profile_update_without_changes_records_nothing_SHOP_2(world):
    assert services.update_shop_profile(None, world.shop_a, name="甲店") == []
    assert not shop_events(world.shop_a, "profile_changed").exists()


def test_profile_update_refuses_a_wrong_shop_type_and_an_empty_name_SHOP_2(world):
    with pytest.raises(DomainError) as info:
        services.update_shop_profile(None, world.shop_b, shop_type="flagship")
    assert info.value.code == "invalid_shop_type"
    with pytest.raises(DomainError) as info:
        services.update_shop_profile(None, world.shop_b, name=" ")
    assert info.value.code == "required"
    world.shop_b.refresh_from_db()
    assert (world.shop_b.name, world.shop_b.shop_type) == ("乙店", "")


def test_profile_update_of_a_long_text_keeps_the_timeline_short_SHOP_2(world):
    services.update_shop_profile(None, world.shop_a, buyer_notice="须" * 500)
    event = shop_events(world.shop_a, "profile_changed").get()
    assert len(event.to_state) <= 60


# --- SHOP-4: platform facts are data -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "tool", "name"),
    [
        ("tmall", "ads", "直通车"),
        ("taobao", "ads", "直通车"),
        ("taobao", "affiliate", "淘宝客"),
        ("jd", "ads", "京东快车"),
        ("pdd", "affiliate", "多多进宝"),
    ],
)
def test_promotion_tool_names_come_from_the_data_file_SHOP_4(db, platform, tool, name):
    services.load_platform_facts()
    assert Platform.objects.get(code=platform).promotion_tools[tool] == name


def test_every_platform_is_loaded_with_fees_status_names_and_export_columns_SHOP_4(db):
    services.load_platform_facts()
    platforms = {p.code: p for p in Platform.objects.all()}
    assert set(platforms) == {"taobao", "tmall", "jd", "pdd", "own"}
    assert platforms["tmall"].fees["commission_rate_bp"] == 500
    assert platforms["taobao"].status_names["买家已付款，等待卖家发货"] == "paid"
    assert platforms["jd"].status_names["等待出库"] == "paid"
    assert "订单编号" in platforms["taobao"].export_columns["order_no"]
    assert len(platforms["tmall"].opening_steps) == 7


def test_loading_the_facts_again_keeps_the_managers_edits_SHOP_4(db):
    services.load_platform_facts()
    tmall = Platform.objects.get(code="tmall")
    tmall.promotion_tools["ads"] = "万相台"
    del tmall.promotion_tools["affiliate"]  # a key the manager never set comes back from the file
    tmall.fees["commission_rate_bp"] = 300
    tmall.opening_steps = [{"title": "自定义步骤", "days": 2}]
    tmall.save()

    services.load_platform_facts()

    tmall.refresh_from_db()
    assert tmall.promotion_tools["ads"] == "万相台"
    assert tmall.promotion_tools["affiliate"] == "淘宝客"
    assert tmall.fees["commission_rate_bp"] == 300
    assert tmall.opening_steps == [{"title": "自定义步骤", "days": 2}]


def test_a_deleted_platform_is_restored_from_the_data_file_SHOP_4(db):
    services.load_platform_facts()
    Platform.objects.filter(code="own").delete()
    services.load_platform_facts()
    assert Platform.objects.get(code="own").name


# --- SHOP-3: opening checklist -------------------------------------------------------------------------------


@pytest.fixture
def tmall(world):
    return services.create_shop(None, code="tm-a", platform="tmall", name="天猫店", shop_type="flagship")


def test_tmall_checklist_has_the_seven_documented_steps_SHOP_3(world, tmall):
    manager = world.people["manager"]
    checklist = services.start_opening_checklist(manager, tmall, started_on=START)
    steps = list(checklist.steps.all())
    assert [s.position for s in steps] == [1, 2, 3, 4, 5, 6, 7]
    titles = [s.title for s in steps]
    for position, word in [
        (1, "支付宝"),
        (2, "申请"),
        (3, "品牌"),
        (4, "代扣协议"),
        (5, "审核"),
        (6, "保证金"),
        (7, "开店"),
    ]:
        assert word in titles[position - 1], (position, titles)
    deposit_step = steps[5]
    assert deposit_step.amount_fen == 1_000_000  # 10,000 元 deposit
    assert deposit_step.second_amount_fen == 600_000  # 6,000 元 annual service fee
    assert all(s.amount_fen is None for s in steps if s is not deposit_step)
    # Dates move forward from the start, each step after the one before.
    assert steps[0].due_on > START
    assert all(a.due_on < b.due_on for a, b in itertools.pairwise(steps))
    assert all(s.done_on is None for s in steps)
    event = shop_events(tmall, "opening_started").get()
    assert event.actor_number == manager.number
    assert "7" in event.note


def test_tmall_amounts_come_from_the_shops_settings_SHOP_3(world, tmall):
    update_settings(
        world.people["manager"], tmall, {"opening.tmall_deposit": "50000", "opening.tmall_annual_fee": "30,000.00"}
    )
    checklist = services.start_opening_checklist(None, tmall, started_on=START)
    step = checklist.steps.get(position=6)
    assert (step.amount_fen, step.second_amount_fen) == (5_000_000, 3_000_000)


def test_jd_review_step_lasts_the_configured_days_SHOP_3(world):
    update_settings(None, world.shop_b, {"opening.jd_review_days": "10"})
    checklist = services.start_opening_checklist(None, world.shop_b, started_on=START)
    steps = {s.position: s for s in checklist.steps.all()}
    review = next(s for s in steps.values() if "审核" in s.title)
    before = steps[review.position - 1]
    assert (review.due_on - before.due_on).days == 10


def test_jd_review_defaults_to_two_weeks_SHOP_3(world):
    checklist = services.start_opening_checklist(None, world.shop_b, started_on=START)
    steps = list(checklist.steps.all())
    review = next(s for s in steps if "审核" in s.title)
    assert (review.due_on - steps[review.position - 2].due_on).days == 14
    assert next(s for s in steps if s.amount_fen).amount_fen == 3_000_000


def test_pdd_entry_is_free_and_the_deposit_comes_later_SHOP_3(world):
    pdd = services.create_shop(None, code="pdd-a", platform="pdd", name="拼多多店")
    steps = list(services.start_opening_checklist(None, pdd, started_on=START).steps.all())
    assert "0 元" in steps[0].title and steps[0].amount_fen is None
    assert steps[-1].amount_fen == 100_000
    assert steps[-1].due_on == max(s.due_on for s in steps)


def test_a_shop_has_one_checklist_SHOP_3(world):
    services.start_opening_checklist(None, world.shop_a)
    with pytest.raises(DomainError) as info:
        services.start_opening_checklist(None, world.shop_a)
    assert info.value.code == "exists"


def test_complete_and_reopen_a_step_write_the_timeline_SHOP_3_TEAM_3(world, tmall):
    manager = world.people["manager"]
    step = services.start_opening_checklist(manager, tmall, started_on=START).steps.get(position=1)
    services.complete_opening_step(manager, step, done_on=dt.date(2026, 3, 4))
    step.refresh_from_db()
    assert step.done_on == dt.date(2026, 3, 4)
    services.reopen_opening_step(manager, step)
    step.refresh_from_db()
    assert step.done_on is None
    done, reopened = shop_events(tmall, "opening_step")
    assert done.actor_number == reopened.actor_number == manager.number
    assert (done.from_state, done.to_state) == (reopened.to_state, reopened.from_state)
    assert done.from_state != done.to_state
    assert step.title in done.note


def test_completing_twice_is_refused_SHOP_3(world, tmall):
    step = services.start_opening_checklist(None, tmall, started_on=START).steps.get(position=1)
    services.complete_opening_step(None, step)
    with pytest.raises(DomainError) as info:
        services.complete_opening_step(None, OpeningStep.objects.get(pk=step.pk))
    assert info.value.code == "already_done"
    assert shop_events(tmall, "opening_step").count() == 1


def test_reopening_an_open_step_is_refused_SHOP_3(world, tmall):
    step = services.start_opening_checklist(None, tmall, started_on=START).steps.get(position=2)
    with pytest.raises(DomainError) as info:
        services.reopen_opening_step(None, step)
    assert info.value.code == "not_done"


def test_editing_a_steps_amount_records_it_and_refuses_negatives_SHOP_3(world, tmall):
    manager = world.people["manager"]
    step = services.start_opening_checklist(None, tmall, started_on=START).steps.get(position=6)
    services.update_opening_step(manager, step, amount_fen=2_000_000)
    step.refresh_from_db()
    assert step.amount_fen == 2_000_000
    event = shop_events(tmall, "opening_step_edited").get()
    # rule 5: money on the timeline in ¥, never in fen ("1000000 → 2000000")
    assert (event.from_state, event.to_state, event.actor_number) == ("¥10,000.00", "¥20,000.00", manager.number)
    with pytest.raises(DomainError) as info:
        services.update_opening_step(manager, step, second_amount_fen=-1)
    assert info.value.code == "out_of_range"  # rule 7: core.bounds
    step.refresh_from_db()
    assert step.second_amount_fen == 600_000
