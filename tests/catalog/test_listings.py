"""Listings per shop (PROD-1), schedules (PROD-2), stock-aware listing (PROD-6), heroes (PROD-7), showcase and
recommended items (PROD-11): the services."""

import datetime as dt

import pytest
from django.conf import settings as django_settings

from zhanggui.catalog import selectors
from zhanggui.catalog.models import ComboItem, Listing, ListingSchedule, Product, Sku
from zhanggui.catalog.services import listing_flags, listing_schedules, listing_stock
from zhanggui.catalog.services import listings as svc
from zhanggui.core import clock
from zhanggui.core.domain_events import StockChanged, publish
from zhanggui.core.errors import DomainError
from zhanggui.core.events import timeline_for
from zhanggui.shops.settings_store import update_settings

S = Listing.Status


def make_product(code, name="碎花连衣裙", skus=(("红色", "M"), ("红色", "L")), cost=5000):
    product = Product.objects.create(style_code=code, name=name)
    for colour, size in skus:
        Sku.objects.create(product=product, code=f"{code}-{colour}-{size}", colour=colour, size=size, cost_fen=cost)
    return product


@pytest.fixture
def editor(world):
    return world.people["editor"]


@pytest.fixture
def product(world):
    return make_product("L-1")


def listed(actor, shop, code, **kw):
    listing = svc.create_listing(actor, shop, make_product(code), f"新款{code}连衣裙", 9900, **kw)
    return svc.list_now(actor, listing)


def test_prod1_create_listing_with_platform_sku_mapping(world, editor, product):
    red_m, red_l = product.skus.all()
    listing = svc.create_listing(
        editor,
        world.shop_a,
        product,
        "2025新款碎花连衣裙",
        12900,
        platform_item_id="6001",
        skus=[(red_m, "p-1"), (red_l.pk, "p-2")],
    )
    assert listing.status == S.DRAFT
    assert dict(listing.skus.values_list("platform_sku_id", "sku_id")) == {"p-1": red_m.pk, "p-2": red_l.pk}
    event = timeline_for(listing).get()
    assert event.kind == "created" and event.actor_number == editor.number
    # The same product in another shop: its own title, price and status (PROD-1).
    other = svc.create_listing(editor, world.shop_b, product, "京东标题", 13900, skus=[(red_m, "p-1")])
    assert other.price_fen == 13900
    with pytest.raises(DomainError) as err:
        svc.create_listing(editor, world.shop_a, product, "again", 100)
    assert err.value.code == "already_listed"


def test_prod1_platform_sku_unique_per_shop_and_maps_to_one_sku(world, editor, product):
    red_m, red_l = product.skus.all()
    svc.create_listing(editor, world.shop_a, product, "标题", 100, skus=[(red_m, "p-1")])
    other = make_product("L-2")
    with pytest.raises(DomainError) as err:
        svc.create_listing(editor, world.shop_a, other, "标题", 100, skus=[(other.skus.first(), "p-1")])
    assert err.value.code == "platform_sku_taken" and err.value.field == "skus"
    with pytest.raises(DomainError) as err:
        svc.create_listing(editor, world.shop_a, other, "标题", 100, skus=[(s, "p-9") for s in other.skus.all()])
    assert err.value.code == "duplicate_platform_sku"
    with pytest.raises(DomainError) as err:
        svc.create_listing(editor, world.shop_a, other, "标题", 100, skus=[(red_l, "p-3")])  # another product's SKU
    assert err.value.code == "sku_not_of_product"
    # Another shop may use the same platform SKU id.
    svc.create_listing(editor, world.shop_b, other, "标题", 100, skus=[(other.skus.first(), "p-1")])


def test_prod1_combo_sku_may_be_mapped(world, editor, product):
    red_m, red_l = product.skus.all()
    combo = Sku.objects.create(product=make_product("L-9", skus=()), code="COMBO-1", is_combo=True)
    ComboItem.objects.create(combo=combo, component=red_m, quantity=2)
    listing = svc.create_listing(editor, world.shop_a, product, "两件装", 100, skus=[(red_l, "p-1"), (combo, "p-2")])
    assert listing.skus.count() == 2


def test_prod1_bad_input_is_a_chinese_domain_error(world, editor, product):
    with pytest.raises(DomainError) as err:
        svc.create_listing(editor, world.shop_a, product, "  ", 100)
    assert err.value.field == "title"
    with pytest.raises(DomainError) as err:
        svc.create_listing(editor, world.shop_a, product, "标题", 0)
    assert err.value.field == "price"


def test_prod2_list_delist_now_on_the_timeline(world, editor, product):
    listing = svc.create_listing(editor, world.shop_a, product, "标题", 100)
    svc.list_now(editor, listing)
    listing.refresh_from_db()
    assert listing.status == S.LISTED and listing.listed_at
    with pytest.raises(DomainError):
        svc.list_now(editor, listing)
    svc.delist_now(editor, listing)
    listing.refresh_from_db()
    assert listing.status == S.DELISTED and listing.delisted_at
    kinds = [(e.kind, e.to_state, e.actor_number) for e in timeline_for(listing)]
    assert kinds[0] == ("status", str(S.DELISTED.label), editor.number)
    draft = svc.create_listing(editor, world.shop_a, make_product("L-3"), "标题", 100)
    with pytest.raises(DomainError) as err:
        svc.delist_now(editor, draft)
    assert err.value.code == "illegal_transition"


def test_prod2_due_schedule_runs_once(world, editor, product):
    listing = svc.create_listing(editor, world.shop_a, product, "标题", 100)
    run_at = clock.now() + dt.timedelta(hours=1)
    item = listing_schedules.schedule(editor, listing, "list", run_at)
    assert listing_schedules.run_due_schedules(clock.now()) == {"done": 0, "failed": 0}  # not due yet
    later = run_at + dt.timedelta(minutes=1)
    assert listing_schedules.run_due_schedules(later) == {"done": 1, "failed": 0}
    assert listing_schedules.run_due_schedules(later) == {"done": 0, "failed": 0}  # never twice
    item.refresh_from_db()
    listing.refresh_from_db()
    assert item.done_at and listing.status == S.LISTED
    event = timeline_for(listing).filter(kind="status").get()
    assert event.actor_number == editor.number and "定时" in event.note


def test_prod2_schedule_validation_cancel_and_failure(world, editor, product):
    listing = svc.create_listing(editor, world.shop_a, product, "标题", 100)
    with pytest.raises(DomainError) as err:
        listing_schedules.schedule(editor, listing, "list", clock.now() - dt.timedelta(minutes=1))
    assert err.value.field == "run_at"
    with pytest.raises(DomainError):
        listing_schedules.schedule(editor, listing, "explode", clock.now() + dt.timedelta(hours=1))
    item = listing_schedules.schedule(editor, listing, "list", clock.now() + dt.timedelta(hours=1))
    listing_schedules.cancel_schedule(editor, item)
    with pytest.raises(DomainError):
        listing_schedules.cancel_schedule(editor, item)
    assert listing_schedules.run_due_schedules(clock.now() + dt.timedelta(hours=2))["done"] == 0
    # A delist of a draft cannot run: recorded as failed, not retried.
    listing_schedules.schedule(editor, listing, "delist", clock.now() + dt.timedelta(minutes=5))
    assert listing_schedules.run_due_schedules(clock.now() + dt.timedelta(hours=2)) == {"done": 0, "failed": 1}
    assert timeline_for(listing).filter(kind="schedule_failed").exists()
    assert listing_schedules.run_due_schedules(clock.now() + dt.timedelta(hours=3)) == {"done": 0, "failed": 0}


def test_prod2_periodic_task_is_in_the_beat_schedule(world, editor, product):
    from zhanggui.catalog.tasks import run_listing_schedules

    entry = django_settings.CELERY_BEAT_SCHEDULE["catalog-listing-schedules"]
    assert entry["task"] == run_listing_schedules.name and entry["schedule"] == 60.0
    listing = svc.create_listing(editor, world.shop_a, product, "标题", 100)
    item = listing_schedules.schedule(editor, listing, "list", clock.now() + dt.timedelta(seconds=1))
    ListingSchedule.objects.filter(pk=item.pk).update(run_at=clock.now() - dt.timedelta(seconds=1))
    assert run_listing_schedules.delay().get() == {"done": 1, "failed": 0}


def test_prod2_suggested_times_avoid_full_slots(world, editor, product):
    update_settings(world.people["manager"], world.shop_a, {"catalog.max_listings_per_slot": 1})
    first = selectors.suggested_times(world.shop_a, count=1)[0]
    listing = svc.create_listing(editor, world.shop_a, product, "标题", 100)
    listing_schedules.schedule(editor, listing, "list", first)
    again = selectors.suggested_times(world.shop_a, count=1)[0]
    assert again != first and abs((again - first).total_seconds()) <= 3600
    assert len(set(selectors.planned_times(world.shop_a, 6))) == 6


def stock(**available):
    publish(
        StockChanged(
            sku_ids=tuple(int(k[1:]) for k in available),
            available={int(k[1:]): v for k, v in available.items()},
        )
    )


def test_prod6_stock_changed_delists_and_relists(world, editor, product, django_capture_on_commit_callbacks):
    red_m, red_l = product.skus.all()
    listing = svc.list_now(editor, svc.create_listing(editor, world.shop_a, product, "标题", 100))
    with django_capture_on_commit_callbacks(execute=True):
        stock(**{f"s{red_m.pk}": 0})
    listing.refresh_from_db()
    assert listing.status == S.LISTED  # red L still orderable
    with django_capture_on_commit_callbacks(execute=True):
        stock(**{f"s{red_l.pk}": 0})
    listing.refresh_from_db()
    assert listing.status == S.TO_DELIST
    event = timeline_for(listing).first()
    assert event.kind == "sold_out" and "等待平台下架" in event.note and event.actor_number == ""
    assert Sku.objects.get(pk=red_l.pk).sold_out
    with pytest.raises(DomainError) as err:  # PROD-6: stock is checked before listing
        svc.list_now(editor, svc.create_listing(editor, world.shop_b, product, "标题", 100))
    assert err.value.code == "sold_out"
    with django_capture_on_commit_callbacks(execute=True):
        stock(**{f"s{red_l.pk}": 3})
    listing.refresh_from_db()
    assert listing.status == S.LISTED
    assert timeline_for(listing).first().kind == "restocked"


def test_prod6_manually_delisted_listing_is_not_relisted(world, editor, product):
    red_m, red_l = product.skus.all()
    listing = svc.list_now(editor, svc.create_listing(editor, world.shop_a, product, "标题", 100))
    svc.delist_now(editor, listing)
    listing_stock.on_stock_changed(StockChanged(sku_ids=(red_m.pk, red_l.pk), available={red_m.pk: 0, red_l.pk: 0}))
    listing_stock.on_stock_changed(StockChanged(sku_ids=(red_m.pk,), available={red_m.pk: 5}))
    listing.refresh_from_db()
    assert listing.status == S.DELISTED


def test_prod6_combo_available_only_when_all_parts_are(world, editor, product):
    red_m, red_l = product.skus.all()
    combo = Sku.objects.create(product=make_product("L-9", skus=()), code="COMBO-1", is_combo=True)
    ComboItem.objects.create(combo=combo, component=red_m)
    ComboItem.objects.create(combo=combo, component=red_l)
    set_product = make_product("L-8", skus=())
    listing = svc.list_now(
        editor, svc.create_listing(editor, world.shop_a, set_product, "套装", 100, skus=[(combo, "c-1")])
    )
    assert selectors.sku_availability([combo.pk]) == {combo.pk: True}
    result = listing_stock.on_stock_changed(
        StockChanged(sku_ids=(red_m.pk,), available={red_m.pk: 0})
    )  # one part out: the combo is out
    assert result["to_delist"] == 1
    listing.refresh_from_db()
    assert listing.status == S.TO_DELIST
    listing_stock.on_stock_changed(StockChanged(sku_ids=(red_m.pk,), available={red_m.pk: 2}))
    listing.refresh_from_db()
    assert listing.status == S.LISTED


def test_prod6_bulk_stock_change_is_a_fixed_number_of_queries(world, editor, django_assert_max_num_queries):
    skus = []
    for n in range(15):
        p = make_product(f"B-{n}", skus=(("黑色", "F"),))
        svc.list_now(editor, svc.create_listing(editor, world.shop_a, p, f"新款{n}", 100))
        skus.append(p.skus.get().pk)
    with django_assert_max_num_queries(14):
        result = listing_stock.on_stock_changed(StockChanged(sku_ids=tuple(skus), available={s: 0 for s in skus}))
    assert result["to_delist"] == 15


def test_prod7_sixth_hero_refused(world, editor):
    heroes = [svc.create_listing(editor, world.shop_a, make_product(f"H-{n}"), "标题", 100) for n in range(6)]
    assert selectors.hero_warnings([world.shop_a])  # fewer than 3
    for listing in heroes[:5]:
        listing_flags.set_hero(editor, listing, True)
    with pytest.raises(DomainError) as err:
        listing_flags.set_hero(editor, heroes[5], True)
    assert err.value.code == "too_many_heroes"
    assert selectors.hero_warnings([world.shop_a]) == []
    listing_flags.set_hero(editor, heroes[0], False)
    listing_flags.set_hero(editor, heroes[5], True)
    assert timeline_for(heroes[5]).filter(kind="hero", actor_number=editor.number).exists()
    update_settings(world.people["manager"], world.shop_a, {"catalog.hero_max": 6})
    listing_flags.set_hero(editor, heroes[0], True)


def test_prod11_seventh_recommended_refused(world, editor):
    items = [listed(editor, world.shop_a, f"R-{n}") for n in range(7)]
    for listing in items[:6]:
        listing_flags.set_recommended(editor, listing, True)
    with pytest.raises(DomainError) as err:
        listing_flags.set_recommended(editor, items[6], True)
    assert err.value.code == "too_many_recommended"
    draft = svc.create_listing(editor, world.shop_a, make_product("R-x"), "标题", 100)
    with pytest.raises(DomainError) as err:
        listing_flags.set_showcase(editor, draft, True)
    assert err.value.code == "not_listed"
    listing_flags.set_showcase(editor, items[6], True)
    assert Listing.objects.get(pk=items[6].pk).in_showcase


def test_prod11_suggestions_rank_by_margin_relisting_and_skip_sold_out(world, editor):
    now = clock.now()
    near = listed(editor, world.shop_a, "S-1")  # relists in ~1 hour
    far = listed(editor, world.shop_a, "S-2")  # relisted 1 hour ago
    out = listed(editor, world.shop_a, "S-3")
    Listing.objects.filter(pk=near.pk).update(listed_at=now - dt.timedelta(days=7) + dt.timedelta(hours=1))
    Listing.objects.filter(pk=far.pk).update(listed_at=now - dt.timedelta(hours=1))
    Sku.objects.filter(product=out.product).update(sold_out=True)
    rows = selectors.showcase_suggestions(world.shop_a, now=now)
    assert [r["listing"].pk for r in rows] == [near.pk, far.pk]
    assert rows[0]["hours_to_relist"] == pytest.approx(1, abs=0.1)
    assert rows[0]["margin_percent"] == pytest.approx((9900 - 5000) * 100 / 9900, abs=0.1)


def test_prod2_bulk_list_and_delist(world, editor):
    drafts = [svc.create_listing(editor, world.shop_a, make_product(f"K-{n}"), "标题", 100) for n in range(3)]
    Sku.objects.filter(product=drafts[2].product).update(sold_out=True)
    result = svc.bulk_change(editor, drafts, "list")
    assert result["moved"] == 2 and result["skipped"][0][0] == drafts[2].pk
    assert selectors.listing_status_counts([world.shop_a])[S.LISTED] == 2
    assert svc.bulk_change(editor, drafts, "delist")["moved"] == 2
