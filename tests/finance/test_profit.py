"""FIN-1: the gross profit of an order — paid − commission − courier − packaging − cost at the time of sale −
refunds − compensation — worked by hand; a cost missing is 成本缺失 and the order is listed, never a zero; the
profit shows on the order page and in the order list and its export only for finance."""

import datetime as dt

import pytest

from tests.orders.test_imports import PAID_AT, po, run
from tests.orders.test_imports import shop as shop  # the fixture
from zhanggui.aftersales.models import Case, Compensation
from zhanggui.analytics.services import facts
from zhanggui.catalog.models import Category, Sku
from zhanggui.finance.models import CommissionRate
from zhanggui.finance.services import profit
from zhanggui.fulfilment.models import Package, PackageOrder
from zhanggui.inventory.models import Warehouse
from zhanggui.orders.models import Order


@pytest.fixture
def example(world, shop):
    """Order 700001 of 甲店 (taobao): 2 × D-黑-S (category 连衣裙 at 5 %) paid ¥180 of ¥200 (the rest postage, at the
    platform default 1 %); unit cost ¥50 when sold; a parcel expected at ¥8; refunded ¥30; a ¥5 gift."""
    run(world, [po("700001", lines=(("D-黑-S", 2),))])
    order = Order.objects.get(platform_order_no="700001")
    order.paid_fen, order.refund_fen = 20000, 3000
    order.save(update_fields=["paid_fen", "refund_fen"])
    order.lines.update(paid_fen=18000)
    dresses = Category.objects.create(name="连衣裙")
    sku = Sku.objects.get(code="D-黑-S")
    sku.product.category = dresses
    sku.product.save(update_fields=["category"])
    Sku.objects.filter(pk=sku.pk).update(cost_fen=5000)
    facts.rebuild()  # the cost at the time of sale: ¥50 written into the day's facts
    Sku.objects.filter(pk=sku.pk).update(cost_fen=9000)  # a later cost change does not rewrite history
    CommissionRate.objects.create(platform_id="taobao", category=None, rate_bp=100, source="淘宝 2026 费率表")
    CommissionRate.objects.create(platform_id="taobao", category=dresses, rate_bp=500, source="淘宝 2026 费率表 服饰")
    package = Package.objects.create(
        package_no="P700001", shop=order.shop, order=order, warehouse=Warehouse.objects.get(code="MAIN"),
        expected_fee_fen=800, state=Package.State.SHIPPED, shipped_at=PAID_AT + dt.timedelta(days=1),
    )  # fmt: skip
    PackageOrder.objects.create(package=package, order=order)
    case = Case.objects.create(number="SH700001", shop=order.shop, order=order, kind="refund_only")
    Compensation.objects.create(case=case, kind="gift", amount_fen=500)
    return order


def test_fin1_worked_example_profit_by_hand(example):
    """FIN-1 by hand: commission 180×5 % + 20×1 % = 9.00 + 0.20 = 9.20; courier 8.00 (expected); packaging 0.80
    (the setting's default); cost 2 × 50.00 = 100.00 (the cost when sold, not today's 90.00); refund 30.00;
    gift 5.00 → 200.00 − 9.20 − 8.00 − 0.80 − 100.00 − 30.00 − 5.00 = 47.00."""
    p = profit.order_profit(example)
    assert (p.commission_fen, p.courier_fen, p.courier_source, p.packaging_fen) == (920, 800, "expected", 80)
    assert (p.cost_fen, p.refund_fen, p.compensation_fen, p.cost_missing) == (10000, 3000, 500, False)
    assert p.profit_fen == 4700


def test_fin1_billed_courier_fee_replaces_the_expected_one(example):
    """FIN-1, SHIP-5: once the carrier's bill is imported the billed fee counts, marked billed."""
    Package.objects.filter(package_no="P700001").update(courier_fee_fen=650)
    p = profit.order_profit(example)
    assert (p.courier_fen, p.courier_source, p.profit_fen) == (650, "billed", 4850)


def test_fin1_agreed_refund_above_the_platform_refund_counts(example):
    """FIN-1: a refund agreed on the after-sales case above what the order shows refunded counts in full."""
    case = Case.objects.get(number="SH700001")
    Compensation.objects.create(case=case, kind="refund", amount_fen=4000, ceiling_fen=18000)
    assert profit.order_profit(example).refund_fen == 4000


def test_fin1_cost_missing_is_named_and_listed_never_zero(world, shop, client_for, example):
    """FIN-1: a SKU without cost (then or now) → no profit, 成本缺失 naming the SKU, the order in the list."""
    run(world, [po("700002", lines=(("D-白-M", 1),))])
    Sku.objects.filter(code="D-白-M").update(cost_fen=0)
    facts.rebuild()
    order = Order.objects.get(platform_order_no="700002")
    p = profit.order_profit(order)
    assert p.cost_missing and p.profit_fen is None and p.missing_skus == ["D-白-M"]
    client = client_for(world.people["manager"])
    page = client.get("/finance/missing-cost/?month=2026-11").content.decode()
    assert "700002" in page and "成本缺失" in page and "700001" not in page
    assert "成本缺失" in client.get(f"/orders/{order.pk}/").content.decode()


def test_fin1_profit_on_order_page_list_and_api_for_finance_only(world, client_for, example):
    """FIN-1: finance and the manager see the profit on the order page, as a list column and in the API; customer
    service sees none of it (the API refuses)."""
    finance = client_for(world.people["finance"])
    manager = client_for(world.people["manager"])
    detail = manager.get(f"/orders/{example.pk}/").content.decode()
    assert 'id="order-profit"' in detail and "¥47.00" in detail and "预计" in detail
    listing = manager.get("/orders/").content.decode()
    assert 'data-column="profit"' in listing and "¥47.00" in listing
    answer = finance.get(f"/api/v1/finance/orders/{example.pk}/profit")
    assert answer.status_code == 200 and answer.json()["profit_fen"] == 4700
    cs = client_for(world.people["cs"])
    assert 'id="order-profit"' not in cs.get(f"/orders/{example.pk}/").content.decode()
    assert 'data-column="profit"' not in cs.get("/orders/").content.decode()
    assert cs.get(f"/api/v1/finance/orders/{example.pk}/profit").status_code == 403


def test_fin1_profit_column_in_the_order_export(world, client_for, example, django_capture_on_commit_callbacks):
    """FIN-1: the order export carries the profit column for a user who may see it, in yuan."""
    import io

    from openpyxl import load_workbook

    from zhanggui.core.models import Job

    client = client_for(world.people["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/orders/export/?tab=all")
    job = Job.objects.order_by("-pk").first()
    assert answer.status_code == 302 and job.status == Job.Status.DONE, job.message
    data = client.get(f"/me/jobs/{job.pk}/download/")
    rows = list(load_workbook(io.BytesIO(b"".join(data.streaming_content))).active.values)
    assert rows[0][-1] == "毛利" and float(rows[1][-1]) == 47.0


def test_fin1_rates_page_edits_a_rate_with_its_source(world, client_for):
    """FIN-1: finance enters a platform's rate with its source; a rate without a source is refused in Chinese."""
    client = client_for(world.people["finance"])
    client.post("/finance/rates/", {"platform": "jd", "category": "", "rate": "6.5", "source": "京东 2026 资费"})
    assert CommissionRate.objects.get(platform_id="jd", category=None).rate_bp == 650
    answer = client.post("/finance/rates/", {"platform": "jd", "rate": "7", "source": ""}, follow=True)
    assert "来源" in answer.content.decode() and CommissionRate.objects.get(platform_id="jd").rate_bp == 650


def test_fin1_many_orders_in_a_fixed_number_of_queries(world, shop, django_assert_max_num_queries):
    """FIN-1: the list asks for a page of profits — a fixed number of queries however many orders."""
    run(world, [po(f"71{n:04d}", line=n + 2) for n in range(30)])
    ids = list(Order.objects.values_list("pk", flat=True))
    with django_assert_max_num_queries(12):
        assert len(profit.order_profits(ids)) == 30
