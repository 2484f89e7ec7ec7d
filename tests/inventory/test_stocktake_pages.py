"""Stocktake pages, count sheets and API (盘点, INV-6): who may open what, planning from the page, the scanner,
the typed sheet, the differences and approval, the PDF (blind by default), the reminder banner."""

import datetime as dt
import io
import json

import pytest
from pypdf import PdfReader

from zhanggui.core import clock
from zhanggui.core.events import timeline_for
from zhanggui.inventory.models import LedgerEntry, StockLevel, Stocktake
from zhanggui.inventory.services import stock as stock_svc
from zhanggui.inventory.services import stocktake as svc
from zhanggui.inventory.services import stocktake_window as win
from zhanggui.inventory.services import warehouses as wh_svc

State = Stocktake.State


@pytest.fixture
def counting(stock_world):
    """A stocktake of 主仓 by SKU (D-白-S 12, D-白-M 5, D-黑-S 20 with 5 reserved), being counted."""
    st = svc.plan(stock_world.keeper, stock_world.main, "skus", skus=["D-白-S", "D-白-M", "D-黑-S"])
    svc.start(stock_world.keeper, st)
    return st


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(p.extract_text() for p in reader.pages)


def test_customer_service_cannot_open_any_stocktake_page_INV_6(stock_world, counting, world, client_for):
    cs = client_for(world.people["cs"])
    pk = counting.pk
    for url in (
        "/stock/stocktakes/",
        "/stock/stocktakes/new/",
        f"/stock/stocktakes/{pk}/",
        f"/stock/stocktakes/{pk}/count/",
        f"/stock/stocktakes/{pk}/sheet.pdf",
        "/api/v1/stocktakes",
        f"/api/v1/stocktakes/{pk}",
    ):
        assert cs.get(url).status_code == 403, url
    for url in (f"/stock/stocktakes/{pk}/scan/", f"/stock/stocktakes/{pk}/submit/", f"/stock/stocktakes/{pk}/cancel/"):
        assert cs.post(url, {"code": "D-白-S"}).status_code == 403, url
    assert "nav-stocktake" not in cs.get("/stock/").content.decode()
    assert counting.lines.filter(counted_qty__isnull=False).count() == 0


def test_finance_sees_but_cannot_count_and_keeper_cannot_approve_INV_6(stock_world, counting, world, client_for):
    finance = client_for(world.people["finance"])
    assert finance.get(f"/stock/stocktakes/{counting.pk}/").status_code == 200
    assert finance.get(f"/stock/stocktakes/{counting.pk}/count/").status_code == 403
    keeper = client_for(stock_world.keeper)
    svc.count(stock_world.keeper, counting, [("D-白-S", 12), ("D-白-M", 5), ("D-黑-S", 20)])
    svc.submit(stock_world.keeper, counting)
    body = keeper.get(f"/stock/stocktakes/{counting.pk}/").content.decode()
    assert 'id="approve"' not in body and 'id="send-back"' in body
    assert keeper.post(f"/stock/stocktakes/{counting.pk}/approve/").status_code == 403
    api = keeper.post(f"/api/v1/stocktakes/{counting.pk}/approve", "{}", content_type="application/json")
    assert api.status_code == 403
    counting.refresh_from_db()
    assert counting.state == State.SUBMITTED


def test_plan_from_the_page_with_the_default_window_INV_6(stock_world, world, client_for):
    w = stock_world
    keeper = client_for(w.keeper)
    form = keeper.get(f"/stock/stocktakes/new/?warehouse={w.branch.pk}").content.decode()
    start, end = win.default_window()
    assert f'value="{start.isoformat()}"' in form and f'value="{end.isoformat()}"' in form
    resp = keeper.post(
        "/stock/stocktakes/new/",
        {
            "warehouse": w.main.pk,
            "scope": "skus",
            "skus": "D-白-S\nD-白-M，T-灰-M",
            "window_start": start.isoformat(),
            "window_end": end.isoformat(),
            "note": "月末",
        },
    )
    st = Stocktake.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/stock/stocktakes/{st.pk}/"
    assert sorted(st.lines.values_list("sku__code", flat=True)) == ["D-白-M", "D-白-S", "T-灰-M"]
    # The same SKUs again: refused next to the form, naming the open stocktake.
    again = keeper.post(
        "/stock/stocktakes/new/",
        {"warehouse": w.main.pk, "scope": "skus", "skus": "D-白-S", "window_start": start, "window_end": end},
    )
    assert again.status_code == 400 and f"与未完成的盘点单 {st.number} 重叠" in again.content.decode()

    bad = keeper.post(
        "/stock/stocktakes/new/",
        {"warehouse": w.main.pk, "scope": "bins", "window_start": start, "window_end": end},
    )
    assert bad.status_code == 400 and "请至少选择一个库位" in bad.content.decode()
    assert Stocktake.objects.count() == 1


def test_planning_well_before_the_window_warns_and_asks_for_a_reason_on_the_page_INV_6(stock_world, client_for):
    w = stock_world
    keeper = client_for(w.keeper)
    form = {"warehouse": w.branch.pk, "scope": "warehouse", "window_start": "2026-11-07", "window_end": "2026-11-08"}
    first = keeper.post("/stock/stocktakes/new/", form)
    body = first.content.decode()
    assert first.status_code == 400 and not Stocktake.objects.exists()
    assert 'id="early-reason"' in body and "本月盘点窗口为 11月28日–30日" in body and "请填写提前盘点的原因" in body
    done = keeper.post("/stock/stocktakes/new/", {**form, "early_reason": "换季前清点"})
    st = Stocktake.objects.get()
    assert done.status_code == 302 and "提前盘点（本月窗口 11月28日–30日）：换季前清点" in timeline_for(st).get().note


def test_scanner_adds_one_per_enter_and_shows_progress_INV_6(stock_world, counting, client_for):
    keeper = client_for(stock_world.keeper)
    url = f"/stock/stocktakes/{counting.pk}/scan/"
    page = keeper.get(f"/stock/stocktakes/{counting.pk}/count/").content.decode()
    assert 'id="scan-box"' in page and "autofocus" in page
    assert "12" not in page.split('id="count-table"')[1].split("</table>")[0]  # blind: no book figures
    for _ in range(2):
        body = keeper.post(url, {"code": "D-白-S"}).json()
    assert body["ok"] and body["counted_qty"] == 2 and (body["counted_lines"], body["total_lines"]) == (1, 3)
    assert body["sku_code"] == "D-白-S"
    wrong = keeper.post(url, {"code": "NOPE"})
    assert wrong.status_code == 400 and "NOPE" in wrong.json()["message"]
    back = keeper.post(url, {"code": "D-白-S", "qty": "-1"}).json()
    assert back["counted_qty"] == 1
    # Without JavaScript the scan box posts to the page itself and comes back with the line highlighted.
    resp = keeper.post(f"/stock/stocktakes/{counting.pk}/count/", {"code": "D-白-S"})
    line = counting.lines.get(sku__code="D-白-S")
    assert resp.status_code == 302 and resp["Location"].endswith(f"?last={line.pk}")
    assert line.counted_qty == 2 and line.book_qty == 12
    highlighted = keeper.get(resp["Location"]).content.decode()
    assert f'id="line-{line.pk}" data-line="{line.pk}"' in highlighted and "last-scanned" in highlighted


def test_typed_sheet_saves_changed_lines_in_one_post_and_refuses_stale_ones_INV_6(stock_world, counting, client_for):
    keeper = client_for(stock_world.keeper)
    lines = {ln.sku.code: ln for ln in counting.lines.select_related("sku")}
    url = f"/stock/stocktakes/{counting.pk}/count/"
    post = {}
    for ln in lines.values():
        post[f"seen_{ln.pk}"] = ""
        post[f"qty_{ln.pk}"] = ""
    post[f"qty_{lines['D-白-S'].pk}"] = "11"
    post[f"qty_{lines['D-白-M'].pk}"] = "5"
    resp = keeper.post(url, post)
    assert resp.status_code == 302
    assert dict(counting.lines.values_list("sku__code", "counted_qty")) == {"D-白-S": 11, "D-白-M": 5, "D-黑-S": None}
    # A colleague scans D-黑-S meanwhile; this sheet still shows it uncounted: refused, nothing overwritten.
    svc.count(stock_world.keeper, counting, [("D-黑-S", 1)], mode="add")
    post[f"qty_{lines['D-白-S'].pk}"], post[f"seen_{lines['D-白-S'].pk}"] = "11", "11"
    post[f"qty_{lines['D-白-M'].pk}"], post[f"seen_{lines['D-白-M'].pk}"] = "6", "5"
    post[f"qty_{lines['D-黑-S'].pk}"] = "20"
    stale = keeper.post(url, post)
    assert stale.status_code == 400 and "已被他人修改" in stale.content.decode()
    assert 'value="6"' in stale.content.decode()  # what was typed is kept on the page
    assert dict(counting.lines.values_list("sku__code", "counted_qty")) == {"D-白-S": 11, "D-白-M": 5, "D-黑-S": 1}
    negative = keeper.post(url, {f"qty_{lines['D-白-M'].pk}": "-3", f"seen_{lines['D-白-M'].pk}": "5"})
    assert negative.status_code == 400 and "实盘数不能为负数" in negative.content.decode()


def test_differences_page_and_approval_post_to_the_ledger_INV_6(stock_world, counting, world, client_for):
    w = stock_world
    from zhanggui.catalog.models import Sku

    Sku.objects.filter(code="D-白-S").update(cost_fen=3000)
    keeper, manager = client_for(w.keeper), client_for(world.people["manager"])
    svc.count(w.keeper, counting, [("D-白-S", 14), ("D-黑-S", 19)])  # +2 and −1
    stock_svc.receive_stock(w.keeper, w.skus["D-白-S"], w.main, 6, document="RK-8")  # after the count
    submit = keeper.post(f"/stock/stocktakes/{counting.pk}/submit/")
    assert submit.status_code == 302
    detail = keeper.get(submit["Location"]).content.decode()
    assert "还有 1 个 SKU 未盘" in detail  # the refusal, shown as a message
    keeper.post(f"/stock/stocktakes/{counting.pk}/submit/", {"uncounted_as_zero": "1"})
    counting.refresh_from_db()
    assert counting.state == State.SUBMITTED
    page = manager.get(f"/stock/stocktakes/{counting.pk}/").content.decode()
    assert 'id="approve"' in page
    assert "diff-gain" in page and "diff-loss" in page
    assert "¥60.00" in page  # +2 × ¥30.00 at cost price
    row = page.split('data-sku="D-白-S"')[1].split("</tr>")[0]
    assert ">+6<" in row and ">20<" in row  # moved since the count, and 18 + 2 after posting
    resp = manager.post(f"/stock/stocktakes/{counting.pk}/approve/")
    assert resp.status_code == 302
    counting.refresh_from_db()
    assert counting.state == State.POSTED
    entries = LedgerEntry.objects.filter(reason="stocktake", document=counting.number)
    assert sorted(entries.values_list("sku__code", "on_hand_change")) == [("D-白-M", -5), ("D-白-S", 2), ("D-黑-S", -1)]
    assert StockLevel.objects.get(sku__code="D-白-S", warehouse=w.main).on_hand == 14 + 6
    posted = manager.get(f"/stock/stocktakes/{counting.pk}/").content.decode()
    assert f"/stock/ledger/?document={counting.number}" in posted
    ledger = manager.get(f"/stock/ledger/?document={counting.number}").content.decode()
    assert ledger.count("<tr data-entry=") == 3  # the ledger page filtered by the PD number: its 3 entries only


def test_refused_posting_shows_every_line_and_keeps_the_stocktake_INV_6(stock_world, counting, world, client_for):
    manager = client_for(world.people["manager"])
    svc.count(stock_world.keeper, counting, [("D-白-S", 12), ("D-白-M", 5), ("D-黑-S", 1)])  # 5 reserved
    svc.submit(stock_world.keeper, counting)
    resp = manager.post(f"/stock/stocktakes/{counting.pk}/approve/", follow=True)
    body = resp.content.decode()
    assert "过账失败，未写入任何库存" in body and "D-黑-S" in body and "已预留 5 件" in body
    counting.refresh_from_db()
    assert counting.state == State.SUBMITTED
    assert not LedgerEntry.objects.filter(reason="stocktake").exists()


def test_count_sheet_pdf_is_blind_by_default_INV_6(stock_world, client_for):
    w = stock_world
    stock_svc.receive_stock(w.keeper, w.skus["D-白-L"], w.main, 4281, document="RK-BIG")  # on hand 4321
    wh_svc.set_home_bin(w.keeper, w.skus["D-白-L"], w.main, w.bins["A-01"])
    st = svc.plan(w.keeper, w.main, "skus", skus=["D-白-L", "T-灰-M"])
    keeper = client_for(w.keeper)
    blind = pdf_text(keeper.get(f"/stock/stocktakes/{st.pk}/sheet.pdf"))
    assert st.number in blind and "D-白-L" in blind and "T-灰-M" in blind and "A-01" in blind
    assert "盲盘" in blind and "4321" not in blind
    assert blind.index("D-白-L") < blind.index("T-灰-M")  # bin walk order: A-01 first, no bin last
    with_book = pdf_text(keeper.get(f"/stock/stocktakes/{st.pk}/sheet.pdf?blind=0"))
    assert "4321" in with_book and "明盘" in with_book


def test_reminder_banner_in_the_window_until_planned_INV_6(stock_world, world, client_for, monkeypatch):
    w = stock_world
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 11, 27))
    keeper = client_for(w.keeper)
    stock = keeper.get("/stock/").content.decode()
    assert "本月盘点窗口 11月28日–30日，主仓尚未安排盘点" in stock
    assert f"/stock/stocktakes/new/?warehouse={w.main.pk}" in stock
    listing = keeper.get("/stock/stocktakes/").content.decode()
    assert "分仓尚未安排盘点" in listing
    svc.plan(w.keeper, w.main, "warehouse")  # the default window: this month's
    stock = keeper.get("/stock/").content.decode()
    assert "主仓尚未安排盘点" not in stock and "分仓尚未安排盘点" in stock
    assert "尚未安排盘点" not in client_for(world.people["cs"]).get("/stock/").content.decode()
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 11, 20))
    assert "尚未安排盘点" not in keeper.get("/stock/").content.decode()


def test_list_tabs_count_per_state_INV_6(stock_world, counting, client_for):
    w = stock_world
    other = svc.plan(w.keeper, w.branch, "warehouse")
    svc.cancel(w.keeper, other, "重复")
    body = client_for(w.keeper).get("/stock/stocktakes/").content.decode()
    assert 'data-count="all">2<' in body and 'data-count="counting">1<' in body and 'data-count="cancelled">1<' in body
    assert counting.number in body and 'id="nav-stocktake"' in body
    only = client_for(w.keeper).get("/stock/stocktakes/?state=cancelled").content.decode()
    assert other.number in only and counting.number not in only


def test_api_counts_and_approval_INV_6(stock_world, counting, world, client_for):
    keeper, manager = client_for(stock_world.keeper), client_for(world.people["manager"])
    url = f"/api/v1/stocktakes/{counting.pk}"
    resp = keeper.post(
        f"{url}/counts",
        json.dumps(
            {"entries": [{"sku": "D-白-S", "qty": 10}, {"sku": "D-白-M", "qty": 5}, {"sku": "D-黑-S", "qty": 20}]}
        ),
        content_type="application/json",
    )
    assert resp.status_code == 200, resp.content
    body = resp.json()
    line = next(ln for ln in body["lines"] if ln["sku_code"] == "D-白-S")
    assert (line["book_qty"], line["counted_qty"], line["difference"]) == (12, 10, -2)
    assert body["counted_lines"] == 3 and body["totals"]["loss_units"] == 2
    bad = keeper.post(
        f"{url}/counts", json.dumps({"entries": [{"sku": "D-白-S", "qty": -1}]}), content_type="application/json"
    )
    assert bad.status_code == 400 and "负数" in bad.json()["message"]
    listing = keeper.get("/api/v1/stocktakes?state=counting").json()
    assert listing["count"] == 1 and listing["items"][0]["number"] == counting.number
    svc.submit(stock_world.keeper, counting)
    approved = manager.post(f"{url}/approve", json.dumps({"note": "已复核"}), content_type="application/json")
    assert approved.status_code == 200 and approved.json()["state"] == "posted"
    again = manager.post(f"{url}/approve", "{}", content_type="application/json")
    assert again.status_code == 409


def test_window_is_the_company_setting_whatever_shop_is_selected_INV_6(stock_world, world, client_for, monkeypatch):
    """The plan form and the reminder banner use the company's window: 全部店铺, shop A or shop B alike."""
    from zhanggui.core.company_settings import update_company_settings

    manager = world.people["manager"]
    update_company_settings(manager, {"inventory.stocktake_day_from": "20", "inventory.stocktake_day_to": "22"})
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 11, 18))
    client = client_for(manager)
    for shop in (None, world.shop_a, world.shop_b):
        client.post("/scope/", {"shop": shop.code if shop else ""})
        form = client.get("/stock/stocktakes/new/")
        assert form.context["scope_current"] == shop
        body = form.content.decode()
        assert 'value="2026-11-20"' in body and 'value="2026-11-22"' in body  # not the default 28th–30th
        assert "本月盘点窗口 11月20日–22日，主仓尚未安排盘点" in client.get("/stock/").content.decode()
