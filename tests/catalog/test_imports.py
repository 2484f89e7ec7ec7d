"""Bulk import/export of products, SKUs and listings (PROD-1): files, rows, upserts, jobs, scope."""

import contextlib
import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from zhanggui.catalog.models import Category, Listing, ListingSku, Product, Sku
from zhanggui.catalog.rules_imports import FileError
from zhanggui.catalog.services.exports import export_xlsx
from zhanggui.catalog.services.imports import import_file
from zhanggui.core.models import Event, Job

HEADERS = [
    "货号",
    "商品名称",
    "类目",
    "品牌",
    "颜色",
    "尺码",
    "商家编码",
    "条码",
    "重量(g)",
    "成本价",
    "吊牌价",
    "VIP价",
    "店铺代码",
    "标题",
    "售价",
    "上架状态",
    "平台商品ID",
    "平台SKU ID",
]


def sku_row(style="A100", code=None, colour="白色", size="M", barcode="", cost="25", price="99", shop="tb-a", **kw):
    row = {
        "货号": style,
        "商品名称": kw.get("name", "纯棉短袖T恤"),
        "类目": kw.get("category", "女装/T恤"),
        "品牌": "掌柜",
        "颜色": colour,
        "尺码": size,
        "商家编码": code or f"{style}-{colour}-{size}",
        "条码": barcode,
        "重量(g)": kw.get("weight", "180"),
        "成本价": cost,
        "吊牌价": price,
        "VIP价": kw.get("vip", ""),
        "店铺代码": shop,
        "标题": kw.get("title", "夏季新款纯棉短袖T恤女宽松百搭" if shop else ""),
        "售价": kw.get("sale", "79" if shop else ""),
        "上架状态": kw.get("status", "已上架" if shop else ""),
        "平台商品ID": kw.get("item_id", ""),
        "平台SKU ID": kw.get("sku_id", ""),
    }
    return row


def grid(style="A100", colours=("白色", "黑色"), sizes=("S", "M", "L"), **kw):
    return [sku_row(style, colour=c, size=s, **kw) for c in colours for s in sizes]


def write_csv(path, rows, headers=HEADERS, encoding="utf-8"):
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h.strip(), "") for h in headers])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path, rows, headers=HEADERS, numbers=True):
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        cells = []
        for h in headers:
            value = row.get(h.strip(), "")
            if numbers and h.strip() in ("成本价", "吊牌价", "售价", "重量(g)"):
                with contextlib.suppress(ValueError):  # text stays text, as a user would type it
                    value = float(value)
            cells.append(value if value != "" else None)
        sheet.append(cells)
    book.save(path)
    return path


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def manager(world):
    return world.people["manager"]


def read_report(media, result):
    sheet = load_workbook(media / result.report).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


# ---- files and encodings ---------------------------------------------------------------------------------------


def test_prod1_utf8_csv_creates_products_skus_and_listings(world, manager, media, tmp_path):
    path = write_csv(tmp_path / "goods.csv", grid("A100") + grid("B200", colours=("红色",)))
    result = import_file(manager, path)
    assert (result.rows, result.created, result.failed) == (9, 9, 0)
    assert Product.objects.count() == 2
    assert Sku.objects.count() == 9
    product = Product.objects.get(style_code="A100")
    assert product.name == "纯棉短袖T恤" and product.brand == "掌柜"
    assert product.category.name == "T恤" and product.category.parent.name == "女装"
    assert product.name_initials.startswith("cmdx")
    sku = Sku.objects.get(code="A100-白色-M")
    assert (sku.cost_fen, sku.list_price_fen, sku.weight_g, sku.vip_price_fen) == (2500, 9900, 180, None)
    listing = Listing.objects.get(shop=world.shop_a, product=product)
    assert (listing.title, listing.price_fen, listing.status) == ("夏季新款纯棉短袖T恤女宽松百搭", 7900, "listed")
    assert ListingSku.objects.filter(listing=listing).count() == 6
    assert Event.objects.filter(object_id=str(product.pk), kind="created").exists()  # timeline, in bulk


def test_prod1_utf8_bom_csv(world, manager, media, tmp_path):
    path = write_csv(tmp_path / "bom.csv", grid("A100"), encoding="utf-8-sig")
    assert import_file(manager, path).created == 6


def test_prod1_gbk_csv_is_detected(world, manager, media, tmp_path):
    rows = grid("A100", name="纯棉短袖T恤女夏季宽松韩版上衣", title="夏季新款纯棉短袖T恤女宽松百搭𠀀")
    path = write_csv(tmp_path / "gbk.csv", rows, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    result = import_file(manager, path)
    assert (result.created, result.failed) == (6, 0)
    assert Product.objects.get().name == "纯棉短袖T恤女夏季宽松韩版上衣"
    assert Listing.objects.get().title.endswith("𠀀")  # a GB18030-only character: decoded as GB18030, not GBK


def test_prod1_xlsx_written_with_openpyxl(world, manager, media, tmp_path):
    rows = grid("A100", barcode="")
    rows[0]["条码"] = "6901234567892"
    path = write_xlsx(tmp_path / "goods.xlsx", rows)
    result = import_file(manager, path)
    assert (result.created, result.failed) == (6, 0)
    sku = Sku.objects.get(code=rows[0]["商家编码"])
    assert sku.barcode == "6901234567892" and sku.cost_fen == 2500


def test_prod1_reordered_extra_columns_and_trailing_spaces(world, manager, media, tmp_path):
    headers = ["备注", "商家编码 ", " 商品名称", "吊牌价", "货号", "颜色", "尺码", "库存"]
    rows = [dict(r, 备注="x", 库存="5") for r in grid("A100")]
    path = write_csv(tmp_path / "odd.csv", rows, headers=headers)
    result = import_file(manager, path)
    assert (result.created, result.failed) == (6, 0)
    assert Listing.objects.count() == 0  # no listing columns: products and SKUs only
    assert Sku.objects.get(code="A100-白色-S").list_price_fen == 9900


def test_prod1_aliases_are_recognised(world, manager, media, tmp_path):
    headers = ["款号", "品名", "颜色分类", "尺寸", "SKU编码", "条形码", "市场价"]
    rows = [
        {"款号": "C1", "品名": "背心", "颜色分类": "白", "尺寸": "F", "SKU编码": "C1-01", "条形码": "", "市场价": "30"}
    ]
    assert import_file(manager, write_csv(tmp_path / "a.csv", rows, headers=headers)).created == 1


def test_prod1_missing_required_column_is_named(world, manager, media, tmp_path):
    headers = [h for h in HEADERS if h != "商家编码"]
    path = write_csv(tmp_path / "missing.csv", grid("A100"), headers=headers)
    with pytest.raises(FileError) as caught:
        import_file(manager, path)
    assert "商家编码" in caught.value.message
    assert Product.objects.count() == 0


def test_prod1_not_a_product_file_and_wrong_type(world, manager, media, tmp_path):
    other = tmp_path / "orders.csv"
    other.write_text("订单号,买家\n1,a\n", encoding="utf-8")
    with pytest.raises(FileError, match="不是商品导入文件"):
        import_file(manager, other)
    binary = tmp_path / "junk.csv"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(FileError, match="编码"):
        import_file(manager, binary)
    fake = tmp_path / "fake.xlsx"
    fake.write_text("货号,商品名称\n", encoding="utf-8")
    with pytest.raises(FileError, match="XLSX"):
        import_file(manager, fake)
    doc = tmp_path / "goods.txt"
    doc.write_text("货号", encoding="utf-8")
    with pytest.raises(FileError, match=r"\.xlsx 或 \.csv"):
        import_file(manager, doc)


# ---- bad rows -------------------------------------------------------------------------------------------------


def test_prod1_bad_rows_reported_with_line_column_reason_good_rows_kept(world, manager, media, tmp_path):
    rows = grid("A100")  # file lines 2–7
    rows[1]["成本价"] = "12.345"  # line 3
    rows[2]["吊牌价"] = "-5"  # line 4
    rows[3]["商家编码"] = rows[0]["商家编码"]  # line 5: duplicate within the file
    rows[4] = sku_row(
        "T9", title="超长标题" * 10
    )  # line 6: 40 characters — a title warning elsewhere, never an import error
    rows.append(sku_row("A100", colour="蓝色", shop="nope"))  # line 8: unknown shop
    rows.append(sku_row("A100", colour="绿色", barcode="69 12"))  # line 9: bad barcode
    rows.append(sku_row("A100", colour="紫色", status="半上架"))  # line 10
    path = write_csv(tmp_path / "bad.csv", rows)
    result = import_file(manager, path)
    assert result.failed == 6 and result.created == 3
    by_line = {e.line: e for e in result.errors}
    assert by_line[3].column == "成本价" and "两位小数" in by_line[3].reason
    assert by_line[4].column == "吊牌价" and "负数" in by_line[4].reason
    assert by_line[5].column == "商家编码" and "第 2 行重复" in by_line[5].reason
    assert 6 not in by_line
    assert by_line[8].column == "店铺代码" and "不存在" in by_line[8].reason
    assert by_line[9].column == "条码"
    assert by_line[10].column == "上架状态"
    report = read_report(media, result)
    assert report[0][:3] == ["行号", "列", "原因"] and report[0][3:] == HEADERS
    assert [r[0] for r in report[1:]] == [3, 4, 5, 8, 9, 10]
    assert report[1][3:][HEADERS.index("成本价")] == "12.345"  # the original row, for correcting and re-importing


def test_prod1_barcode_used_by_another_sku(world, manager, media, tmp_path):
    import_file(manager, write_csv(tmp_path / "one.csv", [sku_row("A100", code="A1", barcode="6901234567892")]))
    result = import_file(
        manager, write_csv(tmp_path / "two.csv", [sku_row("B200", code="B1", barcode="6901234567892")])
    )
    assert result.failed == 1
    assert result.errors[0].column == "条码" and "A1" in result.errors[0].reason
    assert not Product.objects.filter(style_code="B200").exists()  # nothing half-written for the failed row


def test_prod1_sku_moved_to_another_style_is_refused(world, manager, media, tmp_path):
    import_file(manager, write_csv(tmp_path / "one.csv", [sku_row("A100", code="X1")]))
    result = import_file(manager, write_csv(tmp_path / "two.csv", [sku_row("B200", code="X1")]))
    assert result.failed == 1 and "A100" in result.errors[0].reason


def test_prod1_new_listing_needs_title_and_price(world, manager, media, tmp_path):
    result = import_file(manager, write_csv(tmp_path / "l.csv", [sku_row("A100", title="", sale="")]))
    assert result.failed == 1 and "标题" in result.errors[0].reason


def test_prod1_conflicting_product_values_in_one_file(world, manager, media, tmp_path):
    rows = grid("A100", colours=("白色",), sizes=("S", "M"))
    rows[1]["商品名称"] = "别的名字"
    result = import_file(manager, write_csv(tmp_path / "c.csv", rows))
    assert result.failed == 1 and result.errors[0].line == 3 and "第 2 行不一致" in result.errors[0].reason


# ---- shop scope -----------------------------------------------------------------------------------------------


def test_prod1_shop_outside_scope_rejected_per_row(world, media, tmp_path):
    editor = world.people["editor"]  # scoped to shop_a only
    rows = [sku_row("A100", code="A1", shop="tb-a"), sku_row("B200", code="B1", shop="jd-b"), sku_row("C3", shop="")]
    result = import_file(editor, write_csv(tmp_path / "s.csv", rows))
    assert (result.created, result.failed) == (2, 1)
    assert result.errors[0].line == 3 and result.errors[0].column == "店铺代码" and "无权" in result.errors[0].reason
    assert not Listing.objects.filter(shop=world.shop_b).exists()
    assert not Product.objects.filter(style_code="B200").exists()


def test_prod1_role_without_listing_rights_cannot_import_listings(world, media, tmp_path):
    # marketing may change listings but not add them: listing rows are refused, product rows are not checked here
    designer = world.people["designer"]
    designer_result = import_file(designer, write_csv(tmp_path / "d.csv", [sku_row("A100")]))
    assert designer_result.created == 1  # designer holds add/change listing


# ---- upserts --------------------------------------------------------------------------------------------------


def test_prod1_reimport_updates_instead_of_duplicating(world, manager, media, tmp_path):
    rows = grid("A100")
    path = write_csv(tmp_path / "goods.csv", rows)
    first = import_file(manager, path)
    assert first.created == 6
    again = import_file(manager, path)
    assert (again.created, again.updated, again.unchanged, again.failed) == (0, 0, 6, 0)
    rows[0]["吊牌价"] = "109"
    rows[1]["平台SKU ID"] = "5001"
    result = import_file(manager, write_csv(tmp_path / "goods2.csv", rows))
    assert (result.created, result.updated, result.unchanged) == (0, 2, 4)
    assert Product.objects.count() == 1 and Sku.objects.count() == 6 and Listing.objects.count() == 1
    assert Sku.objects.get(code=rows[0]["商家编码"]).list_price_fen == 10900
    assert ListingSku.objects.get(sku__code=rows[1]["商家编码"]).platform_sku_id == "5001"
    product = Product.objects.get()
    assert Event.objects.filter(object_id=str(product.pk), kind="imported").exists()


def test_prod1_rename_counts_every_row_of_the_product_as_updated(world, manager, media, tmp_path):
    import_file(manager, write_csv(tmp_path / "a.csv", grid("A100", shop="")))
    result = import_file(manager, write_csv(tmp_path / "b.csv", grid("A100", shop="", name="新名字")))
    assert (result.updated, result.unchanged) == (6, 0)
    assert Product.objects.get().name == "新名字"


def test_prod1_batches_are_atomic_and_rerun_completes(world, manager, media, tmp_path, monkeypatch):
    """A crash in the third batch keeps the first two; running the same file again completes the rest."""
    from zhanggui.catalog.services import import_batches

    rows = [r for n in range(5) for r in grid(f"S{n}", colours=("白",), sizes=("S", "M"), shop="")]
    path = write_csv(tmp_path / "crash.csv", rows)
    calls = {"n": 0}
    original = import_batches.BatchWriter.write_skus

    def crashing(self, batch_rows):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("power cut")
        return original(self, batch_rows)

    monkeypatch.setattr(import_batches.BatchWriter, "write_skus", crashing)
    with pytest.raises(RuntimeError):
        import_file(manager, path, batch_rows=2)
    assert Product.objects.count() == 2 and Sku.objects.count() == 4
    monkeypatch.setattr(import_batches.BatchWriter, "write_skus", original)
    result = import_file(manager, path, batch_rows=2)
    assert (result.created, result.unchanged) == (6, 4)
    assert Product.objects.count() == 5 and Sku.objects.count() == 10


def test_prod1_no_query_per_row(world, manager, media, tmp_path, django_assert_max_num_queries):
    rows = [r for n in range(40) for r in grid(f"Q{n}", colours=("白", "黑"), sizes=("S", "M", "L"))]  # 240 rows
    path = write_csv(tmp_path / "bulk.csv", rows)
    with django_assert_max_num_queries(60):
        assert import_file(manager, path).created == 240
    with django_assert_max_num_queries(40):
        assert import_file(manager, path).unchanged == 240


# ---- export → import round trip -------------------------------------------------------------------------------


def test_prod1_export_then_import_is_unchanged_and_edits_round_trip(world, manager, media, tmp_path):
    rows = grid("A100") + grid("B200", shop="", colours=("红",))
    rows[0]["VIP价"] = "88.5"
    rows[0]["条码"] = "6901234567892"
    rows[2]["售价"] = "89"  # one SKU priced above the listing price
    rows[3]["平台商品ID"] = "6400001"
    import_file(manager, write_csv(tmp_path / "seed.csv", rows))
    exported = tmp_path / "export.xlsx"
    assert export_xlsx(manager, exported) == 9
    header = [c.value for c in next(load_workbook(exported).active.iter_rows())]
    assert header == HEADERS
    result = import_file(manager, exported)
    assert (result.rows, result.unchanged, result.created, result.updated, result.failed) == (9, 9, 0, 0, 0)
    # edit in "Excel" and import again
    book = load_workbook(exported)
    sheet = book.active
    code_col, price_col = HEADERS.index("商家编码") + 1, HEADERS.index("吊牌价") + 1
    for row in sheet.iter_rows(min_row=2):
        if row[code_col - 1].value == "A100-黑色-L":
            row[price_col - 1].value = 120
    book.save(exported)
    result = import_file(manager, exported)
    assert (result.updated, result.unchanged) == (1, 8)
    assert Sku.objects.get(code="A100-黑色-L").list_price_fen == 12000
    assert Sku.objects.get(code="A100-白色-S").vip_price_fen == 8850


def test_prod1_export_lists_only_shops_in_scope(world, manager, media, tmp_path):
    rows = [sku_row("A100", code="A1", shop="tb-a"), sku_row("A100", code="A1", shop="jd-b")]
    assert import_file(manager, write_csv(tmp_path / "two.csv", rows)).created == 2  # one SKU in two shops
    assert Sku.objects.count() == 1 and Listing.objects.count() == 2
    exported = tmp_path / "e.xlsx"
    assert export_xlsx(manager, exported) == 2
    assert export_xlsx(world.people["editor"], exported) == 1  # shop_a only
    assert import_file(manager, exported).unchanged == 1


# ---- pages, job, API, CLI -------------------------------------------------------------------------------------


def test_prod1_import_page_runs_a_job_to_done_with_summary(
    world, client_for, media, tmp_path, django_capture_on_commit_callbacks
):
    editor = world.people["editor"]
    client = client_for(editor)
    assert client.get(reverse("catalog:import")).status_code == 200
    rows = grid("A100")
    rows[0]["成本价"] = "abc"
    data = write_xlsx(tmp_path / "goods.xlsx", rows).read_bytes()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("商品.xlsx", data, content_type="application/octet-stream")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("catalog:import"), {"file": upload})
    assert response.status_code == 302
    job = Job.objects.get(kind="catalog_import")
    assert response.url == reverse("job", args=[job.pk])
    assert job.status == Job.Status.DONE and job.done == job.total == 6
    assert job.result["created"] == 5 and job.result["failed"] == 1
    page = client.get(response.url).content.decode()
    assert "新增" in page and "失败" in page and "下载错误报告" in page
    assert not list((media / "private" / "imports" / "uploads").iterdir())  # the upload is not kept
    # the error file: its creator downloads it, nobody else does
    download = client.get(reverse("job_download", args=[job.pk]))
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    sheet = load_workbook(io.BytesIO(body)).active
    assert [c.value for c in sheet[2]][:2] == [2, "成本价"]
    other = client_for(world.people["manager"])
    assert other.get(reverse("job_download", args=[job.pk])).status_code == 404


def test_prod1_job_reports_progress_in_batches(world, manager, media, tmp_path, monkeypatch):
    from zhanggui.catalog.services import imports

    seen = []
    rows = [r for n in range(30) for r in grid(f"P{n}", shop="")]  # 180 rows
    path = write_csv(tmp_path / "p.csv", rows)
    result = imports.import_file(manager, path, progress=lambda d, t: seen.append((d, t)), batch_rows=50)
    assert result.created == 180
    assert seen[0] == (0, 180) and seen[-1] == (180, 180) and len(seen) >= 4


def test_prod1_upload_refuses_wrong_type_and_size(world, client_for, media, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(world.people["editor"])
    response = client.post(reverse("catalog:import"), {"file": SimpleUploadedFile("a.exe", b"MZ...")})
    assert response.status_code == 400 and ".xlsx 或 .csv" in response.content.decode()
    settings.UPLOAD_LIMITS_MB = {**settings.UPLOAD_LIMITS_MB, "catalog_import": 1}
    response = client.post(reverse("catalog:import"), {"file": SimpleUploadedFile("a.csv", b"x" * (1024 * 1024 + 1))})
    assert response.status_code == 400 and "文件太大" in response.content.decode()
    assert not Job.objects.exists()


def test_prod1_import_page_needs_the_right(world, client_for, media):
    assert client_for(world.people["cs"]).get(reverse("catalog:import")).status_code == 403


def test_prod1_export_page_job_and_template(
    world, manager, client_for, media, tmp_path, django_capture_on_commit_callbacks
):
    import_file(manager, write_csv(tmp_path / "seed.csv", grid("A100")))
    client = client_for(world.people["cs"])  # view right is enough to export
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("catalog:export")).status_code == 302
    job = Job.objects.get(kind="catalog_export")
    assert job.status == Job.Status.DONE and job.result["rows"] == 6
    download = client.get(reverse("job_download", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert [c.value for c in sheet[1]] == HEADERS and sheet.max_row == 7
    template = client_for(manager).get(reverse("catalog:import_template"))
    assert template.status_code == 200
    assert [c.value for c in load_workbook(io.BytesIO(template.content)).active[1]] == HEADERS


def test_prod1_api_upload_starts_the_job(world, client_for, media, tmp_path, django_capture_on_commit_callbacks):
    client = client_for(world.people["editor"])
    path = write_csv(tmp_path / "api.csv", grid("A100"))
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as fh:
        response = client.post("/api/v1/catalog/imports", {"file": fh})
    assert response.status_code == 202, response.content
    body = response.json()
    job = Job.objects.get(pk=body["job_id"])
    assert job.status == Job.Status.DONE and job.result["created"] == 6
    status = client.get(body["status_url"]).json()
    assert status["result"]["created"] == 6
    bad = tmp_path / "bad.txt"
    bad.write_text("x")
    with bad.open("rb") as fh:
        response = client.post("/api/v1/catalog/imports", {"file": fh})
    assert response.status_code == 400 and ".xlsx 或 .csv" in response.json()["message"]
    cs = client_for(world.people["cs"])
    with path.open("rb") as fh:
        assert cs.post("/api/v1/catalog/imports", {"file": fh}).status_code == 403


def test_prod1_cli_prints_json_summary_last(world, media, tmp_path, capsys):
    rows = grid("A100")
    rows[0]["成本价"] = "12.345"
    path = write_csv(tmp_path / "cli.csv", rows, encoding="gb18030")
    call_command("import-products", str(path))
    lines = capsys.readouterr().out.strip().splitlines()
    summary = json.loads(lines[-1])
    assert {k: summary[k] for k in ("created", "updated", "unchanged", "failed", "rows")} == {
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "failed": 1,
        "rows": 6,
    }
    assert summary["report"].endswith("-errors.xlsx")
    call_command("import-products", str(path))
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["unchanged"] == 5


def test_prod1_cli_fails_with_chinese_message(world, media, tmp_path):
    path = write_csv(tmp_path / "m.csv", grid("A100"), headers=[h for h in HEADERS if h != "货号"])
    with pytest.raises(CommandError, match="缺少必填列：货号"):
        call_command("import-products", str(path))
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x00\xff" * 50)
    with pytest.raises(CommandError, match="编码"):
        call_command("import-products", str(junk))


def test_prod1_categories_created_once(world, manager, media, tmp_path):
    import_file(manager, write_csv(tmp_path / "c.csv", grid("A100") + grid("B1", category="女装 > T恤")))
    assert Category.objects.count() == 2


def test_prod1_upload_page_and_api_refuse_a_png_renamed_xlsx(world, client_for, media):
    """core.uploads: the bytes decide — a picture named 商品.xlsx never reaches the importer."""
    import io as _io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = _io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "PNG")
    client = client_for(world.people["editor"])
    response = client.post(reverse("catalog:import"), {"file": SimpleUploadedFile("商品.xlsx", out.getvalue())})
    assert response.status_code == 400 and "不是有效的 XLSX 文件" in response.content.decode()
    api = client.post("/api/v1/catalog/imports", {"file": SimpleUploadedFile("商品.xlsx", out.getvalue())})
    assert api.status_code == 400 and "不是有效的 XLSX 文件" in api.json()["message"]
    assert not Job.objects.exists()
