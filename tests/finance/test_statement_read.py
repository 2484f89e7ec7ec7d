"""FIN-3: reading the platforms' money statements as downloaded (no database): the Alipay 账务明细 CSV (GBK, `#`
preamble and summary, tab-padded cells, yuan with signs), the JD settlement and the PDD 货款明细 exports."""

import datetime as dt

from zhanggui.channels.formats.statements import order_no_of, read_file
from zhanggui.finance.statement_sample import Line, alipay_csv

T = dt.datetime(2026, 11, 3, 10, 0, 0)


def sample() -> bytes:
    return alipay_csv(
        [
            Line("2026110310001", T, 12900, "在线支付", "T200P4012345678901234567", "连衣裙"),
            Line("2026110310002", T, -387, "服务费", "", "", remark="技术服务费 4012345678901234567"),
            Line("2026110310003", T, -5000, "交易退款", "T200P4012345678901234567"),
            Line("2026110310004", T, -100000, "提现", remark="提现到银行卡"),
        ]
    )


def test_alipay_statement_as_downloaded_gives_signed_fen_kinds_and_order_numbers_FIN_3():
    f = read_file("账务明细.csv", sample(), "taobao")
    assert f.layout == "alipay" and not f.errors
    kinds = [(e.kind, e.amount_fen, e.order_no) for e in f.entries]
    assert kinds == [
        ("income", 12900, "4012345678901234567"),
        ("fee", -387, "4012345678901234567"),
        ("refund", -5000, "4012345678901234567"),
        ("withdrawal", -100000, ""),
    ]
    assert f.entries[0].entry_id == "2026110310001"  # tab padding gone
    assert f.entries[0].line == 6  # after four `#` lines and the header
    assert f.entries[0].occurred_at == dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC)


def test_taobao_prefixes_in_the_merchant_order_number_FIN_3():
    assert order_no_of("T200P4012345678901234567") == "4012345678901234567"
    assert order_no_of("T3300P4012345678901234567") == "4012345678901234567"
    assert order_no_of("", "淘宝客佣金代扣款{4012345678901234567}") == "4012345678901234567"
    assert order_no_of("XYZ") == ""


def test_bad_rows_are_reported_in_chinese_by_line_and_good_rows_kept_FIN_3():
    data = sample().decode("gbk").replace("2026-11-03 10:00:00", "昨天", 1).replace("+129.00", "+1x9.00")
    f = read_file("a.csv", data.encode("gbk"), "taobao")
    assert [e.line for e in f.errors] == [6]
    assert "时间" in f.errors[0].reason
    assert len(f.entries) == 3


def test_a_statement_of_another_platform_is_refused_whole_FIN_3():
    f = read_file("a.csv", sample(), "jd")
    assert not f.entries and len(f.errors) == 1
    assert "不是京东店铺的账单" in f.errors[0].reason


def test_a_statement_in_the_wrong_encoding_gets_a_clear_message_FIN_3():
    text = sample().decode("gbk")
    f = read_file("a.csv", text.encode("utf-16-le"), "taobao")
    assert not f.entries and f.errors and "编码" in f.errors[0].reason
    f = read_file("a.csv", text.encode("big5", errors="replace"), "taobao")
    assert not f.entries and f.errors
    assert "编码" in f.errors[0].reason or "不是支付宝账务明细" in f.errors[0].reason


def test_jd_settlement_with_header_variants_FIN_3():
    text = "订单编号,单据编号,费用项,金额(元),收支方向,费用结算时间,备注\r\n"
    text += "\t31234567890\t,\tD1\t,货款,199.00,收入,2026-11-03 10:00:00,\r\n"
    text += "31234567890,D2,佣金,9.95,支出,2026-11-03 10:00:00,\r\n"
    f = read_file("jd.csv", text.encode("gbk"), "jd")
    assert f.layout == "jd-settlement" and not f.errors
    assert [(e.kind, e.amount_fen, e.order_no) for e in f.entries] == [
        ("income", 19900, "31234567890"),
        ("fee", -995, "31234567890"),
    ]


def test_pdd_funds_lines_without_a_number_get_a_stable_id_FIN_3():
    text = "商户订单号,发生时间,收入金额(+元),支出金额(-元),账务类型,备注,业务描述\r\n"
    text += "241103-123456789012345,2026-11-03 10:00:00,39.90,,交易收入,,订单收入\r\n"
    text += "241103-123456789012345,2026-11-03 11:00:00,,-2.00,技术服务费,,\r\n"
    f = read_file("pdd.csv", text.encode("utf-8-sig"), "pdd")
    g = read_file("pdd.csv", text.encode("utf-8-sig"), "pdd")
    assert f.layout == "pdd-funds" and not f.errors
    assert [(e.kind, e.amount_fen) for e in f.entries] == [("income", 3990), ("fee", -200)]
    assert [e.entry_id for e in f.entries] == [e.entry_id for e in g.entries]
    assert f.entries[0].order_no == "241103-123456789012345"


def test_a_large_account_balance_is_no_bad_row_but_a_large_amount_is_FIN_3():
    lines = [Line("B1", T, 12900, "在线支付", "T200P4012345678901234567"), Line("B2", T, 10**11, "转账")]
    f = read_file("a.csv", alipay_csv(lines, opening_fen=2 * 10**10), "taobao")
    assert [e.line for e in f.errors] == [7] and "金额" in f.errors[0].reason
    assert f.entries[0].balance_fen == 2 * 10**10 + 12900
