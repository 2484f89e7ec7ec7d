"""The import service and the CLI (ORD-1 items 2–5, ORD-4, ORD-9): bulk, idempotent, every row accounted for.

Orders are built as ParsedOrder values (the readers' output, formats/types.py) so that these tests check the
writing alone; one end-to-end test goes through the readers when they exist.
"""

import datetime as dt
import io
import json
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from zhanggui.catalog.models import Sku
from zhanggui.catalog.services.products import create_product
from zhanggui.channels.formats.types import ParsedLine, ParsedOrder, ReadResult, RowError
from zhanggui.core.errors import DomainError
from zhanggui.core.models import Event
from zhanggui.inventory.models import Reservation, StockLevel
from zhanggui.inventory.services import stock
from zhanggui.inventory.services import warehouses as wh_svc
from zhanggui.orders import selectors
from zhanggui.orders.models import ImportRun, Order, OrderLine
from zhanggui.orders.services import imports
from zhanggui.orders.services.imports import import_parsed

FILE = "ExportOrderList202611231200.csv"
BARCODE = "6901234567892"
PAID_AT = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def shop(world):
    keeper = world.people["warehouse"]
    main = wh_svc.create_warehouse(keeper, code="MAIN", name="主仓", is_default=True)
    dress = create_product(keeper, style_code="D", name="碎花连衣裙", colours=["黑", "白"], sizes=["S", "M"])
    skus = {s.code: s for s in dress.skus.all()}
    Sku.objects.filter(pk=skus["D-白-S"].pk).update(barcode=BARCODE)
    stock.receive_stock(keeper, skus["D-黑-S"], main, 10, document="QC-1", reason="opening")
    stock.receive_stock(keeper, skus["D-黑-M"], main, 1, document="QC-1", reason="opening")
    world.skus = skus
    return world.shop_a


def po(no, state="to_review", lines=(("D-黑-S", 1),), line=2, **kw) -> ParsedOrder:
    kw.setdefault(
        "platform_status",
        {"pending_payment": "等待买家付款", "shipped": "卖家已发货，等待买家确认"}.get(
            state, "买家已付款，等待卖家发货"
        ),
    )
    kw.setdefault("paid_at", None if state == "pending_payment" else PAID_AT)
    return ParsedOrder(
        platform_order_no=no,
        state=state,
        buyer_nick="买家" + no[-2:],
        receiver_name="张三",
        receiver_phone="'138-0013-8000",
        address_raw="广东省 广州市 越秀区 中山路 1 号(510180)",
        province="广东省",
        city="广州市",
        district="越秀区",
        address_detail="中山路 1 号",
        goods_fen=19900,
        paid_fen=19900,
        lines=[
            ParsedLine(line_no=n, outer_code=code, title="碎花连衣裙", quantity=qty, unit_price_fen=19900)
            for n, (code, qty) in enumerate(lines, 1)
        ],
        source_file=FILE,
        source_line=line,
        **kw,
    )


def run(world, orders, errors=(), files=(FILE,), **kw) -> ImportRun:
    return import_parsed(
        world.people["cs"], world.shop_a, ReadResult("taobao-2020", list(orders), list(errors)), list(files), **kw
    )


def test_ord1_text_longer_than_its_column_is_cut_to_fit_and_the_rest_kept(world, shop):
    """ORD-1 "good rows are kept": an export cell longer than our column (a 600-character remark, a 100-character
    tracking number) is cut to the column's length instead of failing the batch; the other fields go in as read."""
    remark, tracking = "备注" * 300, "YT" * 50
    done = run(world, [po("100100", seller_remark=remark, tracking_no=tracking), po("100101", line=3)])
    assert (done.created, done.failed) == (2, 0)
    long_one = Order.objects.get(platform_order_no="100100")
    limits = {f: Order._meta.get_field(f).max_length for f in ("seller_remark", "tracking_no")}
    assert long_one.seller_remark == remark[: limits["seller_remark"]] and len(remark) > limits["seller_remark"]
    assert long_one.tracking_no == tracking[: limits["tracking_no"]] and len(tracking) > limits["tracking_no"]
    assert (long_one.buyer_nick, long_one.receiver_name, long_one.paid_fen) == ("买家00", "张三", 19900)
    assert Order.objects.get(platform_order_no="100101").seller_remark == ""


def test_ord1_created_updated_unchanged_counts(world, shop):
    """ORD-1: first import creates, the same file again changes nothing, a changed remark updates one order."""
    orders = [po(f"10000{n}", line=n + 2) for n in range(3)]
    first = run(world, orders)
    assert (first.created, first.updated, first.unchanged, first.failed, first.lines) == (3, 0, 0, 0, 3)
    assert Order.objects.filter(shop=shop).count() == 3 and OrderLine.objects.count() == 3
    order = Order.objects.get(platform_order_no="100000")
    assert order.phone_last4 == "8000" and order.paid_at == PAID_AT and order.fingerprint
    # the "imported" timeline entry is the import run (who, when, file), not a timeline row per order
    assert not Event.objects.filter(object_id=str(order.pk), kind="order_imported").exists()
    entry = selectors.timeline(order, world.people["cs"])[-1]
    assert (entry["kind"], entry["note"], entry["actor_number"]) == ("order_imported", f"导入 {FILE}", "T002")

    again = run(world, [po(f"10000{n}", line=n + 2) for n in range(3)])
    assert (again.created, again.updated, again.unchanged, again.lines) == (0, 0, 3, 0)  # idempotent

    changed = [po(f"10000{n}", line=n + 2) for n in range(3)]
    changed[1].seller_remark = "T001 顺丰 尺码偏大"
    third = run(world, changed)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 2)
    updated = Order.objects.get(platform_order_no="100001")
    assert updated.seller_remark == "T001 顺丰 尺码偏大" and updated.version == 2
    assert Order.objects.count() == 3 and OrderLine.objects.count() == 3  # never duplicated
    assert Event.objects.filter(kind="order_import_updated", object_id=str(updated.pk)).count() == 1


def test_ord1_same_order_twice_in_files_counts_once(world, shop):
    """ORD-1: an overlapping pair of files repeats an order: it is written once (the later row wins)."""
    result = run(world, [po("200001", seller_remark="旧"), po("200001", seller_remark="新", line=9)])
    assert result.created == 1 and Order.objects.get().seller_remark == "新"


def test_ord1_update_takes_platform_status_forward(world, shop):
    """ORD-1 update rule: the platform saying shipped / closed moves the order on, with tracking and times."""
    run(world, [po("300001")])
    shipped_at = PAID_AT + dt.timedelta(days=1)
    run(world, [po("300001", "shipped", carrier="中通", tracking_no="ZT123", shipped_at=shipped_at)])
    order = Order.objects.get()
    assert (order.state, order.tracking_no, order.carrier, order.shipped_at) == ("shipped", "ZT123", "中通", shipped_at)
    assert order.platform_status == "卖家已发货，等待买家确认"
    run(world, [po("300001", "closed", carrier="中通", tracking_no="ZT123", refund_fen=19900)])
    order.refresh_from_db()
    assert order.state == "closed" and order.refund_fen == 19900


def test_ord1_update_keeps_local_later_state(world, shop):
    """ORD-1 update rule: an order our people reviewed (approved) stays approved while the platform still says
    待发货; the remark still updates. An older file re-imported later never moves a state backwards."""
    run(world, [po("400001")])
    Order.objects.filter(platform_order_no="400001").update(state="approved")
    result = run(world, [po("400001", state="to_ship", seller_remark="T002 已审")])
    order = Order.objects.get()
    assert result.updated == 1 and order.state == "approved" and order.seller_remark == "T002 已审"

    run(world, [po("400001", "shipped", tracking_no="YT9")])
    run(world, [po("400001", "pending_payment")])  # an old file
    order.refresh_from_db()
    assert order.state == "shipped" and order.tracking_no == "YT9"


def test_ord1_empty_platform_values_keep_ours(world, shop):
    """ORD-1: a file without remark / tracking does not wipe the ones we have; receiver data stays as bought."""
    run(world, [po("410001", seller_remark="T003 顺丰 送礼")])
    Order.objects.filter(platform_order_no="410001").update(tracking_no="SF1", receiver_name="李四")
    run(world, [po("410001", buyer_message="尽快发货")])
    order = Order.objects.get()
    assert (order.seller_remark, order.tracking_no, order.buyer_message) == ("T003 顺丰 送礼", "SF1", "尽快发货")
    assert order.receiver_name == "李四"


def test_ord1_ord9_sku_matching_and_unmatched_queue(world, shop):
    """ORD-1 item 5: lines match Sku.code, then barcode; an unmatched line keeps its text with no SKU and puts the
    order in the unmatched queue (ORD-9), never dropped."""
    run(world, [po("500001", lines=[("D-黑-M", 1), (BARCODE, 2), ("NOPE-1", 1)])])
    order = Order.objects.get()
    lines = list(order.lines.order_by("line_no"))
    assert [ln.sku.code if ln.sku else None for ln in lines] == ["D-黑-M", "D-白-S", None]
    assert lines[2].outer_code == "NOPE-1" and order.exc_unmatched

    run(world, [po("500001", lines=[("D-黑-M", 1), (BARCODE, 2), ("D-白-M", 1)])])  # the platform line corrected
    order.refresh_from_db()
    assert not order.exc_unmatched and order.lines.filter(sku__isnull=True).count() == 0
    assert order.lines.count() == 3


def test_ord9_address_and_risk_exceptions(world, shop):
    """ORD-9: an unsplittable address goes to the address queue; a platform risk hold puts the order on hold
    (state_before_hold = the mapped state) and lifts when the platform lifts it."""
    run(world, [po("600001", address_ok=False), po("600002", risk_hold=True, line=3)])
    bad, risky = Order.objects.get(platform_order_no="600001"), Order.objects.get(platform_order_no="600002")
    assert bad.exc_address and not bad.exc_risk
    assert (risky.state, risky.state_before_hold, risky.exc_risk) == ("on_hold", "to_review", True)
    run(world, [po("600002", line=3)])
    risky.refresh_from_db()
    assert (risky.state, risky.state_before_hold, risky.exc_risk) == ("to_review", "", False)


def test_ord9_our_hold_stays_until_shipped(world, shop):
    """ORD-1 update rule: a hold our people set survives a re-import that says 待发货."""
    run(world, [po("610001")])
    Order.objects.filter(platform_order_no="610001").update(
        state="on_hold", state_before_hold="approved", hold_reason="等买家确认尺码"
    )
    run(world, [po("610001", seller_remark="改")])
    order = Order.objects.get()
    assert (order.state, order.state_before_hold, order.hold_reason) == ("on_hold", "approved", "等买家确认尺码")


def test_ord4_paid_orders_reserve_and_out_of_stock_queue(world, shop):
    """ORD-4: a paid order reserves its matched lines; too little stock puts it in the out-of-stock queue (ORD-9)
    without failing the import; an unpaid order reserves nothing until a later file says it is paid."""
    result = run(
        world,
        [
            po("700001", lines=[("D-黑-S", 2)]),
            po("700002", lines=[("D-黑-M", 5)], line=3),
            po("700003", "pending_payment", lines=[("D-黑-S", 1)], line=4),
        ],
    )
    assert result.created == 3 and result.failed == 0
    paid, short, unpaid = (Order.objects.get(platform_order_no=n) for n in ("700001", "700002", "700003"))
    assert Reservation.objects.get(reference=f"order:{paid.pk}").quantity == 2
    assert short.exc_out_of_stock and not Reservation.objects.filter(reference=f"order:{short.pk}").exists()
    assert not Reservation.objects.filter(reference=f"order:{unpaid.pk}").exists()
    assert StockLevel.objects.get(sku=world.skus["D-黑-S"]).reserved == 2

    run(world, [po("700003", lines=[("D-黑-S", 1)], line=4)])  # now paid
    assert Reservation.objects.get(reference=f"order:{unpaid.pk}").quantity == 1
    assert StockLevel.objects.get(sku=world.skus["D-黑-S"]).reserved == 3

    run(world, [po("700001", "closed", lines=[("D-黑-S", 2)])])  # closed on the platform: released
    assert Reservation.objects.get(reference=f"order:{paid.pk}").state == Reservation.State.RELEASED
    assert StockLevel.objects.get(sku=world.skus["D-黑-S"]).reserved == 1


def test_ord1_row_errors_in_xlsx_report(world, shop):
    """ORD-1 item 4: every bad row — the reader's and an unknown status — is in the XLSX with file, line, column,
    reason and order number; the good rows are kept."""
    reader_error = RowError(FILE, 7, "实付金额", "金额格式不对：abc", "800009")
    result = run(world, [po("800001"), po("800002", state=None, platform_status="神秘状态", line=5)], [reader_error])
    assert (result.created, result.failed) == (1, 2)
    assert result.report.name.startswith("order-imports/")
    sheet = load_workbook(result.report.path).active
    rows = [tuple(c.value for c in row) for row in sheet.iter_rows()]
    assert rows[0] == ("文件", "行号", "列", "原因", "订单号")
    assert (FILE, 5, "订单状态", "未知订单状态：神秘状态", "800002") in rows
    assert (FILE, 7, "实付金额", "金额格式不对：abc", "800009") in rows
    assert not run(world, [po("800001")]).report  # no bad row, no file


def test_ord1_a_failed_batch_loses_no_committed_batch_and_a_rerun_completes(world, shop, monkeypatch):
    """ORD-1 item 4: a batch the database refuses is reported; the batches before and after stay committed, and a
    re-run completes the rest without duplicating anything."""
    calls = [0]
    real = imports._Batch._events  # the timeline write, late in the batch: orders and lines already written

    def flaky(self, *args):
        calls[0] += 1
        if calls[0] == 2:
            raise DatabaseError("连接中断")
        return real(self, *args)

    monkeypatch.setattr(imports._Batch, "_events", flaky)
    orders = [po(f"90000{n}", line=n + 2) for n in range(5)]
    first = run(world, orders, batch=2)
    assert (first.created, first.failed) == (3, 2)
    assert set(Order.objects.values_list("platform_order_no", flat=True)) == {"900000", "900001", "900004"}
    monkeypatch.setattr(imports._Batch, "_events", real)
    second = run(world, [po(f"90000{n}", line=n + 2) for n in range(5)], batch=2)
    assert (second.created, second.unchanged, second.failed) == (2, 3, 0)
    assert Order.objects.count() == 5 and OrderLine.objects.count() == 5


def _count_queries(world, start, n):
    orders = [po(f"Q{start + i:08d}", "pending_payment", line=i + 2) for i in range(n)]
    with CaptureQueriesContext(connection) as ctx:
        run(world, orders, batch=2000)
    return len(ctx.captured_queries)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Django's SQLite bulk_create (timeline events) splits at 999 parameters; the order writes are flat",
)
def test_ord1_queries_per_batch_do_not_grow_with_rows(world, shop):
    """Engineering requirement: a handful of queries per batch, never one per row (50 vs 500 orders)."""
    small = _count_queries(world, 0, 50)
    large = _count_queries(world, 1000, 500)
    assert large <= small <= 20  # the first run may add a cache lookup (content type)


def test_ord1_queries_sqlite_grow_only_with_event_chunks(world, shop):
    """The same on every database: the order and line writes do not grow with the rows (events chunk on SQLite)."""
    small = _count_queries(world, 0, 50)
    large = _count_queries(world, 1000, 500)
    assert large - small <= 10 and small <= 20


# -- the CLI (ORD-1 item 2)


def _fake_reader(monkeypatch, result=None, error=None):
    import zhanggui.channels.formats as formats

    def stream_files(platform, files, batch=imports.BATCH):  # what the CLI reads with (streamed)
        assert platform == "taobao"
        if error:
            raise error
        return result

    monkeypatch.setattr(formats, "stream_files", stream_files, raising=False)


def test_ord1_cli_last_line_json_and_exit_zero_with_failed_rows(world, shop, tmp_path, monkeypatch):
    """ORD-1 item 2: progress lines in Chinese, the last line a JSON summary; failed rows still exit 0."""
    path = tmp_path / FILE
    path.write_bytes(b"whatever")
    result = ReadResult("taobao-2020", [po("C00001"), po("C00002", state=None, platform_status="?")], [], rows=2)
    _fake_reader(monkeypatch, result)
    out = io.StringIO()
    call_command("import-orders", "--shop", "tb-a", str(path), stdout=out)
    lines = out.getvalue().strip().splitlines()
    summary = json.loads(lines[-1])
    assert {k: summary[k] for k in ("created", "updated", "unchanged", "failed", "lines")} == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "failed": 1,
        "lines": 1,
    }
    assert summary["report"].endswith(".xlsx") and load_workbook(summary["report"]).active.max_row == 2
    assert any("新增 1" in line for line in lines)

    out = io.StringIO()
    _fake_reader(monkeypatch, ReadResult("taobao-2020", [po("C00001")], []))
    call_command("import-orders", "--shop", "tb-a", str(path), stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1]) == {
        "created": 0,
        "updated": 0,
        "unchanged": 1,
        "failed": 0,
        "lines": 0,
        "report": None,
    }


def test_ord1_cli_refuses_unreadable_files_unknown_shop(world, shop, tmp_path, monkeypatch):
    """ORD-1 item 2: non-zero exit with a Chinese message when the files cannot be read at all."""
    path = tmp_path / "x.csv"
    path.write_bytes(b"a,b\n")
    _fake_reader(monkeypatch, error=DomainError("missing_column", "缺少必需的列：订单编号", "file"))
    with pytest.raises(CommandError, match="缺少必需的列：订单编号"):
        call_command("import-orders", "--shop", "tb-a", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="找不到店铺 nope"):
        call_command("import-orders", "--shop", "nope", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("import-orders", "--shop", "tb-a", str(tmp_path / "missing.csv"), stdout=io.StringIO())
    assert Order.objects.count() == 0


# -- two imports at once (ORD-1 item 3)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_ord1_two_simultaneous_imports_create_each_order_once(transactional_db, world, shop):
    """ORD-1 item 3: two threads import the same parsed file at once: the unique constraint and ON CONFLICT let
    each order in exactly once; between them the runs count every order created once."""
    orders = [po(f"T{i:06d}", "pending_payment", line=i + 2) for i in range(300)]
    start = threading.Barrier(2)
    runs, errors = [], []

    def work():
        try:
            start.wait()
            runs.append(run(world, list(orders), batch=100))
        except Exception as exc:  # pragma: no cover — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Order.objects.filter(shop=world.shop_a).count() == 300 and OrderLine.objects.count() == 300
    assert sum(r.created for r in runs) == 300 and sum(r.failed for r in runs) == 0
    assert sum(r.created + r.unchanged + r.updated for r in runs) == 600


# -- end to end through the readers (the channels' sample-file generators)


def test_ord1_cli_end_to_end_taobao_pair(world, shop, tmp_path):
    """ORD-1 items 1–3: a Taobao pair (GBK, quirks) imported by the CLI; the same pair again changes nothing."""
    from zhanggui.channels.samples import taobao_pair

    orders = [
        {"no": "35153131473293579", "lines": [{"code": "D-黑-S", "qty": 2}]},
        {"no": "35153131473293580", "status": "等待买家付款", "paid_at": "", "lines": [{"code": "NOPE"}]},
    ]
    report, details = taobao_pair(orders)
    (tmp_path / "ExportOrderList202611231200.csv").write_bytes(report)
    (tmp_path / "ExportOrderDetailList202611231200.csv").write_bytes(details)
    paths = [str(tmp_path / "ExportOrderList202611231200.csv"), str(tmp_path / "ExportOrderDetailList202611231200.csv")]

    def cli():
        out = io.StringIO()
        call_command("import-orders", "--shop", "tb-a", *paths, stdout=out)
        return json.loads(out.getvalue().strip().splitlines()[-1])

    first = cli()
    assert (first["created"], first["updated"], first["unchanged"], first["lines"]) == (2, 0, 0, 2)
    paid = Order.objects.get(platform_order_no="35153131473293579")
    assert paid.state not in ("pending_payment", "on_hold") and paid.phone_last4 == "5678"
    assert Reservation.objects.get(reference=f"order:{paid.pk}").quantity == 2  # ORD-4
    assert Order.objects.get(platform_order_no="35153131473293580").exc_unmatched  # ORD-9
    again = cli()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)


def test_ord1_cli_unreadable_file_exits_nonzero(world, shop, tmp_path):
    """ORD-1 item 2: a file that is not an order export is refused with a Chinese message (non-zero exit)."""
    path = tmp_path / "notes.csv"
    path.write_bytes("姓名,年龄\n张三,30\n".encode("gbk"))
    with pytest.raises(CommandError, match=r"无法读取：notes\.csv：") as caught:
        call_command("import-orders", "--shop", "tb-a", str(path), stdout=io.StringIO())
    assert caught.value.returncode != 0 and Order.objects.count() == 0 and not ImportRun.objects.exists()


def test_ord1_import_files_refuses_a_pair_with_an_unreadable_file(world, shop):
    """ORD-1: import_files (upload page, API) refuses the import when one file cannot be read; nothing written."""
    from zhanggui.channels.samples import taobao_pair

    report, _details = taobao_pair()
    files = [("ExportOrderList.csv", report), ("ExportOrderDetailList.csv", "姓名,年龄\n".encode("gbk"))]
    with pytest.raises(DomainError) as caught:
        imports.import_files(world.people["cs"], shop, files)
    assert caught.value.code == "unreadable_file" and "ExportOrderDetailList.csv" in caught.value.message
    assert Order.objects.count() == 0
    run_ = imports.import_files(world.people["cs"], shop, [("ExportOrderList.csv", report)])  # the report alone
    assert run_.created == 1 and run_.format


def _pair_on_disk(tmp_path, count: int = 5):
    """A Taobao pair of `count` orders with two lines each, plus a detail row whose order is not in the report."""
    from zhanggui.channels import samples as F

    orders = [{"no": f"77{n:04d}", "lines": [{"code": "D-黑-S"}, {"code": "D-白-M"}]} for n in range(count)]
    report, detail = F.taobao_pair(orders)
    detail += F.taobao_pair([{"no": "779999"}])[1].split(b"\n", 1)[1]
    (tmp_path / "r.csv").write_bytes(report)
    (tmp_path / "d.csv").write_bytes(detail)
    return [("r.csv", tmp_path / "r.csv"), ("d.csv", tmp_path / "d.csv")]


def test_ord1_import_files_streams_paths_in_batches_with_progress(world, shop, tmp_path):
    """ORD-1: import_files reads the files streamed from paths, batch by batch; progress gets the estimated total
    from the start; lines, the import run and the orphan detail row's error are all there at the end. Inside a
    transaction (as here) it never forks a second process, even when asked (workers=2)."""
    seen = []
    run_ = imports.import_files(
        world.people["cs"],
        shop,
        _pair_on_disk(tmp_path),
        batch=2,
        progress=lambda done, total: seen.append((done, total)),
        workers=2,
    )
    assert seen == [(2, 5), (4, 5), (5, 5)]
    assert (run_.created, run_.lines, run_.failed) == (5, 10, 1)
    assert OrderLine.objects.filter(order__shop=shop, order__platform_order_no__startswith="77").count() == 10
    ids = [
        str(pk)
        for pk in Order.objects.filter(shop=shop, platform_order_no__startswith="77").values_list("pk", flat=True)
    ]
    assert set(Order.objects.filter(pk__in=ids).values_list("import_run", flat=True)) == {run_.pk}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the second process writes on PostgreSQL only")
def test_ord1_big_import_in_two_processes_writes_every_order_once(transactional_db, world, shop, tmp_path):
    """ORD-1 bulk import: two processes, each reading the files and writing the orders whose number
    hashes to its share — together every order exactly once with its lines, one import run with the counts and
    the error report of both, progress up to the total, and a re-import all unchanged."""
    files = _pair_on_disk(tmp_path, count=40)
    seen = []
    run_ = imports.import_files(
        world.people["cs"], shop, files, batch=4, progress=lambda d, t: seen.append((d, t)), workers=2
    )
    assert (run_.created, run_.updated, run_.unchanged, run_.lines, run_.failed) == (40, 0, 0, 80, 1)
    orders = Order.objects.filter(shop=shop, platform_order_no__startswith="77")
    assert orders.count() == 40 and OrderLine.objects.filter(order__in=orders).count() == 80
    assert set(orders.values_list("import_run", flat=True)) == {run_.pk}
    assert seen[-1] == (40, 40) and [d for d, _t in seen] == sorted(d for d, _t in seen)
    rows = list(load_workbook(run_.report.path).active.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[4]) for r in rows] == [("d.csv", "779999")]  # the orphan line, reported once
    again = imports.import_files(world.people["cs"], shop, files, batch=4, workers=2)
    assert (again.created, again.updated, again.unchanged, again.failed) == (0, 0, 40, 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the second process writes on PostgreSQL only")
def test_ord1_big_xlsx_import_in_two_processes_parses_the_sheet_once(transactional_db, world, tmp_path, monkeypatch):
    """ORD-1: an XLSX imported in two processes — the sheet is parsed once, before the fork, and each
    process takes its share of the rows from that parsed sheet: every order exactly once, and a duplicated order
    number reported exactly once (both its rows hash to the same share)."""
    import os

    from zhanggui.channels import samples as F
    from zhanggui.channels.formats import reader
    from zhanggui.shops.services import create_shop

    pdd = create_shop(None, code="pdd-c", platform="pdd", name="丙店")
    orders = [{"no": f"260517-{n:06d}", "pdd_status": "已签收"} for n in range(30)]
    path = tmp_path / "pdd.xlsx"
    path.write_bytes(F.pdd_csv([*orders, orders[7]], version="2020", as_xlsx=True))
    opened = tmp_path / "opened.log"  # every opening of the workbook, by process id (the child's too)
    iter_rows = reader.iter_rows

    def logged(name, data, *encoding):
        with opened.open("a") as log:
            log.write(f"{os.getpid()}\n")
        return iter_rows(name, data, *encoding)

    monkeypatch.setattr(reader, "iter_rows", logged)
    run_ = imports.import_files(world.people["cs"], pdd, [("pdd.xlsx", path)], batch=4, workers=2)
    assert opened.read_text().split() == [str(os.getpid())]  # here, before the fork; never in the second process
    assert (run_.created, run_.failed) == (30, 1)
    assert Order.objects.filter(shop=pdd).count() == 30 and OrderLine.objects.filter(order__shop=pdd).count() == 30
    rows = list(load_workbook(run_.report.path).active.iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[3], r[4]) for r in rows] == [(32, "订单号重复，已保留第一行", "260517-000007")]


def test_ord6_detail_page_and_api_show_the_import_as_the_first_timeline_entry(world, shop, client_for):
    """ORD-6: an imported order's timeline ends with its import (工号, file) on the page and in the API, read from
    the import run; a later re-import that changes it adds its own entry above."""
    run(world, [po("300001")])
    changed = po("300001", seller_remark="T002 顺丰 加急")
    changed.source_file = "again.csv"
    assert run(world, [changed], files=("again.csv",)).updated == 1
    order = Order.objects.get(platform_order_no="300001")
    page = client_for(world.people["cs"]).get(f"/orders/{order.pk}/").content.decode()
    assert f"导入 {FILE}" in page and "导入 again.csv" in page
    assert page.index("导入 again.csv") < page.index(f"导入 {FILE}")  # newest first, the import last
    body = client_for(world.people["cs"]).get(f"/api/v1/orders/{order.pk}").json()
    assert [(e["kind"], e["note"]) for e in body["timeline"]][-2:] == [
        ("order_import_updated", "导入 again.csv"),
        ("order_imported", f"导入 {FILE}"),
    ]
