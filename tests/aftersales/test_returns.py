"""Returns received (INV-5, AS-2): the scan finds the waiting case by return waybill, order number or phone last 4;
the inspection posts intact pieces to sellable stock and damaged ones to the damaged account in one transaction
with the ledger (stock-verify stays clean), records 错发/少件 without posting; only this service makes a case
退货已收到; a double submit posts once; a return of an order that never shipped is refused; an exchange becomes a
new ¥0 order that goes through the normal review."""

import io

import pytest
from django.core.management import call_command

from zhanggui.aftersales.models import Case, ReturnLine
from zhanggui.aftersales.services import cases, receiving
from zhanggui.aftersales.services.errors import CaseInputError
from zhanggui.core.errors import DomainError
from zhanggui.core.events import timeline_for
from zhanggui.inventory.models import LedgerEntry, StockLevel
from zhanggui.inventory.services.verify import verify_stock
from zhanggui.orders.models import Order

from .returns_setup import inspect, shipped_order, waiting_case

State = Case.State


def level(sku):
    return StockLevel.objects.get(sku=sku)


def verify_clean() -> None:
    assert verify_stock().ok
    out = io.StringIO()
    call_command("stock-verify", stdout=out)  # exits 1 on any difference
    assert "库存与流水一致" in out.getvalue()


def test_scan_finds_the_waiting_case_by_waybill_order_number_or_phone_inv_5(world, stock):
    cs = world.people["cs"]
    order = shipped_order(world, stock, phone="13900001234")
    case = waiting_case(cs, order, waybill="zt 7788 0011")
    assert case.return_tracking_no == "ZT77880011"
    keeper = world.people["warehouse"]
    for code, by in (("ZT77880011", "tracking"), (" zt77880011\n", "tracking"), (order.platform_order_no, "order"),
                     ("1234", "phone")):  # fmt: skip
        found = receiving.find_waiting(keeper, code)
        assert (found.by, [c.pk for c in found.cases]) == (by, [case.pk]), code
    assert receiving.find_waiting(world.outsider, "ZT77880011").cases == []  # another shop's staff: nothing


def test_a_wrong_scan_says_so_clearly_inv_5(world, stock):
    keeper = world.people["warehouse"]
    unknown = receiving.find_waiting(keeper, "YT0000000001")
    assert unknown.unknown and "没有找到退货单号或订单号为 YT0000000001" in unknown.message
    assert "没有收货人手机后 4 位为 9999" in receiving.find_waiting(keeper, "9999").message
    assert "请扫描" in receiving.find_waiting(keeper, "  ").message
    assert "太长" in receiving.find_waiting(keeper, "X" * 60).message


def test_a_return_for_an_order_that_never_shipped_is_refused_in_chinese_inv_5(world, stock):
    keeper, cs = world.people["warehouse"], world.people["cs"]
    unshipped = shipped_order(world, stock, state=Order.State.TO_REVIEW)
    found = receiving.find_waiting(keeper, unshipped.platform_order_no)
    assert not found.cases and "还未发货，不能登记退货" in found.message
    # a case whose order was sent back to review (the package intercepted) cannot be received either
    order = shipped_order(world, stock)
    case = waiting_case(cs, order)
    Order.objects.filter(pk=order.pk).update(state=Order.State.TO_REVIEW)
    order.lines.update(shipped_qty=0)
    with pytest.raises(CaseInputError, match="还未发货，不能登记退货"):
        receiving.receive(keeper, case, inspect(case), version=case.version)
    assert not LedgerEntry.objects.filter(document=f"case:{case.pk}").exists()


def test_intact_to_stock_damaged_to_the_damaged_account_in_one_transaction_inv_5(world, stock):
    cs, keeper = world.people["cs"], world.people["warehouse"]
    case = waiting_case(cs, shipped_order(world, stock), waybill="ZT100200300")
    m_before, s_before = level(stock["M"]).on_hand, level(stock["S"]).on_hand
    got = inspect(case, l1={"intact": 1, "damaged": 1}, l2={"wrong": 1, "note": "寄回的是别家的裙子"})
    case = receiving.receive(keeper, case, got, version=case.version)
    assert case.state == State.RECEIVED and case.returned_at  # 退货退款: the agent agrees the refund next
    assert (level(stock["M"]).on_hand, level(stock["M"]).damaged) == (m_before + 1, 1)
    assert (level(stock["S"]).on_hand, level(stock["S"]).damaged) == (s_before, 0)  # 错发: recorded, not posted
    entries = LedgerEntry.objects.filter(document=f"case:{case.pk}")
    assert sorted((e.reason, e.on_hand_change, e.damaged_change, e.actor_number) for e in entries) == [
        ("damaged", 0, 1, keeper.number),
        ("return", 1, 0, keeper.number),
    ]
    rows = {r.case_line.order_line.line_no: r for r in ReturnLine.objects.filter(case=case)}
    assert (rows[1].intact, rows[1].damaged, rows[2].wrong, rows[2].note) == (1, 1, 1, "寄回的是别家的裙子")
    move = timeline_for(case).filter(kind="case_state").order_by("-id").first()
    assert (move.to_state, move.actor_number) == ("退货已收到", keeper.number) and "错发 1" in move.note
    verify_clean()
    # then on as the table says: the refund, by the agent
    case = cases.move(cs, case, State.REFUNDING, agreed_refund_fen=5000)
    assert case.state == State.REFUNDING


def test_the_pieces_must_add_up_and_bad_lines_are_named_nothing_posted_inv_5(world, stock):
    cs, keeper = world.people["cs"], world.people["warehouse"]
    case = waiting_case(cs, shipped_order(world, stock))
    with pytest.raises(CaseInputError) as refused:
        receiving.receive(keeper, case, inspect(case, l1={"intact": 1}, l2={"intact": "x"}), version=case.version)
    assert "第 1 行“退货连衣裙”：完好、破损、错发、少件合计应为 2 件（现为 1 件）" in refused.value.message
    assert "第 2 行“退货连衣裙” 完好数量应为 0 或正整数" in refused.value.message
    assert not LedgerEntry.objects.filter(document=f"case:{case.pk}").exists()
    assert Case.objects.get(pk=case.pk).state == State.WAITING_RETURN and not ReturnLine.objects.exists()


def test_received_only_through_the_receiving_service_and_never_twice_inv_5(world, stock):
    cs, keeper = world.people["cs"], world.people["warehouse"]
    case = waiting_case(cs, shipped_order(world, stock))
    with pytest.raises(CaseInputError, match="只能在“退货入库”页面扫描"):
        cases.move(cs, case, State.RECEIVED)
    assert State.RECEIVED not in cases.allowed_moves(case)
    version = case.version
    receiving.receive(keeper, case, inspect(case), version=version)
    with pytest.raises(DomainError):  # the second tab: an older version
        receiving.receive(keeper, case, inspect(case), version=version)
    with pytest.raises(CaseInputError, match="已经收到入库，不能重复入库"):  # a fresh page of a received case
        receiving.receive(keeper, case, inspect(case))
    assert LedgerEntry.objects.filter(document=f"case:{case.pk}").count() == 2  # M and S, once
    verify_clean()


def test_an_exchange_received_intact_becomes_a_new_zero_order_in_review_inv_5_as_2(world, stock):
    cs, keeper = world.people["cs"], world.people["warehouse"]
    order = shipped_order(world, stock)
    case = waiting_case(cs, order, kind="exchange", qtys=(1, 0), waybill="SF1234567890")
    case = receiving.receive(keeper, case, inspect(case, l1={"intact": 1, "exchange_sku": stock["S"].code}))
    assert case.state == State.RESENDING
    new = case.replacement_order
    assert new is not None and Case.objects.get(pk=case.pk).replacement_order_id == new.pk
    assert (new.state, new.kind, new.paid_fen, new.goods_fen, new.shop_id) == (
        "to_review",
        "resend",
        0,
        0,
        order.shop_id,
    )
    assert [(ln.sku_id, ln.quantity, ln.unit_price_fen) for ln in new.lines.all()] == [(stock["S"].pk, 1, 0)]
    assert (new.receiver_name, new.receiver_phone, new.city) == ("王小二", "13912345678", "杭州市")
    assert case.number in new.seller_remark
    assert timeline_for(case).filter(kind="case_replacement", to_state=new.platform_order_no).exists()
    verify_clean()


def test_an_exchange_with_a_damaged_piece_waits_for_the_agent_inv_5(world, stock):
    cs, keeper = world.people["cs"], world.people["warehouse"]
    case = waiting_case(cs, shipped_order(world, stock), kind="exchange", qtys=(1, 0))
    case = receiving.receive(keeper, case, inspect(case, l1={"damaged": 1}))
    assert case.state == State.RECEIVED and case.replacement_order_id is None
    case = cases.move(cs, case, State.RESENDING, note="破损是运输造成，照常换货")
    assert case.replacement_order.lines.get().sku_id == stock["M"].pk


def test_a_resend_case_makes_a_new_package_without_payment_as_2(world, stock):
    cs = world.people["cs"]
    order = shipped_order(world, stock)
    case = cases.open_case(cs, order=order, kind="resend", lines=[(order.lines.get(line_no=2), 1)], reason_text="少发")
    case = cases.move(cs, case, State.RESENDING)
    new = case.replacement_order
    assert (new.kind, new.paid_fen, new.state) == ("resend", 0, "to_review")
    assert new.lines.get().sku_id == stock["S"].pk
    again = cases.move(cs, case, State.DONE)  # sending it on does not make another
    assert again.replacement_order_id == new.pk and Order.objects.filter(kind="resend").count() == 1
