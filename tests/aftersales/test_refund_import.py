"""Refunds from the platforms (AS-2, AS-5, ORD-9): the refund-list import of the Taobao 退款管理, JD 售后 and PDD 售后
exports and our template creates or updates cases, idempotently, with bad rows by line and reason; the ORD-9
退款申请 queue follows the refunds."""

import pytest

from zhanggui.aftersales.models import Case
from zhanggui.aftersales.services import refund_import
from zhanggui.channels import refund_samples as samples
from zhanggui.channels.formats import refunds as formats
from zhanggui.orders.models import Order

from .setup import make_order

pytestmark = pytest.mark.django_db
S = Order.State


def _run(asw, files, shop=None):
    return refund_import.import_files(asw.cs, shop or asw.world.shop_a, files)


def test_taobao_gbk_export_creates_cases_and_reimport_creates_nothing(asw):
    """AS-2 idempotent re-import: the same file twice = nothing new."""
    data = samples.taobao([
        {"id": "TK1", "order": asw.unshipped.platform_order_no, "amount": "30.00",
         "status": "买家已经申请退款，等待卖家同意"},
        {"id": "TK2", "order": asw.shipped.platform_order_no, "amount": "50.00", "status": "退款成功",
         "service": "仅退款"},
    ])  # fmt: skip
    first = _run(asw, [("退款管理.csv", data)])
    assert (first.created, first.updated, first.failed) == (2, 0, 0), first.errors
    again = _run(asw, [("退款管理.csv", data)])
    assert (again.created, again.updated, again.unchanged, again.failed) == (0, 0, 2, 0)
    assert Case.objects.filter(platform_refund_id__in=["TK1", "TK2"]).count() == 2
    open_case = Case.objects.get(platform_refund_id="TK1")
    assert (open_case.kind, open_case.state, open_case.requested_refund_fen) == ("refund_unshipped", "new", 3000)
    done = Case.objects.get(platform_refund_id="TK2")
    assert (done.kind, done.state, done.agreed_refund_fen) == ("refund_shipped", "done", 5000)


def test_ord9_refund_requested_flag_set_while_open_and_cleared_when_closed(asw):
    """ORD-9: the 退款申请 queue is fed by the refunds — set while open, cleared when the buyer withdraws."""
    order = asw.unshipped
    row = {"id": "TK9", "order": order.platform_order_no, "amount": "30.00", "status": "买家已经申请退款，等待卖家同意"}
    _run(asw, [("a.csv", samples.taobao([row]))])
    order.refresh_from_db()
    assert order.exc_refund is True
    row["status"] = "退款关闭"
    result = _run(asw, [("a.csv", samples.taobao([row]))])
    assert result.updated == 1
    order.refresh_from_db()
    assert order.exc_refund is False
    assert Case.objects.get(platform_refund_id="TK9").state == "cancelled"


def test_as5_refund_larger_than_paid_is_a_bad_row_and_good_rows_are_kept(asw):
    """AS-5: a refund never exceeds what was paid; the bad row is named by line, the good one kept."""
    data = samples.pdd([
        {"id": "P1", "order": asw.shipped.platform_order_no, "amount": "999.00", "status": "待商家处理"},
        {"id": "P2", "order": asw.shipped.platform_order_no, "amount": "10.00", "status": "待商家处理",
         "service": "退货退款"},
    ])  # fmt: skip
    pdd_shop = _shop(asw, "pdd")
    order = make_order(pdd_shop, S.SHIPPED, shipped_days=3)
    data = data.replace(asw.shipped.platform_order_no.encode(), order.platform_order_no.encode())
    result = _run(asw, [("售后.csv", data)], shop=pdd_shop)
    assert result.created == 1 and result.failed == 1
    error = result.errors[0]
    assert error.line == 2 and "超过了实付金额" in error.reason and "¥999.00" in error.reason
    assert Case.objects.get(platform_refund_id="P2").kind == "return_refund"


def _shop(asw, platform):
    from zhanggui.shops.services import create_shop

    return create_shop(None, code=f"{platform}-x", platform=platform, name=f"{platform}店")


def test_bad_rows_unknown_order_other_shop_half_empty_in_chinese_by_line(asw):
    data = samples.taobao([
        {"id": "B1", "order": "999999999", "amount": "1.00", "status": "退款成功"},
        {"id": "B2", "order": asw.other_shop.platform_order_no, "amount": "1.00", "status": "退款成功"},
        {"id": "", "order": asw.shipped.platform_order_no, "amount": "", "status": "退款成功"},
        {"id": "B4", "order": asw.unpaid.platform_order_no, "amount": "1.00", "status": "退款成功"},
        {"id": "B5", "order": asw.shipped.platform_order_no, "amount": "abc", "status": "退款成功"},
    ])  # fmt: skip
    result = _run(asw, [("t.csv", data)])
    reasons = {e.line: e.reason for e in result.errors}
    assert "找不到订单 999999999" in reasons[2]
    assert "属于店铺“乙店”" in reasons[3]
    assert "缺少退款编号、退款金额" in reasons[4] and "半空行" in reasons[4]
    assert "还未付款" in reasons[5]
    assert "金额格式不正确" in reasons[6]
    assert result.created == 0


def test_a_file_of_another_platform_is_refused_whole(asw):
    data = samples.jd([{"id": "J1", "order": asw.shipped.platform_order_no, "amount": "10.00", "status": "已完成"}])
    result = _run(asw, [("jd.xlsx", data)])
    assert result.created == 0 and len(result.errors) == 1
    assert "京东 售后服务单导出" in result.errors[0].reason and "淘宝店铺" in result.errors[0].reason


def test_jd_xlsx_and_csv_and_template_are_read(asw):
    order = asw.other_shop  # shop_b is a JD shop
    rows = [{"id": "J1", "order": order.platform_order_no, "amount": "20.00", "status": "待审核", "service": "退货"}]
    result = _run(asw, [("jd.xlsx", samples.jd(rows))], shop=asw.world.shop_b)
    assert result.created == 1, result.errors
    rows[0]["status"] = "审核通过"
    result = _run(asw, [("jd.csv", samples.jd(rows, xlsx=False))], shop=asw.world.shop_b)
    assert result.updated == 1, result.errors
    assert Case.objects.get(platform_refund_id="J1").state == "waiting_return"
    tpl = samples.template([{"id": "T1", "order": asw.shipped.platform_order_no, "amount": "10.00",
                             "status": "退款成功", "code": "T-灰-M", "qty": 1}])  # fmt: skip
    result = _run(asw, [("模板.xlsx", tpl)])
    assert result.created == 1, result.errors
    case = Case.objects.get(platform_refund_id="T1")
    assert [ln.order_line.outer_code for ln in case.lines.all()] == ["T-灰-M"] and case.refundable_fen == 5000


def test_return_refunded_by_the_platform_still_waits_for_the_return(asw):
    """After shipping, a 退货退款 waits for the return before money goes back: a 退款成功 is recorded, not done."""
    row = {"id": "R1", "order": asw.shipped.platform_order_no, "amount": "50.00", "status": "等待买家退货",
           "service": "退货退款"}  # fmt: skip
    _run(asw, [("r.csv", samples.taobao([row]))])
    assert Case.objects.get(platform_refund_id="R1").state == "waiting_return"
    row["status"] = "退款成功"
    result = _run(asw, [("r.csv", samples.taobao([row]))])
    case = Case.objects.get(platform_refund_id="R1")
    assert result.updated == 1
    assert (case.state, case.platform_refunded_fen, case.platform_status) == ("waiting_return", 5000, "退款成功")
    assert _run(asw, [("r.csv", samples.taobao([row]))]).unchanged == 1


def test_header_variants_and_bom_are_tolerated():
    header = ["\ufeff退款单号 ", "订单号", "退款金额", "退款状态", "是否退货"]
    layout, columns, missing = formats.detect(header)
    assert layout == "taobao-refunds" and not missing and columns["refund_id"] == 0
    assert formats.detect(["订单号", "随便"])[0] is None
    assert formats.outcome_of("卖家已经同意退款，等待买家退货") == "waiting_return"
    assert formats.outcome_of("退款关闭") == "closed" and formats.outcome_of("退款成功") == "success"


def test_order_export_refund_columns_create_a_case_through_the_event(asw, django_capture_on_commit_callbacks):
    """AS-2 / ORD-9: the order import publishes RefundsReported; after-sales makes the case (idempotent)."""
    from zhanggui.channels.formats.types import ParsedOrder, ReadResult
    from zhanggui.orders.services import imports

    order = asw.shipped

    def parsed(refund, status):
        return ParsedOrder(platform_order_no=order.platform_order_no, platform_status=status, state=S.SHIPPED,
                           paid_fen=16000, goods_fen=15000, postage_fen=1000, refund_fen=refund,
                           refund_open=refund == 0)  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        imports.import_parsed(
            None, asw.world.shop_a, ReadResult(format="generic", orders=[parsed(0, "退款中")], errors=[]), ["o.csv"]
        )
    case = Case.objects.get(platform_refund_id=f"order:{order.platform_order_no}")
    assert case.state == "new"
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_parsed(
            None,
            asw.world.shop_a,
            ReadResult(format="generic", orders=[parsed(5000, "卖家已发货")], errors=[]),
            ["o.csv"],
        )
    case.refresh_from_db()
    assert (case.state, case.agreed_refund_fen) == ("done", 5000)
    # the refund list's own id adopts the export's case
    row = {"id": "TK77", "order": order.platform_order_no, "amount": "50.00", "status": "退款成功"}
    result = _run(asw, [("t.csv", samples.taobao([row]))])
    case.refresh_from_db()
    assert result.created == 0 and case.platform_refund_id == "TK77"
