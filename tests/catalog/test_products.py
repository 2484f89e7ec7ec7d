"""Products and SKUs (PROD-1), role marking (PROD-7), sourcing fields (PROD-10): services and selectors."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhanggui.catalog import selectors
from zhanggui.catalog.models import Category, ComboItem, Listing, Product, Sku
from zhanggui.catalog.services import combos as combo_svc
from zhanggui.catalog.services import products as svc
from zhanggui.catalog.services import sku_grid
from zhanggui.catalog.services import skus as sku_svc
from zhanggui.core.errors import DomainError
from zhanggui.core.events import timeline_for

pytestmark = pytest.mark.django_db


def make(
    actor=None,
    code="QH24S-0012",
    name="法式碎花连衣裙",
    colours=("黑色", "白色", "米白"),
    sizes=("S", "M", "L", "XL"),
    **kw,
):
    kw.setdefault("sku_defaults", {"cost_fen": 8900, "list_price_fen": 23900, "weight_g": 350})
    return svc.create_product(actor, style_code=code, name=name, colours=list(colours), sizes=list(sizes), **kw)


def listing(shop, product, status=Listing.Status.LISTED, price=19900):
    return Listing.objects.create(shop=shop, product=product, title=product.name, price_fen=price, status=status)


# ---- grid creation ----------------------------------------------------------------------------------------------


def test_prod1_grid_creates_colour_by_size_skus_with_default_codes(world):
    editor = world.people["editor"]
    product = make(editor, category="女装/连衣裙", brand="青禾", attributes={"面料": "棉"})
    skus = list(product.skus.order_by("pk"))
    assert len(skus) == 12
    assert {(s.colour, s.size) for s in skus} == {
        (c, s) for c in ("黑色", "白色", "米白") for s in ("S", "M", "L", "XL")
    }
    assert skus[0].code == "QH24S-0012-黑色-S"
    assert all(s.cost_fen == 8900 and s.list_price_fen == 23900 and s.weight_g == 350 for s in skus)
    assert all(s.barcode is None for s in skus)
    assert product.category.name == "连衣裙" and product.category.parent.name == "女装"
    assert product.attributes == {"面料": "棉"}
    event = timeline_for(product).get()
    assert event.kind == "created" and event.actor == editor and "12 个 SKU" in event.note


def test_prod1_rows_override_single_cells_codes_barcodes_and_prices(world):
    product = make(
        colours=["黑色"],
        sizes=["M", "L"],
        rows=[{"colour": "黑色", "size": "L", "code": "QH-BLK-L", "barcode": "6901234567890", "list_price_fen": 25900}],
    )
    by_size = {s.size: s for s in product.skus.all()}
    assert by_size["L"].code == "QH-BLK-L" and by_size["L"].barcode == "6901234567890"
    assert by_size["L"].list_price_fen == 25900 and by_size["M"].list_price_fen == 23900


def test_prod1_one_size_products_and_empty_grid(world):
    product = make(code="QH24S-0100", colours=["卡其"], sizes=["均码"])
    assert product.skus.get().code == "QH24S-0100-卡其-均码"
    with pytest.raises(DomainError) as exc:
        make(code="QH24S-0101", colours=[], sizes=[" ", ""])
    assert exc.value.code == "empty_grid" and "颜色或尺码" in exc.value.message
    assert not Product.objects.filter(style_code="QH24S-0101").exists()


def test_prod1_split_values_accepts_chinese_separators():
    assert sku_grid.split_values("黑色，白色、米白 黑色") == ["黑色", "白色", "米白"]
    assert sku_grid.split_values(["S", " M ", "", "S"]) == ["S", "M"]


def test_prod1_duplicate_style_code_is_refused_in_chinese(world):
    make()
    with pytest.raises(DomainError) as exc:
        make(name="另一条裙子")
    assert exc.value.code == "duplicate_style_code" and "QH24S-0012" in exc.value.message
    assert exc.value.field == "style_code"
    assert Product.objects.count() == 1


def test_prod1_duplicate_merchant_codes_are_listed_and_nothing_is_written(world):
    make(colours=["黑色"], sizes=["S", "M"])
    with pytest.raises(DomainError) as exc:
        make(
            code="QH24S-0013",
            colours=["黑色"],
            sizes=["S", "M", "L"],
            rows=[
                {"colour": "黑色", "size": "S", "code": "QH24S-0012-黑色-S"},
                {"colour": "黑色", "size": "M", "code": "QH24S-0012-黑色-M"},
            ],
        )
    assert exc.value.code == "duplicate_sku_code"
    assert "QH24S-0012-黑色-S" in exc.value.message and "QH24S-0012-黑色-M" in exc.value.message
    assert not Product.objects.filter(style_code="QH24S-0013").exists()
    with pytest.raises(DomainError) as exc:  # within one grid
        make(
            code="QH24S-0014",
            colours=["黑色"],
            sizes=["S", "M"],
            rows=[{"colour": "黑色", "size": "M", "code": "X-1"}, {"colour": "黑色", "size": "S", "code": "X-1"}],
        )
    assert "X-1" in exc.value.message


def test_prod1_barcodes_are_optional_but_unique(world):
    make(colours=["黑色"], sizes=["S"], rows=[{"colour": "黑色", "size": "S", "barcode": "6900000000011"}])
    with pytest.raises(DomainError) as exc:
        make(
            code="Z-2",
            colours=["白色"],
            sizes=["S"],
            rows=[{"colour": "白色", "size": "S", "barcode": "6900000000011"}],
        )
    assert exc.value.code == "duplicate_barcode"
    with pytest.raises(DomainError) as exc:
        make(code="Z-3", colours=["白色"], sizes=["S"], rows=[{"colour": "白色", "size": "S", "barcode": "69 00"}])
    assert exc.value.code == "invalid_barcode"


@pytest.mark.parametrize(
    "defaults, code",
    [
        ({"cost_fen": -1}, "out_of_range"),  # rule 7: core.bounds
        ({"cost_fen": 10000, "list_price_fen": 5000}, "price_below_cost"),
        ({"list_price_fen": 10000, "vip_price_fen": 12000}, "vip_above_list"),
        ({"weight_g": "heavy"}, "bad_number"),
    ],
)
def test_prod1_bad_prices_are_refused_with_the_cell(world, defaults, code):
    with pytest.raises(DomainError) as exc:
        make(sku_defaults=defaults)
    assert exc.value.code == code
    assert exc.value.field.startswith("row-0-")
    assert "黑色/S" in exc.value.message


def test_prod10_dropship_needs_a_supplier(world):
    with pytest.raises(DomainError) as exc:
        make(sourcing="dropship")
    assert exc.value.field == "supplier_name"
    product = make(sourcing="dropship", supplier_name="广州十三行某档口", first_order_sets=3)
    assert product.sourcing == Product.Sourcing.DROPSHIP and product.first_order_sets == 3


def test_pinyin_initials_are_computed_on_create_and_update(world):
    product = make(name="连衣裙")
    assert product.name_initials == "lyq"
    assert svc.name_initials("T恤女 2024新款") == "txn2024xk"
    svc.update_product(world.people["editor"], product, name="半身裙")
    product.refresh_from_db()
    assert product.name_initials == "bsq"


def test_category_get_or_create_by_name_and_path(world):
    a = svc.get_or_create_category("女装/T恤")
    assert svc.get_or_create_category("女装/T恤") == a
    assert Category.objects.filter(name="女装").count() == 1
    assert svc.get_or_create_category("") is None


def test_bulk_create_products_is_a_few_queries(world):
    specs = [
        svc.ProductSpec(
            style_code=f"B-{n:03d}",
            name=f"针织衫{n}",
            colours=["黑色", "白色"],
            sizes=["S", "M", "L"],
            category="针织衫",
        )
        for n in range(40)
    ]
    with CaptureQueriesContext(connection) as ctx:
        products = svc.create_products(None, specs)
    assert len(products) == 40 and Sku.objects.count() == 240
    assert len(ctx.captured_queries) <= 15, [q["sql"][:80] for q in ctx.captured_queries]


# ---- updates ------------------------------------------------------------------------------------------------------


def test_update_product_records_from_and_to(world):
    editor = world.people["editor"]
    product = make()
    svc.update_product(editor, product, brand="青禾", role="traffic", category="女装/连衣裙")
    event = timeline_for(product).first()
    assert event.kind == "product_changed"
    assert "品牌" in event.to_state or "brand" in event.to_state.lower()
    assert "引流" in event.to_state or "traffic" in event.to_state
    assert svc.update_product(editor, product, brand="青禾") and timeline_for(product).count() == 2  # no-op


def test_prod1_grid_edit_updates_many_skus_in_one_event(world):
    editor = world.people["editor"]
    product = make()
    skus = list(product.skus.order_by("pk"))
    changed = sku_svc.update_skus(
        editor,
        product,
        {
            skus[0].pk: {"list_price_fen": 25900, "barcode": "6901111111111"},
            skus[1].pk: {"weight_g": 400},
            skus[2].pk: {"list_price_fen": 23900},  # unchanged
        },
    )
    assert changed == 2
    skus[0].refresh_from_db()
    assert skus[0].list_price_fen == 25900 and skus[0].barcode == "6901111111111"
    event = timeline_for(product).first()
    assert event.kind == "skus_changed" and "¥239.00 → ¥259.00" in event.note


def test_grid_edit_refuses_a_code_of_another_product(world):
    make()
    other = make(code="QH24S-0099", colours=["黑色"], sizes=["S"])
    sku = other.skus.get()
    with pytest.raises(DomainError) as exc:
        sku_svc.update_skus(None, other, {sku.pk: {"code": "QH24S-0012-黑色-S"}})
    assert exc.value.code == "duplicate_sku_code"


def test_grid_edit_swapping_codes_within_a_product_is_refused_cleanly(world):
    product = make(colours=["黑色"], sizes=["S", "M"])
    s, m = product.skus.order_by("size")
    with pytest.raises(DomainError):
        sku_svc.update_skus(None, product, {s.pk: {"code": m.code}})


def test_add_colours_later_keeps_existing_cells(world):
    product = make()
    result = sku_svc.save_sku_grid(None, product, changes={}, add_colours=["雾霾蓝"], sku_defaults={"cost_fen": 9000})
    assert result == {"changed": 0, "added": 4}
    assert product.skus.count() == 16
    assert product.skus.get(colour="雾霾蓝", size="XL").cost_fen == 9000


# ---- combos -------------------------------------------------------------------------------------------------------


def test_prod1_combo_sums_cost_and_weight_from_its_parts(world):
    tee = make(
        code="QH24S-T01",
        name="纯棉T恤",
        colours=["白色", "黑色"],
        sizes=["M"],
        sku_defaults={"cost_fen": 3500, "list_price_fen": 7900, "weight_g": 180},
    )
    white, black = tee.skus.order_by("colour")
    combo = combo_svc.create_combo_sku(
        world.people["editor"], tee, "QH24S-T01-ZH1", [(white, 1), (black.code, 1)], label="两件装"
    )
    assert combo.is_combo and combo.cost_fen == 7000 and combo.weight_g == 360 and combo.list_price_fen == 15800
    assert ComboItem.objects.filter(combo=combo).count() == 2
    assert timeline_for(tee).first().kind == "combo_created"
    explicit = combo_svc.create_combo_sku(None, tee, "QH24S-T01-ZH2", [(white, 2)], list_price_fen=13900)
    assert explicit.list_price_fen == 13900 and explicit.cost_fen == 7000


@pytest.mark.parametrize(
    "parts, code",
    [
        ([], "empty_combo"),
        ([("WHITE", 0)], "out_of_range"),  # rule 7: core.bounds, 1 … the company's bound
        ([("WHITE", 1), ("WHITE", 2)], "duplicate_part"),
        ([("NOPE", 1)], "unknown_sku"),
        ([("COMBO", 1)], "combo_of_combo"),
    ],
)
def test_prod1_combo_rules(world, parts, code):
    tee = make(code="QH24S-T01", colours=["白色"], sizes=["M"])
    white = tee.skus.get()
    existing = combo_svc.create_combo_sku(None, tee, "QH24S-T01-ZH1", [(white, 2)])
    names = {"WHITE": white, "COMBO": existing, "NOPE": "NOPE"}
    with pytest.raises(DomainError) as exc:
        combo_svc.create_combo_sku(None, tee, "QH24S-T01-ZH9", [(names[p], q) for p, q in parts])
    assert exc.value.code == code


def test_prod1_combo_cannot_contain_itself_or_reuse_a_code(world):
    tee = make(code="QH24S-T01", colours=["白色"], sizes=["M"])
    white = tee.skus.get()
    with pytest.raises(DomainError) as exc:
        combo_svc.create_combo_sku(None, tee, white.code, [(white, 2)])
    assert exc.value.code == "combo_not_itself"
    with pytest.raises(DomainError) as exc:
        combo_svc.create_combo_sku(None, tee, "QH24S-0012-黑色-S", [(white, 2)]) if make() else None
    assert exc.value.code == "duplicate_sku_code"


# ---- role marking, deactivation -------------------------------------------------------------------------------------


def test_prod7_set_role_in_bulk_records_each_product(world):
    a, b = make(code="A-1"), make(code="A-2")
    assert svc.set_role(world.people["manager"], [a, b.pk], "profit") == 2
    assert set(Product.objects.values_list("role", flat=True)) == {"profit"}
    assert svc.set_role(None, [a], "profit") == 0
    assert timeline_for(a).first().kind == "role_changed"
    with pytest.raises(DomainError):
        svc.set_role(None, [a], "hero")


def test_deactivate_and_reactivate(world):
    product = make()
    svc.deactivate_product(None, product, note="停产")
    product.refresh_from_db()
    assert not product.is_active
    svc.reactivate_product(None, product)
    product.refresh_from_db()
    assert product.is_active
    assert [e.kind for e in timeline_for(product)][:2] == ["reactivated", "deactivated"]


# ---- search and filters --------------------------------------------------------------------------------------


@pytest.fixture
def shelf(world):
    dress = make(code="QH24S-0012", name="法式碎花连衣裙", category="女装/连衣裙", role="traffic")
    tee = make(
        code="QH24S-0200",
        name="纯棉T恤",
        category="女装/T恤",
        colours=["白色"],
        sizes=["M"],
        rows=[{"colour": "白色", "size": "M", "barcode": "6907777777777"}],
    )
    coat = make(code="QH24W-0300", name="羊毛大衣", category="女装/外套", stage="growth", role="profit")
    listing(world.shop_a, dress)
    listing(world.shop_b, tee)
    listing(world.shop_a, coat, status=Listing.Status.TO_DELIST)
    return {"dress": dress, "tee": tee, "coat": coat}


def codes(qs):
    return sorted(p.style_code for p in qs)


@pytest.mark.parametrize(
    "keyword, expected",
    [
        ("连衣裙", ["QH24S-0012"]),
        ("lyq", ["QH24S-0012"]),  # pinyin initials
        ("LYQ", ["QH24S-0012"]),
        ("qh24s", ["QH24S-0012", "QH24S-0200"]),  # 货号
        ("QH24W-0300-黑色-XL", ["QH24W-0300"]),  # 商家编码
        ("6907777777777", ["QH24S-0200"]),  # barcode
        ("ymdy", ["QH24W-0300"]),
        ("nothing", []),
    ],
)
def test_prod1_search_by_name_codes_barcode_and_pinyin(world, shelf, keyword, expected):
    shops = [world.shop_a, world.shop_b]
    assert codes(selectors.products_in(shops, None, selectors.ProductFilters(q=keyword))) == expected


def test_filters_by_category_stage_role_and_listing_status(world, shelf):
    shops = [world.shop_a, world.shop_b]
    women = Category.objects.get(name="女装", parent=None)
    dresses = Category.objects.get(name="连衣裙")

    def f(**kw):
        return codes(selectors.products_in(shops, None, selectors.ProductFilters(**kw)))

    assert f(category=dresses.pk) == ["QH24S-0012"]
    assert f(category=women.pk) == ["QH24S-0012", "QH24S-0200", "QH24W-0300"]  # a parent finds its children
    assert f(stage="growth") == ["QH24W-0300"]
    assert f(role="traffic") == ["QH24S-0012"]
    assert f(role="none") == ["QH24S-0200"]
    assert f(status="listed") == ["QH24S-0012", "QH24S-0200"]
    assert f(status="to_delist") == ["QH24W-0300"]
    assert f(status="unlisted") == ["QH24W-0300"]
    svc.deactivate_product(None, shelf["coat"])
    assert f(status="inactive") == ["QH24W-0300"]
    assert f() == ["QH24S-0012", "QH24S-0200"]
    base = selectors.products_in(shops, None, selectors.ProductFilters(), with_status=False)
    assert selectors.status_counts(base, shops) == {"all": 2, "listed": 2, "unlisted": 0, "to_delist": 0, "inactive": 1}


def test_shop_scope_shows_products_listed_in_that_shop(world, shelf):
    only_a = selectors.products_in([world.shop_a], world.shop_a, selectors.ProductFilters())
    assert codes(only_a) == ["QH24S-0012", "QH24W-0300"]
    # Listing status looks at the shops of the view: the tee is listed only in shop_b.
    assert codes(selectors.products_in([world.shop_a], None, selectors.ProductFilters(status="unlisted"))) == [
        "QH24S-0200",
        "QH24W-0300",
    ]


def test_filters_from_the_url_ignore_junk():
    f = selectors.ProductFilters.from_params({"status": "bogus", "stage": "x", "role": "hero", "category": "abc"})
    assert (f.status, f.stage, f.role, f.category) == ("all", "", "", None)
