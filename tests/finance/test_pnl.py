"""FIN-2: the monthly P&L per shop and company from the daily facts, costs entered by finance, the annual fee and
deposit from the opening settings; closing a month freezes it (a correction goes into the next open month with a
note; closing twice or deleting a closed month's cost refused in Chinese); XLSX; the API with its permissions."""

import datetime as dt
import io

import pytest

from tests.finance.test_profit import example as example  # the worked order (fixture)
from tests.orders.test_imports import shop as shop  # the fixture
from zhanggui.core.errors import DomainError
from zhanggui.finance.models import CostEntry, MonthClose
from zhanggui.finance.services import pnl

NOV = dt.date(2026, 11, 1)


def figures(world, month=NOV):
    rows, total, _beside = pnl.monthly([world.shop_a, world.shop_b], month)
    return rows[0].figures, total


def test_fin2_month_from_the_facts_with_costs_entered(world, example):
    """FIN-2: sales, refunds, cost at the time of sale, commission, courier (shipped in the month), packaging per
    paid order, ad spend and prizes entered, the gift compensation → the month's profit; the company adds the shops.
    Taobao has no annual fee; its deposit (¥1,000) is shown beside, not as a cost."""
    from zhanggui.aftersales.models import Compensation

    Compensation.objects.update(created_at=dt.datetime(2026, 11, 25, 4, tzinfo=dt.UTC))  # given in November
    finance = world.people["finance"]
    pnl.add_cost(finance, world.shop_a, NOV, "ad", 12000, "直通车")
    pnl.add_cost(finance, world.shop_a, "2026-11", "prize", 3000)
    f, total = figures(world)
    assert (f["sales_fen"], f["refund_fen"], f["cost_fen"], f["commission_fen"]) == (20000, 3000, 10000, 920)
    assert (f["courier_fen"], f["packaging_fen"], f["compensation_fen"]) == (800, 80, 500)
    assert (f["ad_fen"], f["prize_fen"], f["annual_fee_fen"], f["deposit_fen"]) == (12000, 3000, 0, 100000)
    assert f["profit_fen"] == 20000 - 3000 - 500 - 10000 - 920 - 800 - 80 - 12000 - 3000 == -10300
    assert total["profit_fen"] == f["profit_fen"] and total["sales_fen"] == 20000


def test_fin2_closed_month_is_frozen_and_corrections_go_to_the_next_open_month(world, example):
    """FIN-2: after the close the month shows its frozen figures; a cost entered for it is booked in December as a
    correction naming November; closing again and deleting a closed month's cost are refused in Chinese."""
    finance = world.people["finance"]
    ad = pnl.add_cost(finance, world.shop_a, NOV, "ad", 1000)
    closed = pnl.close_month(finance, world.shop_a, NOV)
    before = closed.figures["profit_fen"]
    entry = pnl.add_cost(finance, world.shop_a, NOV, "other", 2500, "漏记的房租")
    assert (entry.month, entry.kind) == (dt.date(2026, 12, 1), CostEntry.Kind.CORRECTION)
    assert "2026-11" in entry.note and "漏记的房租" in entry.note
    f, _total = figures(world)
    assert f["profit_fen"] == before  # unchanged
    assert figures(world, dt.date(2026, 12, 1))[0]["correction_fen"] == 2500
    with pytest.raises(DomainError, match="已结账"):
        pnl.close_month(finance, world.shop_a, NOV)
    with pytest.raises(DomainError, match="已结账"):
        pnl.delete_cost(finance, ad)
    assert MonthClose.objects.count() == 1 and CostEntry.objects.filter(pk=ad.pk).exists()


def test_fin2_a_month_not_over_cannot_be_closed(world):
    from zhanggui.core import clock

    with pytest.raises(DomainError, match="尚未结束"):
        pnl.close_month(world.people["finance"], world.shop_a, clock.today().replace(day=1))


def test_fin2_bad_input_named_in_chinese(world):
    with pytest.raises(DomainError, match="月份"):
        pnl.add_cost(None, world.shop_a, "11/2026", "ad", 100)
    with pytest.raises(DomainError, match="金额"):
        pnl.add_cost(None, world.shop_a, NOV, "ad", -5)
    with pytest.raises(DomainError, match="类型"):
        pnl.add_cost(None, world.shop_a, NOV, "correction", 5)
    assert not CostEntry.objects.exists()


def test_fin2_tmall_annual_fee_a_twelfth_a_month(world):
    from zhanggui.shops.services import create_shop

    tmall = create_shop(None, code="tm-c", platform="tmall", name="丙店")
    f = pnl.compute([tmall], NOV)[tmall.pk]
    assert (f["annual_fee_fen"], f["deposit_fen"], f["profit_fen"]) == (50000, 1000000, -50000)


def test_fin2_page_close_and_xlsx(world, client_for, example):
    """FIN-2: finance opens the P&L, closes 甲店's November, sees it locked; the XLSX has the lines in Chinese."""
    from openpyxl import load_workbook

    client = client_for(world.people["finance"])
    page = client.get("/finance/pnl/?month=2026-11").content.decode()
    assert "月度损益表" in page and "¥200.00" in page and 'data-close="tb-a"' in page
    answer = client.post("/finance/pnl/close/", {"shop": world.shop_a.pk, "month": "2026-11"}, follow=True)
    assert "已结账" in answer.content.decode() and MonthClose.objects.filter(shop=world.shop_a).exists()
    again = client.post("/finance/pnl/close/", {"shop": world.shop_a.pk, "month": "2026-11"}, follow=True)
    assert "不能重复结账" in again.content.decode()
    data = client.get("/finance/pnl/?month=2026-11&format=xlsx")
    rows = list(load_workbook(io.BytesIO(data.content)).active.values)
    assert rows[2][0] == "销售额" and float(rows[2][1]) == 200.0
    assert any(r[0] == "毛利" for r in rows)


def test_fin2_other_shop_and_roles_refused(world, client_for, example):
    """FIN-2: customer service may not open the P&L; a shop outside the scope cannot be closed (404)."""
    assert client_for(world.people["cs"]).get("/finance/pnl/").status_code == 403
    outsider_shop = world.shop_b
    finance = client_for(world.people["finance"])  # scoped to shop_a
    answer = finance.post("/finance/pnl/close/", {"shop": outsider_shop.pk, "month": "2026-11"})
    assert answer.status_code == 404 and not MonthClose.objects.exists()


def test_fin2_api_pnl_close_and_costs(world, client_for, example):
    """FIN-2 API: the month's figures, closing (then 400 in Chinese), costs — with the finance permissions."""
    finance = client_for(world.people["finance"])
    answer = finance.get("/api/v1/finance/pnl?month=2026-11&shop=tb-a").json()
    assert answer["shops"][0]["figures"]["sales_fen"] == 20000 and answer["company"]["sales_fen"] == 20000
    made = finance.post("/api/v1/finance/costs", {"shop": "tb-a", "month": "2026-11", "kind": "ad", "amount_fen": 500},
                        content_type="application/json")  # fmt: skip
    assert made.status_code == 201
    closed = finance.post("/api/v1/finance/pnl/close", {"shop": "tb-a", "month": "2026-11"},
                          content_type="application/json")  # fmt: skip
    assert closed.status_code == 201 and closed.json()["figures"]["ad_fen"] == 500
    again = finance.post("/api/v1/finance/pnl/close", {"shop": "tb-a", "month": "2026-11"},
                         content_type="application/json")  # fmt: skip
    assert again.status_code == 400 and "已结账" in again.json()["message"]
    assert finance.get("/api/v1/finance/costs?month=2026-11").json()[0]["amount_fen"] == 500
    assert client_for(world.people["cs"]).get("/api/v1/finance/pnl?month=2026-11").status_code == 403
