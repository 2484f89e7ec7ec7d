"""Stock API (INV-1, INV-2, INV-4, INV-7): levels with tab counts and filters, the ledger with filters and paging,
receive/adjust with Chinese errors, warehouses with bins — and the same roles as the pages."""

import json

from zhanggui.inventory.models import LedgerEntry, StockLevel


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_stock_levels_with_tab_counts_and_filters_INV_1_INV_7(stock_world, client_for, world):
    client = client_for(world.people["editor"])
    body = client.get("/api/v1/stock-levels").json()
    assert body["tabs"] == {"all": 8, "out": 1, "low": 3, "reserved": 1}
    assert body["count"] == 8 and body["low_stock_threshold"] == 5
    low = client.get("/api/v1/stock-levels?tab=low").json()
    assert sorted(i["sku_code"] for i in low["items"]) == ["D-白-M", "D-黑-M", "T-灰-M"]
    reserved = client.get("/api/v1/stock-levels?tab=reserved").json()["items"]
    assert [(i["on_hand"], i["reserved"], i["available"], i["warehouse"]) for i in reserved] == [(20, 5, 15, "主仓")]
    branch = client.get(f"/api/v1/stock-levels?warehouse_id={stock_world.branch.pk}").json()
    assert [i["sku_code"] for i in branch["items"]] == ["D-黑-S"]
    homed = client.get("/api/v1/stock-levels?tab=out").json()["items"]
    assert [(i["sku_code"], i["bin"], i["available"]) for i in homed] == [("D-黑-L", "A-02", 0)]
    paged = client.get("/api/v1/stock-levels?limit=3&offset=6").json()
    assert paged["count"] == 8 and len(paged["items"]) == 2
    assert client.get("/api/v1/stock-levels?tab=nonsense").status_code == 422


def test_stock_ledger_filters_and_pages_INV_2(stock_world, client_for, world):
    finance = client_for(world.people["finance"])
    all_entries = finance.get("/api/v1/stock-ledger").json()
    assert all_entries["count"] == 8
    assert all_entries["items"][0]["sku_code"] == "T-灰-M"  # newest first
    first = finance.get("/api/v1/stock-ledger?reason=reserve").json()["items"][0]
    assert first["reason"] == "reserve" and first["reason_label"] == "订单占用"
    assert (first["on_hand_before"], first["on_hand_after"], first["reserved_change"]) == (20, 20, 5)
    mine = finance.get(f"/api/v1/stock-ledger?sku=D-黑-S&warehouse_id={stock_world.main.pk}").json()
    assert [i["reason"] for i in mine["items"]] == ["reserve", "opening"]
    page = finance.get("/api/v1/stock-ledger?reason=opening&limit=2&offset=2").json()
    assert page["count"] == 6 and len(page["items"]) == 2
    assert finance.get("/api/v1/stock-ledger?date_from=2000-01-01&date_to=2000-01-02").json()["count"] == 0
    assert client_for(world.people["editor"]).get("/api/v1/stock-ledger").status_code == 403


def test_stock_adjustments_receive_and_adjust_with_chinese_errors_INV_2(stock_world, client_for, world):
    keeper = client_for(world.people["warehouse"])
    created = post_json(
        keeper, "/api/v1/stock-adjustments", {"sku": "D-黑-M", "qty": 7, "document": "RK-API-1", "kind": "receipt"}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["on_hand_before"], body["on_hand_after"], body["reason"]) == (3, 10, "receipt")
    assert body["actor_number"] == world.people["warehouse"].number
    # No warehouse given: the default one (主仓).
    assert StockLevel.objects.get(sku=stock_world.skus["D-黑-M"], warehouse=stock_world.main).on_hand == 10

    branch = post_json(
        keeper,
        "/api/v1/stock-adjustments",
        {"sku": "D-黑-S", "qty": -2, "kind": "adjust", "warehouse_id": stock_world.branch.pk, "document": "TZ-1"},
    )
    assert branch.status_code == 201 and branch.json()["on_hand_after"] == 5

    unknown = post_json(keeper, "/api/v1/stock-adjustments", {"sku": "NOPE", "qty": 1})
    assert unknown.status_code == 400
    assert unknown.json()["field"] == "sku" and "找不到" in unknown.json()["message"]
    too_many = post_json(keeper, "/api/v1/stock-adjustments", {"sku": "D-黑-S", "qty": -16, "kind": "adjust"})
    assert too_many.status_code == 400 and too_many.json()["field"] == "qty"
    assert "已预留 5 件" in too_many.json()["message"]
    negative_receipt = post_json(keeper, "/api/v1/stock-adjustments", {"sku": "D-黑-S", "qty": -1})
    assert negative_receipt.status_code == 400 and "入库数量必须大于 0" in negative_receipt.json()["message"]
    assert LedgerEntry.objects.filter(document__in=["RK-API-1", "TZ-1"]).count() == 2

    editor = client_for(world.people["editor"])
    assert post_json(editor, "/api/v1/stock-adjustments", {"sku": "D-黑-M", "qty": 1}).status_code == 403
    finance = client_for(world.people["finance"])
    assert post_json(finance, "/api/v1/stock-adjustments", {"sku": "D-黑-M", "qty": 1}).status_code == 403


def test_warehouses_with_bins_in_walk_order_INV_4(stock_world, client_for, world):
    body = client_for(world.people["cs"]).get("/api/v1/warehouses").json()
    assert [(w["code"], w["is_default"]) for w in body] == [("MAIN", True), ("SUB", False)]
    assert [(b["code"], b["position"]) for b in body[0]["bins"]] == [("A-01", 10), ("A-02", 20)]


def test_stock_levels_show_faulty_and_damaged_accounts_INV_3_INV_5(stock_world, client_for, world):
    """Faulty pieces (stored apart) and the damaged account are figures of their own, never sellable."""
    from zhanggui.inventory.services.stock import Move, move_stock

    sku = stock_world.skus["D-白-L"]
    move_stock(world.people["warehouse"], [Move(sku, faulty=2, damaged=1)], reason="receipt", document="RK-T")
    client = client_for(world.people["warehouse"])
    (item,) = [i for i in client.get("/api/v1/stock-levels?q=D-白-L").json()["items"] if i["sku_code"] == "D-白-L"]
    assert (item["on_hand"], item["available"], item["faulty"], item["damaged"]) == (40, 40, 2, 1)
    page = client.get(f"/stock/sku/{sku.pk}/").content.decode()
    assert "次品" in page and "残损" in page
