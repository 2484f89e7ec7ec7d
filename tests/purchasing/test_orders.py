# ruff: noqa: F811
# (test functions take the imported `po` fixture as a parameter)
"""Purchase orders (PUR-2): every legal move of the state machine and the refusal of every illegal one, in transit
following ordering / cancelling / short-closing (INV-1), quotes compared and chosen, lines edited with per-row
errors, two editors (stale version), payments never beyond what is due, closing blocked by open problems."""

import datetime as dt

import pytest
from django.db import transaction

from zhanggui.catalog.services.combos import create_combo_sku
from zhanggui.core import clock
from zhanggui.core.errors import DomainError, IllegalTransition
from zhanggui.core.events import timeline_for
from zhanggui.purchasing import selectors
from zhanggui.purchasing.models import Payment, PurchaseOrder, Quote, Receipt
from zhanggui.purchasing.services import order_edits, orders, payments, problems, quotes
from zhanggui.purchasing.services import suppliers as sup_svc

from .orders_setup import (
    State,
    fresh,
    in_transit,
    new_order,
    ordered,
    po,  # noqa: F401 (the fixture)
    receive,
)

pytestmark = pytest.mark.django_db


def states_on_timeline(order) -> list[str]:
    return [e.to_state for e in timeline_for(order).filter(kind="po_state").order_by("at", "id")]


# ---- the state machine ------------------------------------------------------------------------------------------


def test_full_flow_plan_quotes_order_partial_received_closed_PUR_2(po):
    """PUR-2: need/plan → quotes → back to plan → quotes → ordered → partly received → received → closed."""
    order = new_order(po)
    assert order.state == State.DRAFT
    order = orders.submit_for_quotes(po.buyer, order, version=order.version)
    assert order.state == State.QUOTING
    order = orders.back_to_plan(po.buyer, order, version=order.version)
    assert order.state == State.DRAFT
    order = orders.apply_transition(po.buyer, order, "quoting", version=order.version)
    order = orders.place_order(po.buyer, order, version=order.version)
    assert order.state == State.ORDERED and order.ordered_at is not None
    receive(order, {"D-黑-S": (4, 0)}, po.buyer)
    assert fresh(order).state == State.PARTIAL
    receive(order, {"D-黑-S": (6, 1), "D-白-M": (5, 0)}, po.buyer)
    order = fresh(order)
    assert order.state == State.RECEIVED
    order = orders.close_order(po.buyer, order, version=order.version)
    assert order.state == State.CLOSED and order.closed_at is not None
    assert states_on_timeline(order) == ["询价比价", "需求计划", "询价比价", "已下单", "部分到货", "已到货", "已完结"]
    events = timeline_for(order)
    assert all(e.actor_number == po.buyer.number for e in events.filter(kind="po_state", actor__isnull=False))


@pytest.mark.parametrize(
    "path",
    [
        ["ordered"],  # straight from the plan when the supplier is known
        ["cancelled"],
        ["quoting", "cancelled"],
        ["ordered", "cancelled"],
    ],
)
def test_other_legal_moves_PUR_2(po, path):
    order = new_order(po)
    for to in path:
        order = orders.apply_transition(po.buyer, order, to, version=order.version)
        assert order.state == to
    assert fresh(order).state == path[-1]


def test_ordered_to_received_in_one_slip_PUR_2(po):
    order = ordered(po)
    receive(order, {"D-黑-S": (10, 0), "D-白-M": (5, 0)})
    assert fresh(order).state == State.RECEIVED


def _order_in(po, state):
    """An order forced into `state` (test set-up only: the illegal moves are checked from every state)."""
    order = new_order(po)
    PurchaseOrder.objects.filter(pk=order.pk).update(state=state)
    return fresh(order)


@pytest.mark.parametrize("state", list(State.values))
def test_every_illegal_move_is_refused_PUR_2(po, state):
    """PUR-2: from each state, every target outside the transition table raises IllegalTransition and changes
    nothing (state and version stay)."""
    order = _order_in(po, state)
    illegal = [to for to in State.values if to not in orders.TRANSITIONS[state]]
    assert illegal  # at least the state itself
    for to in illegal:
        with pytest.raises(IllegalTransition) as exc, transaction.atomic():
            orders.transition(orders.lock(order), to, po.buyer)
        assert exc.value.status == 409 and "不能改为" in exc.value.message
        again = fresh(order)
        assert (again.state, again.version) == (state, order.version)


def test_received_states_are_set_by_receiving_only_PUR_2(po):
    order = ordered(po)
    for to in ("partial", "received"):
        with pytest.raises(IllegalTransition) as exc:
            orders.apply_transition(po.buyer, order, to, version=order.version)
        assert "入库单过账" in exc.value.message
    with pytest.raises(DomainError) as exc:
        orders.apply_transition(po.buyer, order, "shipped")
    assert exc.value.code == "bad_state"


def test_ordering_needs_supplier_and_lines_PUR_2(po):
    order = new_order(po, supplier=None)
    with pytest.raises(DomainError) as exc:
        orders.place_order(po.buyer, order, version=order.version)
    assert exc.value.code == "no_supplier"
    assert fresh(order).state == State.DRAFT


def test_ordering_sets_expected_date_from_supplier_lead_time_PUR_2(po):
    order = ordered(po)
    assert order.expected_on == clock.today() + dt.timedelta(days=5)


def test_cancel_refused_once_goods_or_money_arrived_PUR_2(po):
    with_slip = ordered(po)
    Receipt.objects.create(number="RK-T1", order=with_slip, warehouse=po.warehouse)  # a slip being counted
    with pytest.raises(DomainError) as exc:
        orders.cancel_order(po.buyer, with_slip, version=with_slip.version)
    assert exc.value.code == "has_receipts" and "RK-T1" in exc.value.message
    paid = ordered(po)
    payments.add_payment(po.buyer, paid, amount_fen=10000)
    with pytest.raises(DomainError) as exc:
        orders.cancel_order(po.buyer, paid)
    assert exc.value.code == "has_payments"
    partial = ordered(po)
    receive(partial, {"D-黑-S": (1, 0)})
    with pytest.raises(IllegalTransition):
        orders.cancel_order(po.buyer, partial)
    assert {fresh(o).state for o in (with_slip, paid)} == {State.ORDERED}


# ---- in transit (INV-1) -----------------------------------------------------------------------------------------


def test_in_transit_up_on_ordering_down_on_cancel_INV_1_PUR_2(po):
    order = new_order(po)
    assert in_transit(po, "D-黑-S") == 0
    order = orders.place_order(po.buyer, order, version=order.version)
    assert (in_transit(po, "D-黑-S"), in_transit(po, "D-白-M")) == (10, 5)
    orders.cancel_order(po.buyer, order, version=order.version, note="款式停产")
    assert (in_transit(po, "D-黑-S"), in_transit(po, "D-白-M")) == (0, 0)


def test_short_close_takes_outstanding_off_in_transit_and_needs_a_note_PUR_2(po):
    order = ordered(po)
    receive(order, {"D-黑-S": (6, 0), "D-白-M": (5, 0)})
    assert in_transit(po, "D-黑-S") == 4
    order = fresh(order)
    with pytest.raises(DomainError) as exc:
        orders.close_order(po.buyer, order, version=order.version, note="  ")
    assert exc.value.code == "note_required"
    order = orders.close_order(po.buyer, order, version=order.version, note="供应商断货")
    assert order.state == State.CLOSED
    assert in_transit(po, "D-黑-S") == 0
    assert "未到 4 件" in timeline_for(order).filter(kind="po_state").first().note


# ---- quotes -----------------------------------------------------------------------------------------------------


def _quoting(po):
    order = new_order(po, supplier=None)
    return orders.submit_for_quotes(po.buyer, order, version=order.version)


def test_quotes_compared_cheapest_marked_and_choice_copies_prices_PUR_2(po):
    order = _quoting(po)
    black, white = (order.lines.get(sku=po.skus[c]) for c in ("D-黑-S", "D-白-M"))
    quotes.record_quote(
        po.buyer, order, po.hz, prices={black.pk: 3300, white.pk: 4200}, lead_time_days=5, transport_cost_fen=3000
    )
    quotes.record_quote(
        po.buyer, order, po.gz, prices={black.pk: 3400, white.pk: 3800}, lead_time_days=9, transport_cost_fen=0
    )
    comparison = selectors.compare_quotes(fresh(order))
    by_supplier = {c["quote"].supplier.code: c for c in comparison["quotes"]}
    # 杭州: 10×33 + 5×42 = 540 + 30 transport = 570; 广州: 10×34 + 5×38 = 530 + 0 = 530 → 广州 cheapest overall.
    assert (by_supplier["HZ"]["goods"], by_supplier["HZ"]["total"]) == (54000, 57000)
    assert (by_supplier["GZ"]["goods"], by_supplier["GZ"]["total"]) == (53000, 53000)
    assert by_supplier["GZ"]["cheapest"] and not by_supplier["HZ"]["cheapest"]
    cells = {row["line"].sku.code: [c["cheapest"] for c in row["cells"]] for row in comparison["rows"]}
    order_of = [c["quote"].supplier.code for c in comparison["quotes"]]
    assert cells["D-黑-S"][order_of.index("HZ")] and not cells["D-黑-S"][order_of.index("GZ")]
    assert cells["D-白-M"][order_of.index("GZ")]

    gz_quote = Quote.objects.get(order=order, supplier=po.gz)
    order = quotes.choose_quote(po.buyer, gz_quote, version=fresh(order).version)
    assert order.supplier == po.gz and order.transport_cost_fen == 0
    assert order.expected_on == clock.today() + dt.timedelta(days=9)
    assert {ln.sku.code: ln.unit_cost_fen for ln in order.lines.select_related("sku")} == {
        "D-黑-S": 3400,
        "D-白-M": 3800,
    }
    assert list(Quote.objects.filter(order=order, is_chosen=True).values_list("supplier__code", flat=True)) == ["GZ"]
    # Choosing the other one later moves the mark and the prices.
    hz_quote = Quote.objects.get(order=order, supplier=po.hz)
    order = quotes.choose_quote(po.buyer, hz_quote, version=order.version)
    assert order.transport_cost_fen == 3000 and order.lines.get(pk=black.pk).unit_cost_fen == 3300
    assert list(Quote.objects.filter(order=order, is_chosen=True).values_list("supplier__code", flat=True)) == ["HZ"]


def test_quote_must_price_every_line_and_requote_replaces_PUR_2(po):
    order = _quoting(po)
    black, white = (order.lines.get(sku=po.skus[c]) for c in ("D-黑-S", "D-白-M"))
    with pytest.raises(DomainError) as exc:
        quotes.record_quote(po.buyer, order, po.hz, prices={black.pk: 3300})
    assert exc.value.code == "bad_quote" and "D-白-M" in exc.value.message
    assert not Quote.objects.filter(order=order).exists()
    quotes.record_quote(po.buyer, order, po.hz, prices={black.pk: 3300, white.pk: 4200})
    quotes.record_quote(po.buyer, order, po.hz, prices={black.pk: 3100, white.pk: 4000}, note="议价后")
    quote = Quote.objects.get(order=order)
    assert dict(quote.lines.values_list("line_id", "unit_cost_fen")) == {black.pk: 3100, white.pk: 4000}
    # A line added after the quote: the quote is incomplete and cannot be chosen.
    order = order_edits.add_line(po.buyer, fresh(order), po.tee.skus.get(), 3, 2000)
    with pytest.raises(DomainError) as exc:
        quotes.choose_quote(po.buyer, quote)
    assert exc.value.code == "incomplete_quote" and "T-灰-M" in exc.value.message


def test_quotes_only_while_comparing_PUR_2(po):
    order = new_order(po)
    line = order.lines.first()
    with pytest.raises(DomainError) as exc:
        quotes.record_quote(po.buyer, order, po.hz, prices={line.pk: 1})
    assert exc.value.code == "not_quoting"


# ---- editing and two editors ------------------------------------------------------------------------------------


def test_edit_lines_change_add_merge_remove_PUR_2(po):
    order = new_order(po)
    black, white = (order.lines.get(sku=po.skus[c]) for c in ("D-黑-S", "D-白-M"))
    order = order_edits.edit_lines(
        po.buyer,
        order,
        changes={black.pk: (12, 3600)},
        remove=[white.pk],
        add=[(po.skus["D-黑-S"], 3, 0), (po.skus["T-灰-M"], 4, 2500)],
        version=order.version,
    )
    lines = {ln.sku.code: (ln.quantity, ln.unit_cost_fen) for ln in order.lines.select_related("sku")}
    assert lines == {"D-黑-S": (15, 3600), "T-灰-M": (4, 2500)}
    assert order.version == 2
    assert "删除 D-白-M" in timeline_for(order).filter(kind="po_line").first().note


def test_edit_lines_names_every_bad_row_and_saves_nothing_PUR_2(po):
    order = new_order(po)
    black, white = (order.lines.get(sku=po.skus[c]) for c in ("D-黑-S", "D-白-M"))
    with pytest.raises(DomainError) as exc:
        order_edits.edit_lines(
            po.buyer, order, changes={black.pk: (0, 3500), white.pk: (5, -1)}, add=[(po.skus["T-灰-M"], 2, 100)]
        )
    assert len(exc.value.details) == 2
    assert "D-黑-S" in exc.value.details[0] and "D-白-M" in exc.value.details[1]
    assert fresh(order).version == order.version
    assert {ln.sku.code: ln.quantity for ln in fresh(order).lines.select_related("sku")} == {"D-黑-S": 10, "D-白-M": 5}


def test_lines_and_supplier_frozen_after_ordering_PUR_2(po):
    order = ordered(po)
    with pytest.raises(DomainError) as exc:
        order_edits.update_line(po.buyer, order.lines.first(), quantity=99)
    assert exc.value.code == "not_editable"
    with pytest.raises(DomainError):
        order_edits.update_order(po.buyer, order, supplier=po.gz)
    order = order_edits.update_order(po.buyer, order, expected_on=dt.date(2030, 1, 2), transport_cost_fen=1500)
    assert (order.expected_on, order.transport_cost_fen) == (dt.date(2030, 1, 2), 1500)


def test_two_editors_second_is_refused_as_stale_PUR_2(po):
    """Two people open the same order (version 1); the first saves, the second's save is refused and loses
    nothing of the first's change."""
    order = new_order(po)
    seen_by_a, seen_by_b = fresh(order), fresh(order)
    line = order.lines.get(sku=po.skus["D-黑-S"])
    order_edits.edit_lines(po.buyer, seen_by_a, changes={line.pk: (20, 3500)}, version=seen_by_a.version)
    for change in (
        lambda: order_edits.edit_lines(po.buyer, seen_by_b, changes={line.pk: (30, 3500)}, version=seen_by_b.version),
        lambda: order_edits.update_order(po.buyer, seen_by_b, transport_cost_fen=999, version=seen_by_b.version),
        lambda: orders.place_order(po.buyer, seen_by_b, version=seen_by_b.version),
        lambda: problems.report_problem(
            po.buyer, seen_by_b, kind="quality", description="x", version=seen_by_b.version
        ),
    ):
        with pytest.raises(DomainError) as exc:
            change()
        assert exc.value.code == "stale_version" and "已被他人修改" in exc.value.message
    now = fresh(order)
    assert now.version == 2 and now.state == State.DRAFT and now.transport_cost_fen == 0
    assert now.lines.get(pk=line.pk).quantity == 20


def test_parse_lines_code_quantity_price_with_row_errors_PUR_2(po):
    sup_svc.set_supplier_product(po.buyer, po.hz, po.dress, unit_cost_fen=3300)
    lines = order_edits.parse_lines("D-黑-S 10 35.5\nD-白-M\t4\n\nT-灰-M,2,19", po.hz)
    assert [(s.code, q, p) for s, q, p in lines] == [("D-黑-S", 10, 3550), ("D-白-M", 4, 3300), ("T-灰-M", 2, 1900)]
    with pytest.raises(DomainError) as exc:
        order_edits.parse_lines("D-黑-S 10 35\nNOPE 1\nD-白-M zero\nT-灰-M 1 abc", po.hz)
    assert exc.value.details == [
        "第 2 行：商家编码或条码 NOPE 不存在",
        "第 3 行：数量“zero”应为大于 0 的整数",
        "第 4 行：单价“abc”应为金额，如 35.50",
    ]


def test_combination_skus_are_bought_as_parts_PUR_2(po):
    combo = create_combo_sku(po.buyer, po.dress, "D-套装", [(po.skus["D-黑-S"], 1), (po.skus["D-白-S"], 1)])
    with pytest.raises(DomainError) as exc:
        orders.create_order(po.buyer, lines=[(combo, 1, 100)], supplier=po.hz)
    assert exc.value.code == "combo"
    with pytest.raises(DomainError) as exc:
        order_edits.parse_lines("D-套装 2")
    assert "组合商品" in exc.value.details[0]


# ---- payments and problems --------------------------------------------------------------------------------------


def test_payments_up_to_amount_plus_transport_overpaying_refused_PUR_2_PUR_3(po):
    order = ordered(po)  # 10 × ¥35 + 5 × ¥40 = ¥550
    order = order_edits.update_order(po.buyer, order, transport_cost_fen=2000, version=order.version)
    payments.add_payment(po.buyer, order, amount_fen=50000, method="alipay", note="定金", version=order.version)
    with pytest.raises(DomainError) as exc:
        payments.add_payment(po.buyer, order, amount_fen=7001)
    assert exc.value.code == "overpaid" and "最多还能付 ¥70.00" in exc.value.message
    payments.add_payment(po.buyer, order, amount_fen=7000)
    assert selectors.order_figures([order.pk])[order.pk].owed == 0
    with pytest.raises(DomainError):
        payments.add_payment(po.buyer, order, amount_fen=1)
    # Transport cannot drop below what was paid beyond the goods.
    with pytest.raises(DomainError) as exc:
        order_edits.update_order(po.buyer, order, transport_cost_fen=1000)
    assert exc.value.code == "below_paid"
    assert Payment.objects.filter(order=order).count() == 2


def test_payment_refused_before_ordering_and_in_the_future_PUR_2(po):
    draft = new_order(po)
    with pytest.raises(DomainError) as exc:
        payments.add_payment(po.buyer, draft, amount_fen=100)
    assert exc.value.code == "not_payable"
    order = ordered(po)
    with pytest.raises(DomainError) as exc:
        payments.add_payment(po.buyer, order, amount_fen=100, paid_on=clock.today() + dt.timedelta(days=1))
    assert exc.value.code == "future_date"


def test_close_refused_while_a_problem_is_open_PUR_2(po):
    order = ordered(po)
    receive(order, {"D-黑-S": (10, 2), "D-白-M": (5, 0)})
    order = fresh(order)
    problem = problems.report_problem(po.buyer, order, kind="quality", description="2 件脱线", version=order.version)
    with pytest.raises(DomainError) as exc:
        orders.close_order(po.buyer, order)
    assert exc.value.code == "open_problems" and "2 件脱线" in exc.value.message
    assert fresh(order).state == State.RECEIVED
    with pytest.raises(DomainError):
        problems.resolve_problem(po.buyer, problem, resolution=" ")
    problems.resolve_problem(po.buyer, problem, resolution="供应商换货，下批验针脚")
    order = orders.close_order(po.buyer, order)
    assert order.state == State.CLOSED


def test_close_refused_while_a_slip_is_not_posted_PUR_2(po):
    order = ordered(po)
    receive(order, {"D-黑-S": (10, 0), "D-白-M": (5, 0)})
    Receipt.objects.create(number="RK-T9", order=order, warehouse=po.warehouse, state=Receipt.State.CHECKED)
    with pytest.raises(DomainError) as exc:
        orders.close_order(po.buyer, fresh(order))
    assert exc.value.code == "receipt_pending"


def test_every_change_is_on_the_timeline_PUR_2(po):
    order = new_order(po)
    line = order.lines.first()
    order_edits.update_line(po.buyer, line, quantity=11)
    order_edits.update_order(po.buyer, order, reason="双11备货")
    order = orders.place_order(po.buyer, order)
    payments.add_payment(po.buyer, order, amount_fen=100)
    problems.report_problem(po.buyer, order, kind="late", description="晚到两天")
    kinds = set(timeline_for(order).values_list("kind", flat=True))
    assert kinds >= {"po_created", "po_line", "po_changed", "po_state", "po_payment", "po_problem"}
    assert fresh(order).version == 6
