"""The shop's return/exchange/repair policy (AS-1, AS-3): documented defaults, versioned changes by the manager only,
a case keeps the version it was judged under, and `check(case)` names the broken clauses (window, conditions),
shown in red on the case page."""

import datetime as dt

import pytest

from zhanggui.aftersales.models import Case, PolicyVersion
from zhanggui.aftersales.services import cases, policy, work
from zhanggui.aftersales.services.errors import CaseInputError
from zhanggui.core import clock
from zhanggui.core.errors import DomainError
from zhanggui.core.events import timeline_for
from zhanggui.orders.models import Order

from .setup import make_order, open_case

Kind = Case.Kind
State = Case.State


def _save(asw, **changes):
    fields = {**policy.defaults(), **changes}
    current = policy.current_policy(asw.world.shop_a)
    return policy.save_policy(asw.manager, asw.world.shop_a, **fields, version=current.number if current else 0)


def test_a_new_shop_gets_the_documented_defaults_as_1_as_3(asw):
    """AS-1 / AS-3: 7 days, 吊牌完好 / 未洗涤 / 不影响二次销售, returns paid by the buyer, exchanges half each."""
    v1 = policy.ensure_policy(asw.world.shop_a)
    assert (v1.number, v1.return_window_days) == (1, 7)
    assert [c["name"] for c in v1.clauses] == ["吊牌完好", "未洗涤", "不影响二次销售"]
    assert (v1.return_postage, v1.exchange_postage) == ("buyer", "split")
    assert policy.ensure_policy(asw.world.shop_a).pk == v1.pk  # asking again creates nothing


def test_a_change_is_a_new_version_on_the_shops_timeline_and_old_cases_keep_theirs_as_1(asw):
    old_case = open_case(asw)
    v2 = _save(asw, return_window_days=15, clauses="吊牌完好：吊牌未剪\n包装完好", note="双11 延长")
    assert v2.number == 2 and [c["name"] for c in v2.clauses] == ["吊牌完好", "包装完好"]
    assert PolicyVersion.objects.filter(shop=asw.world.shop_a).count() == 2
    assert Case.objects.get(pk=old_case.pk).policy.number == 1  # judged under the version it was opened under
    assert open_case(asw, kind=Kind.EXCHANGE).policy.number == 2
    event = timeline_for(asw.world.shop_a).get(kind="policy_changed")
    assert event.actor_number == "T001" and "7 天" in event.from_state and "第 2 版：15 天" in event.to_state


def test_a_save_based_on_an_older_version_or_without_change_is_refused_as_1(asw):
    _save(asw, return_window_days=10)
    with pytest.raises(DomainError, match="已被他人修改"):
        policy.save_policy(asw.manager, asw.world.shop_a, **policy.defaults(), version=0)
    with pytest.raises(DomainError, match="没有改动"):
        _save(asw, return_window_days=10)
    with pytest.raises(DomainError, match="0 到 365"):
        _save(asw, return_window_days=400)
    with pytest.raises(DomainError, match="重复"):
        _save(asw, clauses="吊牌完好\n吊牌完好")


def test_inside_the_window_with_every_condition_met_nothing_is_broken_as_1(asw):
    case = open_case(asw)  # signed for 3 days ago, window 7 days
    assert policy.check(case) == []


def test_outside_the_window_counted_from_signing_as_1(asw):
    late = make_order(asw.world.shop_a, Order.State.COMPLETED, shipped_days=20, signed_days=12)
    case = open_case(asw, order=late)
    [broken] = policy.check(case)
    assert broken.name == "7 天退换" and "签收后第 12 天" in broken.why


def test_without_a_signing_the_window_counts_from_shipping_as_1(asw):
    shipped = make_order(asw.world.shop_a, Order.State.SHIPPED, shipped_days=9)
    [broken] = policy.check(open_case(asw, order=shipped))
    assert "发货后第 9 天" in broken.why and "按发货时间计" in broken.why


def test_without_signing_or_shipping_the_window_counts_from_the_buyers_confirmation_as_1(asw):
    """An export of a finished order may carry no ship time: 交易成功 (confirmed receipt) is the latest it was had."""
    done = make_order(asw.world.shop_a, Order.State.COMPLETED)
    Order.objects.filter(pk=done.pk).update(completed_at=clock.now() - dt.timedelta(days=20))
    [broken] = policy.check(open_case(asw, order=Order.objects.get(pk=done.pk)))
    assert "确认收货后第 20 天" in broken.why


def test_a_condition_ticked_as_not_met_is_broken_with_its_text_as_1(asw):
    case = open_case(asw)
    case = work.record_conditions(asw.cs, case, ["未洗涤"], version=case.version)
    [broken] = policy.check(case)
    assert (broken.name, broken.text) == ("未洗涤", "未洗涤、未穿着外出")
    with pytest.raises(CaseInputError, match="没有条件"):
        work.record_conditions(asw.cs, case, ["不存在的条件"])


def test_only_returns_and_exchanges_are_judged_as_1(asw):
    late = make_order(asw.world.shop_a, Order.State.COMPLETED, shipped_days=40, signed_days=30)
    assert policy.check(open_case(asw, kind=Kind.REFUND_SHIPPED, order=late)) == []
    assert policy.check(open_case(asw, kind=Kind.EXCHANGE, order=late))


def test_agreeing_outside_the_policy_needs_a_note_saying_why_as_1(asw):
    late = make_order(asw.world.shop_a, Order.State.COMPLETED, shipped_days=20, signed_days=12)
    case = open_case(asw, order=late)
    with pytest.raises(CaseInputError, match="不符合售后政策（7 天退换）"):
        cases.move(asw.cs, case, State.WAITING_RETURN)
    moved = cases.move(asw.cs, case, State.WAITING_RETURN, note="老客户，店长同意")
    assert moved.state == State.WAITING_RETURN


def test_postage_follows_the_policy_as_3(asw):
    assert policy.postage_payer(open_case(asw)) == "buyer"
    assert policy.postage_payer(open_case(asw, kind=Kind.EXCHANGE)) == "split"
    assert policy.postage_payer(open_case(asw, kind=Kind.RESEND)) is None


def test_the_case_page_shows_broken_clauses_in_red_with_their_text_as_1(asw, client_for):
    case = open_case(asw)
    work.record_conditions(asw.cs, case, ["吊牌完好"])
    html = client_for(asw.cs).get(f"/aftersales/{case.pk}/").content.decode()
    assert 'class="mb-1 clause-broken" data-clause="吊牌完好"' in html
    assert "吊牌、包装齐全完好，未剪吊牌" in html
    assert 'class="mb-1 " data-clause="未洗涤"' in html  # met: not red
    assert 'id="broken-clauses"' in html


def test_only_the_manager_saves_the_policy_as_1(asw, client_for):
    form = {**policy.defaults(), "clauses": "吊牌完好", "version": 0}
    assert client_for(asw.cs).post("/aftersales/policy/save/", form).status_code == 403
    assert client_for(asw.world.people["warehouse"]).get("/aftersales/policy/").status_code == 200
    page = client_for(asw.cs).get("/aftersales/policy/").content.decode()
    assert 'id="policy-form"' not in page and "吊牌完好" in page
    response = client_for(asw.manager).post(f"/aftersales/policy/save/?shop={asw.world.shop_a.code}", form)
    assert response.status_code == 302
    assert policy.current_policy(asw.world.shop_a).clauses == [{"name": "吊牌完好", "text": ""}]
