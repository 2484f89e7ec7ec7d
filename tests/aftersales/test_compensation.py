"""Compensation (AS-5): refund, resend, gift, coupon and cash recorded per case with the amount in fen and totalled;
a refund never exceeds what was paid for the case's lines — refused by the service in Chinese, and by the database's
check whatever code writes the row. And the API routes of AS-4/AS-5 with the pages' permissions and shop scope."""

import json

import pytest
from django.db import IntegrityError, transaction

from zhanggui.aftersales.models import Case, Compensation
from zhanggui.aftersales.services import compensation
from zhanggui.core.errors import DomainError
from zhanggui.core.models import Event
from zhanggui.fulfilment.models import Carrier, Package

from .setup import lines_of, make_order, open_case

Kind = Case.Kind


def test_every_kind_is_recorded_with_its_amount_and_totalled_per_case_as_5(asw):
    case = open_case(asw, kind=Kind.LOST_DAMAGED)  # dress ×1: paid ¥50
    for kind, amount in (("refund", 3000), ("resend", 5000), ("gift", 800), ("coupon", 1000), ("cash", 500)):
        compensation.add(asw.cs, case, kind, amount, note=f"{kind} 补偿")
    found = compensation.summary(case)
    assert [r["kind_label"] for r in found["rows"]] == ["退款", "补发", "赠品", "优惠券", "现金"]
    assert found["total_fen"] == 10300 and found["refunded_fen"] == 3000 and found["refund_left_fen"] == 2000
    assert Event.objects.filter(object_id=str(case.pk), kind="compensation", to_state="退款 ¥30.00").exists()


def test_a_refund_never_exceeds_what_was_paid_for_the_lines_as_5(asw):
    case = open_case(asw, kind=Kind.LOST_DAMAGED)  # refundable ¥50.00
    with pytest.raises(DomainError, match=r"超过了这些商品的实付金额 ¥50\.00"):
        compensation.add(asw.cs, case, "refund", 5001)
    compensation.add(asw.cs, case, "refund", 4000)
    with pytest.raises(DomainError, match=r"超过了这些商品的实付金额 ¥10\.00"):  # together with the first refund
        compensation.add(asw.cs, case, "refund", 1001)
    compensation.add(asw.cs, case, "gift", 99900)  # a gift is not a refund: no ceiling
    assert Compensation.objects.filter(case=case, kind="refund").count() == 1


def test_a_refund_already_agreed_on_the_case_counts_against_a_refund_compensation_as_5(asw):
    """AS-5: ¥30 agreed on the case (待退款) leaves ¥20 of the ¥50 paid for a refund compensation — the buyer is
    never refunded twice for the same goods."""
    from zhanggui.aftersales.services import cases

    case = open_case(asw, kind=Kind.LOST_DAMAGED)  # refundable ¥50.00
    case = cases.move(asw.cs, case, Case.State.REFUNDING, agreed_refund_fen=3000)
    assert compensation.summary(case)["refund_left_fen"] == 2000
    with pytest.raises(DomainError, match=r"¥20\.00"):
        compensation.add(asw.cs, case, "refund", 2001)
    compensation.add(asw.cs, case, "refund", 2000)
    assert compensation.summary(case)["refund_left_fen"] == 0


def test_the_database_refuses_a_refund_past_its_ceiling_as_5(asw):
    case = open_case(asw, kind=Kind.LOST_DAMAGED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Compensation.objects.create(case=case, kind="refund", amount_fen=5001, ceiling_fen=5000)
    with pytest.raises(IntegrityError), transaction.atomic():
        Compensation.objects.create(case=case, kind="refund", amount_fen=1)  # a refund without its ceiling
    with pytest.raises(IntegrityError), transaction.atomic():
        Compensation.objects.create(case=case, kind="gift", amount_fen=-1)


def test_bad_compensation_input_is_named_in_chinese_as_5(asw):
    case = open_case(asw)
    with pytest.raises(DomainError, match="补偿方式只能是"):
        compensation.add(asw.cs, case, "hug", 100)
    with pytest.raises(DomainError, match="请填写补偿金额"):
        compensation.add(asw.cs, case, "gift", None)
    with pytest.raises(DomainError, match="补偿金额"):
        compensation.add(asw.cs, case, "cash", -5)


def test_the_case_page_records_compensation_and_shows_the_total_as_5(asw, client_for):
    case = open_case(asw)
    client = client_for(asw.cs)
    client.post(f"/aftersales/{case.pk}/compensation/", {"kind": "coupon", "amount": "10", "note": "下次可用"})
    client.post(f"/aftersales/{case.pk}/compensation/", {"kind": "refund", "amount": "60"})  # over ¥50: refused
    response = client.get(f"/aftersales/{case.pk}/")
    html = response.content.decode()
    assert 'id="compensation-total">¥10.00<' in html and "优惠券" in html
    assert Compensation.objects.filter(case=case).count() == 1


# ---- the API (AS-4, AS-5) -------------------------------------------------------------------------------------


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_api_ticks_steps_files_and_settles_claims_as_4(asw, client_for):
    carrier = Carrier.objects.order_by("pk").first()
    Package.objects.filter(order=asw.shipped).update(carrier=carrier, waybill_no="YT1000")
    case = open_case(asw, kind=Kind.LOST_DAMAGED, lines=lines_of(asw.shipped))
    client = client_for(asw.cs)
    base = f"/api/v1/aftersales/cases/{case.pk}"
    ticked = _post(client, f"{base}/steps", {"step": "address", "note": "地址无误"})
    assert ticked.status_code == 200, ticked.content
    step = next(s for s in ticked.json()["steps"] if s["step"] == "address")
    assert step["done"] and step["done_by"] == asw.cs.number and step["name"] == "核实地址"
    filed = _post(client, f"{base}/claims", {"reason": "lost", "claimed_fen": 16000})
    assert filed.status_code == 201 and filed.json()["waybill_no"] == "YT1000", filed.content
    claim = filed.json()
    over = _post(client, f"{base}/claims/{claim['id']}/moves", {"to": "paid", "paid_fen": 16001})
    assert over.status_code == 422 and "超过了索赔金额" in over.json()["message"]
    paid = _post(client, f"{base}/claims/{claim['id']}/moves", {"to": "paid", "paid_fen": 15000, "version": 1})
    assert paid.status_code == 200 and paid.json()["state_label"] == "已赔付"
    listed = client.get("/api/v1/aftersales/claims", {"state": "paid"}).json()
    assert [c["paid_fen"] for c in listed] == [15000]


def test_api_compensation_keeps_refunds_within_paid_as_5(asw, client_for):
    case = open_case(asw)
    client = client_for(asw.cs)
    url = f"/api/v1/aftersales/cases/{case.pk}/compensations"
    assert _post(client, url, {"kind": "refund", "amount_fen": 5001}).status_code == 422
    added = _post(client, url, {"kind": "refund", "amount_fen": 5000})
    assert added.status_code == 201 and added.json()["refund_left_fen"] == 0 and added.json()["total_fen"] == 5000
    assert client.get(url).json()["items"][0]["kind_label"] == "退款"


def test_api_routes_keep_the_shop_scope_and_the_roles_as_4_as_5(asw, client_for):
    other = open_case(asw, kind=Kind.LOST_DAMAGED, order=asw.other_shop, actor=asw.manager,
                      lines=lines_of(asw.other_shop))  # fmt: skip
    mine = open_case(asw, kind=Kind.LOST_DAMAGED, order=make_order(asw.world.shop_a, "shipped", shipped_days=2))
    cs = client_for(asw.cs)  # shop_a only
    assert cs.get(f"/api/v1/aftersales/cases/{other.pk}/parcel").status_code == 404
    assert _post(cs, f"/api/v1/aftersales/cases/{other.pk}/steps", {"step": "calm"}).status_code == 404
    warehouse = client_for(asw.world.people["warehouse"])  # 库管: no 丢件破损 case, no change
    assert warehouse.get(f"/api/v1/aftersales/cases/{mine.pk}/parcel").status_code == 404
    assert _post(warehouse, f"/api/v1/aftersales/cases/{mine.pk}/steps", {"step": "calm"}).status_code == 403
