"""ORD-1: the export-file readers — every platform format, its quirks, detection, row errors, states, addresses."""

import datetime as dt

import pytest

from zhanggui.channels import samples as F
from zhanggui.channels.formats import read_files
from zhanggui.channels.formats.values import BadValue, parse_fen, parse_time

UTC = dt.UTC


def _taobao(orders=None, **kw):
    report, detail = F.taobao_pair(orders, **kw)
    name = "ExportOrderList201707080100.xlsx" if kw.get("xlsx") else "ExportOrderList201707080100.csv"
    return read_files("taobao", [(name, report), ("ExportOrderDetailList201707080100.csv", detail)])


@pytest.mark.parametrize("version", ["2017", "2020"])
def test_ord1_taobao_pair_joins_lines_and_strips_quirks(version):
    """ORD-1: GBK, ="…" order ids, ' phones, trailing-space headers, trailing comma detail rows, join on 订单编号."""
    result = _taobao(
        [{"no": "3515313147329357912"}, {"no": "351531314732935", "lines": [{}, {"code": "D-白-M", "qty": 2}]}],
        version=version,
    )
    assert result.errors == []
    assert result.format == f"taobao-{version}+taobao-detail"
    first, second = result.orders
    assert first.platform_order_no == "3515313147329357912"  # 19 digits, a string, no float mangling
    assert first.receiver_phone == "13912345678"
    assert first.paid_fen == 9900 and first.state == "to_review"
    assert first.ordered_at == dt.datetime(2017, 7, 7, 16, 42, 32, tzinfo=UTC)  # Beijing → UTC
    assert [ln.outer_code for ln in second.lines] == ["D-黑-S", "D-白-M"]
    assert second.lines[1].quantity == 2 and second.lines[1].unit_price_fen == 9900
    assert (first.province, first.city, first.district, first.postcode) == ("广东省", "广州市", "越秀区", "510180")
    assert first.address_detail == "中山五路 1号" and first.address_ok


def test_ord1_taobao_utf8_bom_and_order_report_alone():
    """ORD-1: UTF-8 with BOM decodes; an order report alone gives orders without lines."""
    report, _ = F.taobao_pair(encoding="utf-8-sig")
    result = read_files("taobao", [("ExportOrderList.csv", report)])
    assert result.errors == [] and len(result.orders) == 1 and result.orders[0].lines == []


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_ord1_jd_other_encodings(encoding):
    """ORD-1: UTF-8 with or without BOM and GB18030 decode the same."""
    result = read_files("jd", [("1.csv", F.jd_csv([{"name": "薛小姐"}], encoding=encoding))])
    assert result.errors == [] and result.orders[0].receiver_name == "薛小姐"


def test_ord1_detail_row_without_order_is_row_error():
    report, _ = F.taobao_pair([{"no": "111111111111111"}])
    _, detail = F.taobao_pair([{"no": "222222222222222"}])
    result = read_files("taobao", [("a.csv", report), ("b.csv", detail)])
    assert len(result.orders) == 1 and result.orders[0].lines == []
    [err] = result.errors
    assert (err.file, err.line, err.column, err.order_no) == ("b.csv", 2, "订单编号", "222222222222222")


def test_ord1_taobao_xlsx_variant():
    result = _taobao([{"no": "3515313147329357912"}], xlsx=True)
    assert result.errors == [] and result.orders[0].platform_order_no == "3515313147329357912"
    assert len(result.orders[0].lines) == 1 and result.orders[0].receiver_phone == "13912345678"


def test_ord1_cut_down_report_derives_state_from_paid_time_and_refund():
    report, _ = F.taobao_pair(
        [{"no": "1"}, {"no": "2", "paid_at": ""}, {"no": "3", "refund": "99.00"}, {"no": "4", "refund": "10"}],
        version="lite",
    )
    result = read_files("taobao", [("ExportOrderList.csv", report)])
    assert result.format == "taobao-lite" and result.errors == []
    assert [o.state for o in result.orders] == ["to_review", "pending_payment", "closed", "to_review"]
    assert result.orders[3].refund_fen == 1000


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("等待买家付款", "pending_payment"),
        ("买家已付款，等待卖家发货", "to_review"),
        ("卖家已发货，等待买家确认", "shipped"),
        ("买家已签收", "signed"),
        ("交易成功", "completed"),
        ("交易关闭", "closed"),
        ("交易被淘宝关闭", "closed"),
        ("没见过的状态", None),
    ],
)
def test_ord1_taobao_status_mapping(status, state):
    assert _taobao([{"status": status}]).orders[0].state == state


def test_ord1_missing_required_column_is_named_and_file_skipped():
    report, _ = F.taobao_pair([{}, {"no": "2"}], version="2017")
    text = report.decode("gbk").replace('"买家实际支付金额"', '"实付"')
    result = read_files("taobao", [("x.csv", text.encode("gbk"))])
    assert result.orders == []
    [err] = result.errors
    assert (err.line, err.column) == (1, "买家实际支付金额") and "买家实际支付金额" in err.reason


def test_ord1_bad_money_and_time_name_their_column_and_keep_good_rows():
    result = _taobao([{"no": "1"}, {"no": "2", "paid": "abc"}, {"no": "3", "created": "昨天"}, {"no": "4"}])
    assert [o.platform_order_no for o in result.orders] == ["1", "4"]
    report_errors = [e for e in result.errors if e.file.startswith("ExportOrderList")]
    assert ("2", 3, "买家实际支付金额") in {(e.order_no, e.line, e.column) for e in report_errors}
    assert all("金额" in e.reason for e in report_errors if e.order_no == "2")
    [bad_time] = [e for e in report_errors if e.order_no == "3"]
    assert (bad_time.line, bad_time.column) == (4, "订单创建时间") and "时间" in bad_time.reason
    # their detail rows cannot be joined either: accounted for as row errors, not dropped silently
    assert {e.order_no for e in result.errors if e.file.startswith("ExportOrderDetail")} == {"2", "3"}


def test_ord1_excel_mangled_dates_and_money_units():
    assert parse_time("2016/5/23 22:02") == dt.datetime(2016, 5, 23, 14, 2, tzinfo=UTC)
    result = _taobao([{"created": "2016/5/23 22:02", "paid": "0元"}])
    assert result.errors == [] and result.orders[0].paid_fen == 0
    assert result.orders[0].ordered_at == dt.datetime(2016, 5, 23, 14, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "fen"), [("201.12", 20112), ("1.5", 150), ("0.05", 5), ("12", 1200), ("3元", 300), ("1,299.00", 129900)]
)
def test_ord1_amounts_in_yuan_become_fen(text, fen):
    assert parse_fen(text) == fen


@pytest.mark.parametrize("text", ["²", "1.²", "1.234", "-", "12.5.1"])
def test_ord1_an_amount_that_is_not_one_is_a_row_error_not_a_crash(text):
    with pytest.raises(BadValue, match="金额格式不正确"):
        parse_fen(text)


def test_ord1_beijing_time_becomes_utc():
    assert parse_time("2026-01-01 07:30:05") == dt.datetime(2025, 12, 31, 23, 30, 5, tzinfo=UTC)
    assert parse_time("2026-01-01 07:30:05").tzinfo is UTC


def test_ord1_masked_phone_kept():
    assert _taobao([{"phone": "138****1234"}]).orders[0].receiver_phone == "138****1234"


@pytest.mark.parametrize("version", ["2016", "2019"])
def test_ord1_jd_groups_sku_rows_strips_tabs_splits_address(version):
    orders = [
        {"no": "91234567890", "address": "江西南昌市青山湖区北京东路1号", "lines": [{}, {"code": "D-白-M", "qty": 3}]},
        {"no": "91234567891", "address": "北京朝阳区建国路88号", "jd_status": "(锁定)等待出库"},
        {"no": "91234567892", "jd_status": "(删除)等待出库"},
        {"no": "91234567893", "jd_status": "完成", "address": "看不懂的地址"},
    ]
    result = read_files("jd", [("19453840.csv", F.jd_csv(orders, version=version))])
    assert result.format == f"jd-{version}" and result.errors == [] and result.rows == 5
    a, b, c, d = result.orders
    assert a.platform_order_no == "91234567890" and [ln.quantity for ln in a.lines] == [1, 3]
    assert (a.province, a.city, a.district, a.address_detail) == ("江西省", "南昌市", "青山湖区", "北京东路1号")
    assert a.adcode == "360111" and a.state == "to_review"
    assert (b.province, b.city, b.district) == ("北京市", "北京市", "朝阳区")
    assert b.state == "on_hold" and b.risk_hold
    assert c.state == "closed" and d.state == "completed"
    assert not d.address_ok and d.address_raw == "看不懂的地址"  # address queue, not a row error


@pytest.mark.parametrize("version", ["2020", "2023"])
def test_ord1_pdd_versions(version):
    orders = [
        {"no": "260517-607198974342268", "platform_discount": "2.00", "shop_discount": "1.00"},
        {"no": "260517-607198974342269", "pdd_status": "已签收", "done_at": "2026-05-20 10:00:00"},
        {"no": "260517-607198974342270", "risk": "是"},
        {"no": "260517-607198974342271", "pdd_status": "未发货，退款成功"},
    ]
    result = read_files("pdd", [("pdd.csv", F.pdd_csv(orders, version=version))])
    assert result.format == f"pdd-{version}" and result.errors == []
    a, b, c, d = result.orders
    assert a.discount_fen == 300 and a.state == "to_review"
    assert a.ordered_at == dt.datetime(2026, 5, 16, 16, 0, tzinfo=UTC)  # date prefix as fallback order date
    assert (a.province, a.city, a.district) == ("广东省", "广州市", "越秀区")
    assert b.state == "completed" and c.state == "on_hold" and c.risk_hold and d.state == "closed"
    assert a.lines[0].outer_code == "D-黑-S" and a.lines[0].paid_fen == 9900
    if version == "2020":
        assert a.receiver_name == "薛小姐" and a.address_detail == "中山五路 1号"
    else:
        assert a.receiver_name == "" and a.street == "北京街道" and a.address_detail == ""


def test_ord1_pdd_xlsx_and_masked_province():
    data = F.pdd_csv([{"no": "260517-1", "province": "****"}], version="2023", as_xlsx=True)
    result = read_files("pdd", [("pdd.xlsx", data)])
    assert result.errors == [] and result.orders[0].address_ok is False


def test_ord1_generic_xlsx_template():
    orders = [
        {"no": "OWN-1", "own_status": "已付款", "lines": [{}, {"code": "D-白-M", "qty": 2}]},
        {"no": "OWN-2", "paid_at": ""},
    ]
    result = read_files("own", [("线下订单.xlsx", F.generic_xlsx(orders))])
    assert result.format == "generic" and result.errors == []
    a, b = result.orders
    assert len(a.lines) == 2 and a.state == "to_review" and b.state == "pending_payment"
    assert a.adcode == "440104" and a.postcode == "510180"


def test_ord1_detection_prefers_most_matched_and_rejects_other_platform():
    report, _ = F.taobao_pair(version="2020")
    assert read_files("taobao", [("a.csv", report)]).format == "taobao-2020"
    result = read_files("jd", [("a.csv", report)])
    assert result.orders == [] and result.errors and all(e.line == 1 for e in result.errors)


def test_ord1_stream_files_batches_equal_read_files_and_read_paths(tmp_path):
    """ORD-1: the streamed reader (bytes or paths, batches) yields exactly the orders read_files returns, with the
    宝贝报表 lines joined, the orphan detail row reported once the stream is consumed, and an estimate of the orders."""
    from zhanggui.channels.formats.reader import stream_files

    orders = [{"no": f"35153131473293{n:03d}", "lines": [{}, {"code": "D-白-M"}] if n % 2 else [{}]} for n in range(7)]
    report, detail = F.taobao_pair(orders)
    detail += F.taobao_pair([{"no": "999"}])[1].split(b"\n", 1)[1]  # a detail row without its order
    files = [("ExportOrderList.csv", report), ("ExportOrderDetailList.csv", detail)]
    whole = read_files("taobao", files)
    for name, data in files:
        (tmp_path / name).write_bytes(data)
    stream = stream_files("taobao", [(name, tmp_path / name) for name, _data in files], batch=3)
    assert stream.orders == [] and stream.estimate == 7 and stream.format == whole.format
    batches = list(stream.batches)
    assert [len(b) for b in batches] == [3, 3, 1]
    assert [o for b in batches for o in b] == whole.orders
    assert [len(o.lines) for o in whole.orders] == [1, 2, 1, 2, 1, 2, 1]
    assert (
        [(e.order_no, e.reason[:6]) for e in stream.errors]
        == [("999", "订单报表中没")]
        == [(e.order_no, e.reason[:6]) for e in whole.errors]
    )
    assert stream.rows == whole.rows == 7 + 10 + 1


def test_ord1_detail_lines_wait_in_a_temporary_file_removed_after_the_stream(tmp_path, monkeypatch):
    """ORD-1 (memory flat in the file size): the 宝贝报表 lines wait for their orders in a temporary file,
    not in memory — joined in the detail file's order even when an order's rows are scattered, and the file is
    gone once the stream is read to the end, or abandoned halfway."""
    import tempfile

    from zhanggui.channels.formats.reader import stream_files

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    orders = [{"no": no, "lines": [{"code": f"{no}-1"}, {"code": f"{no}-2"}]} for no in ("1001", "1002", "1003")]
    report, detail = F.taobao_pair(orders)
    header, *rows = detail.split(b"\n")
    rows = [r for r in rows if r.strip()]
    scattered = [rows[i] for i in (4, 0, 2, 5, 1, 3)]  # 1003-1, 1001-1, 1002-1, 1003-2, 1001-2, 1002-2
    files = [("r.csv", report), ("d.csv", b"\n".join([header, *scattered]) + b"\n")]
    stream = stream_files("taobao", files, batch=2)
    batches = iter(stream.batches)
    first = next(batches)
    assert [p.name for p in tmp_path.glob("zhanggui-import-*")] != []  # waiting on disk while the stream runs
    rest = [o for b in batches for o in b]
    got = {o.platform_order_no: [line.outer_code for line in o.lines] for o in first + rest}
    assert got == {no: [f"{no}-1", f"{no}-2"] for no in ("1001", "1002", "1003")}
    assert [line.line_no for line in rest[0].lines] == [1, 2] and stream.errors == []
    assert list(tmp_path.glob("zhanggui-import-*")) == []
    abandoned = stream_files("taobao", files, batch=2)
    next(iter(abandoned.batches))
    abandoned.batches.close()  # what happens to a stream the import stops reading (an error, the job killed)
    assert list(tmp_path.glob("zhanggui-import-*")) == []


@pytest.mark.parametrize("spill", [1, 2, 20_000])
def test_ord1_jd_rows_of_one_order_scattered_are_grouped_in_order_of_first_row(tmp_path, monkeypatch, spill):
    """ORD-1 (memory flat in the file size): a file with one row per order line (JD, our template) is
    grouped in memory up to SPILL orders, beyond that in a temporary file. Either way an order's rows need not be
    adjacent: its lines come in file order, its order fields from its first row, orders in the order of their
    first rows; the file is gone after the stream is read to the end or abandoned; a number another file already
    gave is refused."""
    import tempfile

    from zhanggui.channels.formats.reader import stream_files
    from zhanggui.channels.formats.scratch import OrderRows

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    orders = [
        {"no": no, "remark": f"备注{no}", "lines": [{"code": f"{no}-{n}", "qty": n} for n in (1, 2)]}
        for no in ("5001", "5002", "5003")
    ]
    header, *rows = [r for r in F.jd_csv(orders).split(b"\n") if r.strip()]
    scattered = [rows[i] for i in (2, 0, 4, 3, 1, 5)]  # 5002-1, 5001-1, 5003-1, 5002-2, 5001-2, 5003-2
    files = [("jd.csv", b"\n".join([header, *scattered]) + b"\n")]
    in_memory = read_files("jd", files).orders
    monkeypatch.setattr(OrderRows, "SPILL", spill)
    stream = stream_files("jd", files, batch=2)
    batches = iter(stream.batches)
    first = next(batches)
    on_disk = [p.name for p in tmp_path.glob("zhanggui-import-*")]  # while the stream runs
    assert bool(on_disk) == (spill < 3)  # 3 orders: on disk only when they are more than SPILL
    got = first + [o for b in batches for o in b]
    assert [o.platform_order_no for o in got] == ["5002", "5001", "5003"]
    assert [[(ln.line_no, ln.outer_code, ln.quantity) for ln in o.lines] for o in got] == [
        [(1, f"{no}-1", 1), (2, f"{no}-2", 2)] for no in ("5002", "5001", "5003")
    ]
    assert [(o.seller_remark, o.source_line) for o in got] == [("备注5002", 2), ("备注5001", 3), ("备注5003", 4)]
    assert got == in_memory and got[0].paid_at is not None  # every field, times included, as read
    assert stream.errors == [] and stream.rows == 6
    assert list(tmp_path.glob("zhanggui-import-*")) == []
    abandoned = stream_files("jd", files, batch=2)
    next(iter(abandoned.batches))
    abandoned.batches.close()
    assert list(tmp_path.glob("zhanggui-import-*")) == []
    again = read_files("jd", [*files, ("jd2.csv", F.jd_csv([{"no": "5003"}, {"no": "5004"}]))])
    assert [o.platform_order_no for o in again.orders] == ["5002", "5001", "5003", "5004"]
    assert [(e.file, e.order_no, e.reason) for e in again.errors] == [("jd2.csv", "5003", "订单号在另一个文件中重复")]


def test_ord1_duplicate_order_numbers_within_and_across_streamed_files():
    """ORD-1: a repeated 订单编号 in one report keeps the first row; the same number in a second report is refused."""
    first, _detail = F.taobao_pair([{"no": "1001"}, {"no": "1002"}, {"no": "1001"}])
    second, _detail = F.taobao_pair([{"no": "1002"}, {"no": "1003"}])
    result = read_files("taobao", [("a.csv", first), ("b.csv", second)])
    assert [o.platform_order_no for o in result.orders] == ["1001", "1002", "1003"]
    assert sorted((e.file, e.order_no, e.reason) for e in result.errors) == [
        ("a.csv", "1001", "订单号重复，已保留第一行"),
        ("b.csv", "1002", "订单号在另一个文件中重复"),
    ]
