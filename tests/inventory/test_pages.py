"""Stock pages (INV-1, INV-2, INV-4, INV-7): tabs and filters, the ledger and its export job, the receive/adjust
form with the services' Chinese errors next to the field, warehouses and bins, and who may do what."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhanggui.catalog.models import Category, Sku
from zhanggui.catalog.services.products import create_product
from zhanggui.core import clock
from zhanggui.core.models import Job
from zhanggui.inventory.models import Bin, LedgerEntry, StockLevel, Warehouse
from zhanggui.inventory.services import stock as svc


def tabs_of(response) -> dict:
    return {key: n for key, _label, n, _href in response.context["tabs"]}


def codes_of(response) -> list[str]:
    return [f"{lv.sku.code}@{lv.warehouse.code}" for lv in response.context["levels"]]


# ---- stock list -------------------------------------------------------------------------------------------------


def test_tabs_count_all_out_low_and_reserved_INV_1_INV_7(stock_world, client_for, world):
    client = client_for(world.people["warehouse"])
    response = client.get("/stock/")
    assert response.status_code == 200
    # 8 levels: 6 dress SKUs in 主仓 (one at 0 with only a home bin) + D-黑-S in 分仓 + the T恤.
    assert tabs_of(response) == {"all": 8, "out": 1, "low": 3, "reserved": 1}
    out = client.get("/stock/?tab=out")
    assert codes_of(out) == ["D-黑-L@MAIN"]
    low = client.get("/stock/?tab=low")
    # D-黑-M 3, D-白-M 5 (at the threshold 5 of INV-7) and T-灰-M 2; D-黑-S has 15 available, not low.
    assert sorted(codes_of(low)) == ["D-白-M@MAIN", "D-黑-M@MAIN", "T-灰-M@MAIN"]
    reserved = client.get("/stock/?tab=reserved")
    assert codes_of(reserved) == ["D-黑-S@MAIN"]
    body = reserved.content.decode()
    assert "缺货" in body and "低库存（≤ 5）" in body and "占用" in body
    row = reserved.context["levels"][0]
    assert (row.on_hand, row.reserved, row.avail) == (20, 5, 15)


def test_filters_warehouse_category_keyword_and_barcode_INV_1(stock_world, client_for, world):
    client = client_for(world.people["editor"])
    branch = client.get(f"/stock/?warehouse={stock_world.branch.pk}")
    assert codes_of(branch) == ["D-黑-S@SUB"]
    dresses = Category.objects.get(name="女装")  # the parent category finds its children's products
    by_category = client.get(f"/stock/?category={dresses.pk}")
    assert tabs_of(by_category)["all"] == 7
    tee_cat = Category.objects.get(name="T恤")
    assert codes_of(client.get(f"/stock/?category={tee_cat.pk}")) == ["T-灰-M@MAIN"]
    assert codes_of(client.get("/stock/?q=T恤")) == ["T-灰-M@MAIN"]  # product name
    assert sorted(codes_of(client.get("/stock/?q=D-白"))) == ["D-白-L@MAIN", "D-白-M@MAIN", "D-白-S@MAIN"]
    Sku.objects.filter(pk=stock_world.skus["D-白-L"].pk).update(barcode="6901234567892")
    assert codes_of(client.get("/stock/?q=6901234567892")) == ["D-白-L@MAIN"]
    # Filters combine with the tabs, whose counts follow the filters.
    low_white = client.get("/stock/?q=D-白&tab=low")
    assert codes_of(low_white) == ["D-白-M@MAIN"]
    assert tabs_of(low_white) == {"all": 3, "out": 0, "low": 1, "reserved": 0}


def test_low_stock_threshold_is_a_company_setting_whatever_shop_is_selected_INV_7(stock_world, client_for, world):
    from zhanggui.core.company_settings import update_company_settings

    manager = world.people["manager"]
    client = client_for(manager)
    assert tabs_of(client.get("/stock/"))["low"] == 3  # the default 5: D-白-M 5, D-黑-M 3, T-灰-M 2
    update_company_settings(manager, {"inventory.low_stock_threshold": "3"})
    assert tabs_of(client.get("/stock/"))["low"] == 2  # 全部店铺: the company value, D-白-M 5 is no longer low
    for shop in (world.shop_a, world.shop_b):
        client.post("/scope/", {"shop": shop.code})
        response = client.get("/stock/")
        assert response.context["scope_current"] == shop
        assert tabs_of(response)["low"] == 2  # the same value whichever shop is selected
        assert tabs_of(response)["all"] == 8  # stock is company-level: the shop does not narrow it


def test_stock_list_costs_a_fixed_number_of_queries_whatever_its_length_INV_1(stock_world, client_for, world):
    client = client_for(world.people["warehouse"])
    client.get("/stock/")  # warm up the session and permission caches
    with CaptureQueriesContext(connection) as small:
        assert client.get("/stock/").status_code == 200
    keeper = stock_world.keeper
    product = create_product(
        keeper, style_code="BIG", name="大码外套", colours=[f"色{i}" for i in range(10)], sizes=["S", "M", "L", "XL"]
    )
    for sku in product.skus.all():
        svc.receive_stock(keeper, sku, stock_world.main, 9, reason="opening")
    with CaptureQueriesContext(connection) as large:
        response = client.get("/stock/")
    assert len(response.context["levels"]) == 48
    assert len(large) == len(small) <= 12, [q["sql"] for q in large.captured_queries]


# ---- SKU page and the receive / adjust form ---------------------------------------------------------------------


def test_warehouse_keeper_receives_stock_on_the_sku_page_INV_2(stock_world, client_for, world):
    client = client_for(world.people["warehouse"])
    sku = stock_world.skus["D-黑-M"]
    page = client.get(f"/stock/sku/{sku.pk}/")
    assert page.status_code == 200 and 'id="adjust-form"' in page.content.decode()
    response = client.post(
        "/stock/adjust/",
        {
            "sku": sku.code,
            "warehouse": stock_world.main.pk,
            "kind": "receipt",
            "qty": 10,
            "document": "RK-20261123-1",
            "from_sku": sku.pk,
            "next": f"/stock/sku/{sku.pk}/",
        },
    )
    assert response.status_code == 302 and response.url == f"/stock/sku/{sku.pk}/"
    entry = LedgerEntry.objects.filter(sku=sku).first()
    assert (entry.reason, entry.document, entry.on_hand_before, entry.on_hand_after) == (
        "receipt",
        "RK-20261123-1",
        3,
        13,
    )
    assert entry.actor_number == world.people["warehouse"].number
    assert StockLevel.objects.get(sku=sku, warehouse=stock_world.main).on_hand == 13


def test_scanner_page_finds_the_sku_by_barcode_and_keeps_warehouse_and_document_INV_2(stock_world, client_for, world):
    client = client_for(world.people["warehouse"])
    sku = stock_world.skus["D-白-S"]
    Sku.objects.filter(pk=sku.pk).update(barcode="6901234567892")
    page = client.get("/stock/adjust/")
    assert "autofocus" in page.content.decode()
    data = {"sku": "6901234567892", "warehouse": stock_world.branch.pk, "kind": "receipt", "qty": 1, "document": "RK-2"}
    response = client.post("/stock/adjust/", data)
    assert response.status_code == 302
    assert f"warehouse={stock_world.branch.pk}" in response.url and "document=RK-2" in response.url
    follow = client.get(response.url)
    form = follow.context["form"]
    assert str(form.initial["warehouse"]) == str(stock_world.branch.pk) and form.initial["document"] == "RK-2"
    assert StockLevel.objects.get(sku=sku, warehouse=stock_world.branch).on_hand == 1
    assert "D-白-S" in follow.content.decode()  # my recent postings


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"sku": "NOPE-1", "qty": 1, "kind": "receipt"}, "sku", "找不到商家编码或条码为 NOPE-1 的 SKU"),
        ({"sku": "D-黑-M", "qty": 0, "kind": "adjust"}, "qty", "数量不能为 0"),
        ({"sku": "D-黑-M", "qty": -2, "kind": "receipt"}, "qty", "入库数量必须大于 0"),
        ({"sku": "D-黑-M", "qty": -4, "kind": "adjust"}, "qty", "在库 3 件，不能减少 4 件"),  # from the service
        ({"sku": "D-黑-S", "qty": -16, "kind": "adjust"}, "qty", "已预留 5 件"),  # never below what is reserved
    ],
)
def test_adjust_errors_show_in_chinese_next_to_the_field_INV_1_INV_2(
    stock_world, client_for, world, data, field, message
):
    client = client_for(world.people["warehouse"])
    sku = stock_world.skus["D-黑-M"]
    before = LedgerEntry.objects.count()
    response = client.post(
        "/stock/adjust/", {**data, "warehouse": stock_world.main.pk, "document": "TZ-1", "from_sku": sku.pk}
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in e for e in form.errors[field]), form.errors
    assert message in response.content.decode()
    assert response.context["sku"] == sku  # the SKU page again, with its ledger
    assert LedgerEntry.objects.count() == before


def test_combination_skus_have_no_stock_of_their_own(stock_world, client_for, world):
    from zhanggui.catalog.services.combos import create_combo_sku

    dress = stock_world.skus["D-黑-S"].product
    combo = create_combo_sku(
        stock_world.keeper, dress, "D-ZH2", [(stock_world.skus["D-黑-S"], 1), (stock_world.skus["D-白-S"], 1)]
    )
    response = client_for(world.people["warehouse"]).post(
        "/stock/adjust/", {"sku": combo.code, "warehouse": stock_world.main.pk, "kind": "receipt", "qty": 1}
    )
    assert response.status_code == 400
    assert "组合装" in response.content.decode()


def test_roles_warehouse_adjusts_editor_only_views_finance_sees_the_ledger(stock_world, client_for, world):
    sku = stock_world.skus["D-白-L"]
    post = {"sku": sku.code, "warehouse": stock_world.main.pk, "kind": "adjust", "qty": -1, "document": "TZ-2"}
    editor = client_for(world.people["editor"])
    assert editor.get("/stock/").status_code == 200
    page = editor.get(f"/stock/sku/{sku.pk}/").content.decode()
    assert 'id="adjust-form"' not in page and "nav-adjust" not in page
    assert editor.get("/stock/adjust/").status_code == 403
    assert editor.post("/stock/adjust/", post).status_code == 403
    assert editor.get("/stock/ledger/").status_code == 403
    finance = client_for(world.people["finance"])
    assert finance.get("/stock/ledger/").status_code == 200
    assert finance.post("/stock/adjust/", post).status_code == 403
    keeper = client_for(world.people["warehouse"])
    assert keeper.post("/stock/adjust/", post).status_code == 302
    assert StockLevel.objects.get(sku=sku, warehouse=stock_world.main).on_hand == 39
    cs = client_for(world.people["cs"])
    assert cs.get("/stock/").status_code == 200  # everyone sees stock
    assert cs.get("/stock/ledger/").status_code == 403


# ---- ledger -----------------------------------------------------------------------------------------------------


def test_ledger_filters_by_sku_warehouse_reason_and_beijing_dates_INV_2(stock_world, client_for, world):
    client = client_for(world.people["finance"])

    def entries(query):
        return [
            (e.sku.code, e.warehouse.code, e.reason) for e in client.get("/stock/ledger/?" + query).context["entries"]
        ]

    assert len(entries("")) == LedgerEntry.objects.count() == 8
    assert entries("sku=D-黑-S") == [
        ("D-黑-S", "MAIN", "reserve"),
        ("D-黑-S", "SUB", "receipt"),
        ("D-黑-S", "MAIN", "opening"),
    ]
    assert entries(f"sku=D-黑-S&warehouse={stock_world.branch.pk}") == [("D-黑-S", "SUB", "receipt")]
    assert entries("reason=reserve") == [("D-黑-S", "MAIN", "reserve")]
    # 2026-11-20 23:30 Beijing is 15:30 UTC: it belongs to the 20th in Beijing, not the 21st.
    moment = clock.at_local(dt.date(2026, 11, 20), dt.time(23, 30))
    tee_entry = LedgerEntry.objects.get(sku=stock_world.tee)
    LedgerEntry.objects.filter(pk=tee_entry.pk).update(at=moment)
    assert entries("date_from=2026-11-20&date_to=2026-11-20") == [("T-灰-M", "MAIN", "opening")]
    assert entries("date_from=2026-11-21&date_to=2026-11-21") == []
    body = client.get("/stock/ledger/?sku=D-黑-S&reason=reserve").content.decode()
    assert "order-line:1" in body and "20 → <strong>20</strong>" in body and world.people["warehouse"].number in body


def test_ledger_export_is_a_background_job_with_the_filtered_rows_INV_2(
    stock_world, client_for, world, django_capture_on_commit_callbacks
):
    from openpyxl import load_workbook

    client = client_for(world.people["finance"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/stock/ledger/export/", {"sku": "D-黑-S", "reason": "", "warehouse": ""})
    job = Job.objects.get(kind="stock_ledger_export")
    assert response.status_code == 302 and response.url == f"/me/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert job.created_by == world.people["finance"] and job.result["rows"] == 3
    path = Path(settings.MEDIA_ROOT) / job.result_file
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "商家编码", "货号")
    assert [r[1] for r in rows[1:]] == ["D-黑-S"] * 3
    assert {r[7] for r in rows[1:]} == {"订单占用", "入库", "期初"}
    download = client.get(f"/me/jobs/{job.pk}/download/")
    assert download.status_code == 200
    b"".join(download.streaming_content)
    assert client_for(world.people["editor"]).post("/stock/ledger/export/").status_code == 403


# ---- warehouses and bins ----------------------------------------------------------------------------------------


def test_warehouses_bins_and_home_bins_INV_4(stock_world, client_for, world):
    client = client_for(world.people["warehouse"])
    page = client.get(f"/stock/warehouses/?w={stock_world.main.pk}")
    assert page.status_code == 200
    assert [b.code for b in page.context["bins"]] == ["A-01", "A-02"]
    assert page.context["bins"][1].sku_count == 1  # D-黑-L lives in A-02

    created = client.post("/stock/warehouses/new/", {"code": "NB01", "name": "宁波仓", "address": "宁波"})
    assert created.status_code == 302
    nb = Warehouse.objects.get(code="NB01")
    duplicate = client.post("/stock/warehouses/new/", {"code": "NB01", "name": "又一个"})
    assert duplicate.status_code == 400 and "仓库编码“NB01”已存在" in duplicate.content.decode()

    added = client.post(f"/stock/warehouses/{nb.pk}/bins/", {"rows": "B-01 T恤 S-M 20\nB-02，T恤，L-XL，30\n"})
    assert added.status_code == 302
    assert list(Bin.objects.filter(warehouse=nb).values_list("code", "category", "size_band", "position")) == [
        ("B-01", "T恤", "S-M", 20),
        ("B-02", "T恤", "L-XL", 30),
    ]
    again = client.post(f"/stock/warehouses/{nb.pk}/bins/", {"rows": "B-01"})
    assert again.status_code == 400 and "库位已存在" in again.content.decode()
    bad = client.post(f"/stock/warehouses/{nb.pk}/bins/", {"rows": "B-09 T恤 S 第一"})
    assert bad.status_code == 400 and "第 1 行：拣货顺序必须是整数" in bad.content.decode()

    home = client.post(f"/stock/warehouses/{nb.pk}/home-bin/", {"sku": "T-灰-M", "bin": "b-02"})
    assert home.status_code == 302
    assert StockLevel.objects.get(sku=stock_world.tee, warehouse=nb).home_bin.code == "B-02"
    missing = client.post(f"/stock/warehouses/{nb.pk}/home-bin/", {"sku": "T-灰-M", "bin": "A-01"})
    assert missing.status_code == 400 and "此仓库没有库位 A-01" in missing.content.decode()

    editor = client_for(world.people["editor"])
    assert editor.get("/stock/warehouses/").status_code == 200
    assert editor.post("/stock/warehouses/new/", {"code": "X1", "name": "X"}).status_code == 403
    assert editor.post(f"/stock/warehouses/{nb.pk}/bins/", {"rows": "Z-1"}).status_code == 403
