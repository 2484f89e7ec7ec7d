"""Replenishment suggestions and one-click draft purchase orders (INV-7).

The world: one default warehouse; 甲厂 (lead 10 days) supplies the dress R (two SKUs, price ¥35, minimum order 1);
乙厂 (lead 3 days) supplies the T-shirt T (price not set: the SKU cost price ¥12 is used); the skirt S has no
supplier (default lead time); the dropship bag D is shipped by its supplier and never suggested.
Sales are ship entries of the ledger, made through reserve + commit and backdated with an UPDATE.
"""

import datetime as dt
import math
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhanggui.catalog.services.products import create_product
from zhanggui.core import clock
from zhanggui.core.company_settings import update_company_settings
from zhanggui.core.errors import DomainError
from zhanggui.inventory.models import LedgerEntry
from zhanggui.inventory.services import stock as svc
from zhanggui.inventory.services import warehouses as wh_svc
from zhanggui.purchasing.models import PurchaseOrder, Supplier, SupplierProduct
from zhanggui.purchasing.services import replenishment as repl


@dataclass
class ReplWorld:
    main: object
    jia: object
    yi: object
    r_black: object
    r_white: object
    tee: object
    skirt: object
    bag: object
    r_link: object


def _sku(product, colour=None):
    skus = product.skus.order_by("pk")
    return skus.get(colour=colour) if colour else skus.get()


@pytest.fixture
def rw(world):
    keeper = world.people["warehouse"]
    main = wh_svc.create_warehouse(keeper, code="MAIN", name="主仓", is_default=True)
    jia = Supplier.objects.create(code="JIA", name="甲厂", lead_time_days=10)
    yi = Supplier.objects.create(code="YI", name="乙厂", lead_time_days=3)
    dress = create_product(
        keeper, style_code="R", name="碎花裙", colours=["黑", "白"], sizes=["M"], sku_defaults={"cost_fen": 3000}
    )
    tee = create_product(
        keeper, style_code="T", name="纯棉T恤", colours=["灰"], sizes=["M"], sku_defaults={"cost_fen": 1200}
    )
    skirt = create_product(
        keeper, style_code="S", name="半身裙", colours=["蓝"], sizes=["M"], sku_defaults={"cost_fen": 800}
    )
    bag = create_product(
        keeper, style_code="D", name="代发包", colours=["棕"], sizes=["F"], sourcing="dropship", supplier_name="甲厂"
    )
    r_link = SupplierProduct.objects.create(
        supplier=jia, product=dress, supplier_item_code="JIA-88", unit_cost_fen=3500, min_order_qty=1
    )
    SupplierProduct.objects.create(supplier=yi, product=tee, unit_cost_fen=0)
    SupplierProduct.objects.create(supplier=jia, product=bag, unit_cost_fen=5000)
    return ReplWorld(
        main=main,
        jia=jia,
        yi=yi,
        r_black=_sku(dress, "黑"),
        r_white=_sku(dress, "白"),
        tee=_sku(tee),
        skirt=_sku(skirt),
        bag=_sku(bag),
        r_link=r_link,
    )


_refs = iter(range(1, 100_000))


def ship(sku, qty, at: dt.datetime):
    """Sell `qty` pieces (reserve + commit: one ship ledger entry) and move that entry to `at`."""
    ref = f"order-line:{next(_refs)}"
    svc.reserve(ref, [(sku, qty)])
    svc.commit(ref, document="YD1")
    assert LedgerEntry.objects.filter(reason="ship", note=ref).update(at=at) == 1


def days_ago(n: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    """A Beijing wall-clock moment n calendar days before today."""
    return clock.at_local(clock.today() - dt.timedelta(days=n), dt.time(hour, minute))


def stock(sku, qty, main):
    svc.receive_stock(None, sku, main, qty, document="QC", reason="opening")


def row_of(result, sku):
    return next(r for r in result.rows if r.sku_id == sku.pk)


# ---- velocity -------------------------------------------------------------------------------------------------


def test_velocity_counts_ship_entries_inside_the_7_and_30_day_beijing_windows_INV_7(rw):
    stock(rw.r_black, 500, rw.main)
    ship(rw.r_black, 2, days_ago(0))  # today: both windows
    ship(rw.r_black, 3, days_ago(6, 0, 5))  # 00:05 Beijing on the first day of the 7-day window (16:05 UTC before)
    ship(rw.r_black, 5, days_ago(7, 23, 55))  # 23:55 the day before: 30-day window only
    ship(rw.r_black, 4, days_ago(29, 0, 1))  # first day of the 30-day window
    ship(rw.r_black, 100, days_ago(30, 23, 59))  # one day too old: neither
    svc.reserve("order-line:open", [(rw.r_black, 9)])  # reserved, not shipped: not a sale
    svc.reserve("order-line:gone", [(rw.r_black, 6)])
    svc.release("order-line:gone")  # released: not a sale
    assert repl.sales_velocity()[rw.r_black.pk] == (5, 14)
    row = row_of(repl.suggestions(), rw.r_black)
    assert (row.sold_7, row.sold_30) == (5, 14)
    assert rw.r_white.pk not in repl.sales_velocity()  # no sales, no row in the GROUP BY


def test_daily_rate_is_the_higher_average_by_default_or_the_chosen_basis_INV_7(rw, world):
    stock(rw.r_black, 500, rw.main)
    ship(rw.r_black, 7, days_ago(1))  # 7-day avg 1/day; 30-day avg (7 + 53) / 30 = 2/day
    ship(rw.r_black, 53, days_ago(20))
    assert repl.daily_rate(7, 60, "max") == 2
    assert row_of(repl.suggestions(), rw.r_black).daily == 2
    assert repl.daily_rate(7, 60, "weighted") == pytest.approx(0.6 * 1 + 0.4 * 2)
    assert repl.daily_rate(7, 60, "7d") == 1 and repl.daily_rate(7, 60, "30d") == 2
    update_company_settings(world.people["manager"], {"purchasing.velocity_basis": "7d"})
    assert row_of(repl.suggestions(), rw.r_black).daily == 1  # the company's setting applies


# ---- the suggestion -------------------------------------------------------------------------------------------


def test_suggested_quantity_covers_lead_review_and_safety_minus_available_and_in_transit_INV_7(rw):
    stock(rw.r_black, 40, rw.main)
    ship(rw.r_black, 14, days_ago(2))  # 7-day avg 2/day (30-day avg 14/30)
    svc.reserve("order-line:held", [(rw.r_black, 6)])  # reserved pieces are not available
    svc.add_in_transit(rw.main.pk, {rw.r_black.pk: 5})
    row = row_of(repl.suggestions(), rw.r_black)
    # lead 10 (甲厂) + review 7 + safety 7 = 24 days × 2 = 48; available 40 − 14 − 6 = 20, in transit 5 → 23.
    assert (row.lead_days, row.lead_from_supplier, row.cover_days_total) == (10, True, 24)
    assert (row.available, row.in_transit, row.target) == (20, 5, 48)
    assert row.need == row.suggested == 23
    assert row.cover_days == 10.0 and not row.short_cover  # 20 pieces at 2 a day: exactly the lead time
    assert row.unit_cost_fen == 3500 and row.supplier_name == "甲厂"


def test_suggestion_rounds_up_to_the_minimum_order_and_never_below_zero_INV_7(rw, world):
    stock(rw.r_black, 10, rw.main)
    ship(rw.r_black, 7, days_ago(1))  # 1 a day: 24 days → target 24, available 3 → need 21
    rw.r_link.min_order_qty = 50
    rw.r_link.save()
    row = row_of(repl.suggestions(), rw.r_black)
    assert (row.need, row.suggested, row.raised_to_moq) == (21, 50, True)
    assert row.short_cover  # 3 days of cover < 10 days lead time: red on the page
    update_company_settings(world.people["manager"], {"purchasing.round_up_to_moq": False})
    assert row_of(repl.suggestions(), rw.r_black).suggested == 21
    svc.add_in_transit(rw.main.pk, {rw.r_black.pk: 100})  # plenty on its way: nothing to buy, not negative
    row = row_of(repl.suggestions(), rw.r_black)
    assert (row.need, row.suggested) == (0, 0)


def test_fractional_target_is_rounded_up_exactly_INV_7(rw):
    stock(rw.tee, 1, rw.main)
    ship(rw.tee, 1, days_ago(3))  # 1/7 a day (7-day avg beats 1/30); lead 3 (乙厂) + 14 = 17 days → 17/7 = 2.43
    row = row_of(repl.suggestions(), rw.tee)
    assert row.lead_days == 3 and row.target == pytest.approx(17 / 7)
    assert row.suggested == math.ceil(17 / 7) == 3  # available 0
    assert row.unit_cost_fen == 1200  # 乙厂 has no price: the SKU's cost price


def test_lead_time_falls_back_to_the_default_setting_without_a_supplier_INV_7(rw, world):
    stock(rw.skirt, 30, rw.main)
    ship(rw.skirt, 14, days_ago(1))  # 2 a day
    row = row_of(repl.suggestions(), rw.skirt)
    assert (row.lead_days, row.lead_from_supplier, row.supplier_id) == (7, False, None)
    assert row.suggested == 2 * 21 - 16
    update_company_settings(world.people["manager"], {"purchasing.default_lead_days": 1})
    assert row_of(repl.suggestions(), rw.skirt).suggested == 2 * 15 - 16
    rw.jia.lead_time_days = 1  # a supplier's own lead time is not touched by the default
    rw.jia.save()
    assert row_of(repl.suggestions(), rw.r_black).lead_days == 1


def test_dropship_inactive_and_combination_skus_are_never_suggested_INV_7(rw):
    result = repl.suggestions(q="")
    codes = {r.sku_code for r in result.rows}
    assert rw.bag.code not in codes  # PROD-10: the supplier ships it, we never stock it
    assert {rw.r_black.code, rw.r_white.code, rw.tee.code, rw.skirt.code} <= codes
    rw.skirt.is_active = False
    rw.skirt.save()
    assert rw.skirt.code not in {r.sku_code for r in repl.suggestions().rows}


def test_low_stock_is_flagged_even_without_sales_and_tabs_count_INV_7(rw):
    stock(rw.r_white, 2, rw.main)  # ≤ 5 (inventory.low_stock_threshold), never sold
    stock(rw.tee, 50, rw.main)
    stock(rw.skirt, 50, rw.main)
    stock(rw.r_black, 50, rw.main)
    ship(rw.r_black, 35, days_ago(1))  # 5 a day → needs 120, has 15
    result = repl.suggestions()
    white = row_of(result, rw.r_white)
    assert white.low_stock and white.suggested == 0 and white.cover_days is None
    assert [r.sku_code for r in result.tab("needed")] == [rw.r_black.code]
    assert [r.sku_code for r in result.tab("low")] == [rw.r_white.code]
    assert result.counts == {"needed": 1, "low": 1, "all": 4}


def test_filters_by_supplier_none_and_keyword_and_groups_rows_by_supplier_INV_7(rw):
    rows = repl.suggestions().rows
    assert [r.supplier_name for r in rows] == ["乙厂", "甲厂", "甲厂", ""]  # by supplier, no supplier last
    assert {r.sku_code for r in repl.suggestions(supplier=rw.jia.pk).rows} == {rw.r_black.code, rw.r_white.code}
    assert [r.sku_code for r in repl.suggestions(supplier="none").rows] == [rw.skirt.code]
    assert [r.sku_code for r in repl.suggestions(q="T恤").rows] == [rw.tee.code]


def test_suggestions_take_a_fixed_number_of_queries_whatever_the_sku_count_INV_7(rw):
    stock(rw.r_black, 5, rw.main)
    ship(rw.r_black, 1, days_ago(1))
    repl.suggestions()  # warm the content-type and setting caches
    with CaptureQueriesContext(connection) as few:
        repl.suggestions()
    big = create_product(None, style_code="BIG", name="大码", colours=list("ABCDEFGHIJ"), sizes=["S", "M", "L"])
    SupplierProduct.objects.create(supplier=rw.yi, product=big)
    for sku in big.skus.all()[:10]:
        stock(sku, 3, rw.main)
        ship(sku, 1, days_ago(2))
    with CaptureQueriesContext(connection) as many:
        result = repl.suggestions()
    assert len(result.rows) == 4 + 30
    assert len(many.captured_queries) == len(few.captured_queries) <= 6, [q["sql"] for q in many.captured_queries]


# ---- draft purchase orders -------------------------------------------------------------------------------------


def test_draft_orders_one_per_supplier_with_prices_and_a_supplierless_draft_INV_7_PUR_2(rw, world):
    manager = world.people["manager"]
    orders = repl.create_draft_orders(
        manager, [(rw.r_black.pk, 20), (rw.tee.pk, 6), (rw.r_white.pk, 4), (rw.skirt.pk, 9)]
    )
    assert [o.supplier.name if o.supplier else None for o in orders] == ["乙厂", "甲厂", None]
    for o in orders:
        assert o.state == PurchaseOrder.State.DRAFT and o.source == PurchaseOrder.Source.REPLENISHMENT
        assert o.warehouse == rw.main and o.buyer == manager
        assert o.reason.startswith("补货建议")
    yi_order, jia_order, none_order = orders
    assert {(ln.sku_id, ln.quantity, ln.unit_cost_fen) for ln in jia_order.lines.all()} == {
        (rw.r_black.pk, 20, 3500),
        (rw.r_white.pk, 4, 3500),
    }
    assert [(ln.sku_id, ln.quantity, ln.unit_cost_fen) for ln in yi_order.lines.all()] == [(rw.tee.pk, 6, 1200)]
    assert jia_order.expected_on == clock.today() + dt.timedelta(days=10)
    # SKUs without a preferred supplier: one draft without supplier that says so (PUR-2: choose by quotes).
    assert [(ln.sku_id, ln.unit_cost_fen) for ln in none_order.lines.all()] == [(rw.skirt.pk, 800)]
    assert rw.skirt.code in none_order.note and "供应商" in none_order.reason
    assert none_order.expected_on is None


def test_drafts_count_as_planned_so_the_next_suggestion_does_not_double_the_order_INV_7(rw, world):
    stock(rw.r_black, 10, rw.main)
    ship(rw.r_black, 7, days_ago(1))  # 1 a day × 24 − 3 available → 21
    assert row_of(repl.suggestions(), rw.r_black).suggested == 21
    repl.create_draft_orders(world.people["manager"], [(rw.r_black.pk, 21)])
    row = row_of(repl.suggestions(), rw.r_black)
    assert (row.planned, row.suggested) == (21, 0)


def test_draft_orders_refuse_dropship_combo_and_bad_quantities_and_write_nothing_INV_7(rw, world):
    manager = world.people["manager"]
    with pytest.raises(DomainError) as err:
        repl.create_draft_orders(manager, [(rw.r_black.pk, 5), (rw.bag.pk, 2), (rw.tee.pk, 0)])
    assert err.value.code == "bad_lines"
    assert rw.bag.code in err.value.message and "代发" in err.value.message
    assert f"{rw.tee.code} 的采购数量必须大于 0" in err.value.message
    with pytest.raises(DomainError) as err:
        repl.create_draft_orders(manager, [])
    assert err.value.code == "no_lines"
    with pytest.raises(DomainError):
        repl.create_draft_orders(manager, [(999_999, 1)])
    assert not PurchaseOrder.objects.exists()


# ---- page and API ----------------------------------------------------------------------------------------------


def test_page_shows_the_figures_for_the_manager_and_is_403_for_the_warehouse_INV_7(rw, world, client_for):
    stock(rw.r_black, 10, rw.main)
    ship(rw.r_black, 7, days_ago(1))
    manager = client_for(world.people["manager"])
    resp = manager.get("/purchasing/replenishment/")
    assert resp.status_code == 200
    body = resp.content.decode()
    assert rw.r_black.code in body and f'name="qty_{rw.r_black.pk}" value="21"' in body
    assert "甲厂" in body
    assert {k: n for k, _l, n, _h in resp.context["tabs"]}["needed"] == 1
    low = manager.get("/purchasing/replenishment/?tab=low")
    assert rw.r_black.code in low.content.decode()  # 3 available ≤ 5
    assert client_for(world.people["warehouse"]).get("/purchasing/replenishment/").status_code == 403
    assert client_for(world.people["finance"]).get("/purchasing/replenishment/").status_code == 403


def test_page_creates_drafts_from_ticked_rows_and_lists_the_new_numbers_INV_7(rw, world, client_for):
    client = client_for(world.people["manager"])
    resp = client.post(
        "/purchasing/replenishment/draft/",
        {
            "sku": [rw.r_black.pk, rw.tee.pk],
            f"qty_{rw.r_black.pk}": "12",
            f"qty_{rw.tee.pk}": "3",
            f"qty_{rw.skirt.pk}": "99",  # typed but not ticked: not bought
            "warehouse": rw.main.pk,
            "next": "/purchasing/replenishment/?tab=all",
        },
    )
    assert resp.status_code == 302 and resp["Location"] == "/purchasing/replenishment/?tab=all"
    orders = list(PurchaseOrder.objects.order_by("pk"))
    assert len(orders) == 2
    assert not PurchaseOrder.objects.filter(lines__sku=rw.skirt).exists()
    page = client.get(resp["Location"])
    body = page.content.decode()
    assert all(o.number in body for o in orders)
    assert [o.pk for o in page.context["created"]] == [o.pk for o in orders]
    assert client.get("/purchasing/replenishment/").context["created"] == []  # shown once


def test_page_keeps_ticks_and_quantities_when_refused_INV_7(rw, world, client_for):
    client = client_for(world.people["manager"])
    resp = client.post(
        "/purchasing/replenishment/draft/",
        {"sku": [rw.r_black.pk], f"qty_{rw.r_black.pk}": "0", "next": "/purchasing/replenishment/?tab=all"},
    )
    assert resp.status_code == 400
    body = resp.content.decode()
    assert "的采购数量必须大于 0" in body
    item = next(i for i in resp.context["rows"] if i["row"].sku_id == rw.r_black.pk)
    assert item["checked"] and item["qty"] == "0"
    assert not PurchaseOrder.objects.exists()


def test_api_lists_suggestions_and_creates_drafts_INV_7(rw, world, client_for):
    stock(rw.r_black, 10, rw.main)
    ship(rw.r_black, 7, days_ago(1))
    client = client_for(world.people["manager"])
    resp = client.get("/api/v1/replenishment/suggestions", {"tab": "needed"})
    assert resp.status_code == 200
    data = resp.json()
    assert data["count"] == 1 and data["settings"]["safety_days"] == 7
    item = data["items"][0]
    assert (item["sku_code"], item["suggested"], item["daily"], item["lead_days"]) == (rw.r_black.code, 21, 1.0, 10)
    resp = client.post(
        "/api/v1/replenishment/draft-orders",
        {"lines": [{"sku_id": rw.r_black.pk, "quantity": 21}]},
        content_type="application/json",
    )
    assert resp.status_code == 201
    (order,) = resp.json()
    assert (order["supplier"], order["quantity"], order["amount_fen"]) == ("甲厂", 21, 21 * 3500)
    bad = client.post(
        "/api/v1/replenishment/draft-orders",
        {"lines": [{"sku_id": rw.bag.pk, "quantity": 1}]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "代发" in bad.json()["message"]
    denied = client_for(world.people["warehouse"]).get("/api/v1/replenishment/suggestions")
    assert denied.status_code == 403
