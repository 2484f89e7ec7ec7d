"""标题问题 at volume (PROD-3): the check is stored per listing and computed again only for listings whose title, word
lists, shop limits, product or SKU colours changed; the page counts its tabs (problem kinds) and shops from the stored
rows and shows 20 / 50 / 100 / 200 of them a page."""

import re

import pytest

from zhanggui.catalog.models import Category, Listing, ListingTitleCheck, Product, Sku
from zhanggui.catalog.services import skus, title_checks, titles
from zhanggui.shops.settings_store import update_settings

GOOD = "2025新款韩版修身碎花雪纺连衣裙红色"  # all five parts, 17 characters (tests/catalog/test_titles.py)
URL = "/products/listings/title-issues/"


def shown(body: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-listing="(\d+)"', body)]


def counts(body: str) -> dict[str, int]:
    return {k: int(n) for k, n in re.findall(r'data-count="(\w+)">(\d+)<', body)}


def listings(world, n, *, shop, start=0, title=lambda i: "碎花连衣裙碎花连衣裙") -> list[Listing]:
    """`n` listings of `shop`, each of its own product (the shape of a real catalogue), newest last."""
    cat = Category.objects.get_or_create(name="连衣裙")[0]
    products = Product.objects.bulk_create(
        Product(style_code=f"T-{start + i:05d}", name="碎花雪纺连衣裙", category=cat, attributes={"材质": "雪纺"})
        for i in range(n)
    )
    Sku.objects.bulk_create(Sku(product=p, code=f"{p.style_code}-RED-M", colour="红色", size="M") for p in products)
    made = Listing.objects.bulk_create(
        Listing(shop=shop, product=p, title=title(start + i), price_fen=9900) for i, p in enumerate(products)
    )
    return made


@pytest.fixture
def catalogue(world):
    """1,080 listings: 600 repeating words and 400 too long in shop A, 50 repeating in shop B, 30 good ones."""
    repeat = listings(world, 600, shop=world.shop_a)
    long = listings(world, 400, shop=world.shop_a, start=1000, title=lambda i: GOOD + "长" * 14)
    other = listings(world, 50, shop=world.shop_b, start=2000)
    good = listings(world, 30, shop=world.shop_a, start=3000, title=lambda i: GOOD)
    return {"repeat": repeat, "long": long, "other": other, "good": good}


def test_page_2_shows_the_right_rows_and_the_tabs_count_every_issue(catalogue, client_for, world):
    manager = client_for(world.people["manager"])  # both shops
    first = manager.get(URL).content.decode()
    expected = titles.title_issues([world.shop_a, world.shop_b])  # computed now, for comparison
    assert counts(first) == {
        "all": len(expected),
        "long": sum(1 for _li, r, _why in expected if r.too_many_chars or r.too_many_bytes),
        "missing": sum(1 for _li, r, _why in expected if r.missing),
        "repeats": sum(1 for _li, r, _why in expected if r.repeats),
    }
    assert counts(first)["all"] == 1050 and counts(first)["long"] == 400
    # order: by shop, newest listing first — the same order as the stored rows are read in
    ordered = list(
        ListingTitleCheck.objects.filter(ok=False)
        .order_by("listing__shop_id", "-listing__created_at", "listing_id")
        .values_list("listing_id", flat=True)
    )
    assert shown(first) == ordered[:50]
    second = manager.get(URL, {"page": 2}).content.decode()
    assert shown(second) == ordered[50:100]
    assert 'data-total="1050"' in second and 'data-page="21"' in second
    good = {li.pk for li in catalogue["good"]}
    assert not good & set(ordered)


def test_filters_narrow_rows_and_counts(catalogue, client_for, world):
    manager = client_for(world.people["manager"])
    long_page = manager.get(URL, {"kind": "long", "size": 100, "page": 4}).content.decode()
    long_ids = sorted(li.pk for li in catalogue["long"])
    assert sorted(shown(long_page)) == sorted(
        ListingTitleCheck.objects.filter(too_long=True)
        .order_by("listing__shop_id", "-listing__created_at", "listing_id")
        .values_list("listing_id", flat=True)[300:400]
    )
    assert set(shown(long_page)) <= set(long_ids)
    shop_b = manager.get(URL, {"shop_id": world.shop_b.pk, "size": 20, "page": 3}).content.decode()
    assert counts(shop_b)["all"] == 50 and counts(shop_b)["long"] == 0
    assert set(shown(shop_b)) <= {li.pk for li in catalogue["other"]} and len(shown(shop_b)) == 10
    assert f"（{600 + 400}）" in shop_b and "（50）" in shop_b  # the shop choice counts each shop's issues
    one = manager.get(URL, {"q": "T-01007"}).content.decode()
    assert shown(one) == [catalogue["long"][7].pk] and counts(one)["all"] == 1
    editor = client_for(world.people["editor"])  # shop A only
    assert counts(editor.get(URL, {"shop_id": world.shop_b.pk}).content.decode())["all"] == 0


def test_the_check_runs_again_only_for_what_changed(catalogue, client_for, world, monkeypatch):
    """Stored, not recomputed: a second view checks nothing; a changed title, product, SKU colour, shop limit or
    word list brings back exactly the listings it touches."""
    checked = []
    real = titles.check_listings

    def spy(qs):
        found = real(qs)
        checked.extend(listing.pk for listing, _result in found)
        return found

    monkeypatch.setattr(titles, "check_listings", spy)
    manager = client_for(world.people["manager"])
    manager.get(URL)
    assert len(checked) == 1080
    checked.clear()
    assert counts(manager.get(URL, {"page": 3}).content.decode())["all"] == 1050 and checked == []

    fixed = catalogue["repeat"][0]
    Listing.objects.filter(pk=fixed.pk).update(title=GOOD)  # any writer of titles, even a raw UPDATE
    assert counts(manager.get(URL).content.decode())["all"] == 1049 and checked == [fixed.pk]

    checked.clear()
    renamed = catalogue["good"][0].product
    renamed.name = "纯棉T恤"
    renamed.save()
    manager.get(URL)
    assert checked == [catalogue["good"][0].pk]

    checked.clear()
    skus.add_skus(world.people["manager"], catalogue["good"][1].product, colours=["藏青"], sizes=["M"])
    manager.get(URL)
    assert checked == [catalogue["good"][1].pk]

    checked.clear()
    update_settings(world.people["manager"], world.shop_b, {"catalog.title_max_chars": 12})
    manager.get(URL)
    assert sorted(checked) == sorted(li.pk for li in catalogue["other"])

    checked.clear()
    titles.add_title_word(world.people["editor"], "modifier", "通勤风")
    manager.get(URL)
    assert len(checked) == 1080


def test_a_listing_deleted_takes_its_check_along(catalogue, client_for, world):
    client_for(world.people["manager"]).get(URL)
    gone = catalogue["repeat"][3]
    gone.delete()
    assert not ListingTitleCheck.objects.filter(listing_id=gone.pk).exists()
    assert title_checks.refresh([world.shop_a, world.shop_b]) == 0
