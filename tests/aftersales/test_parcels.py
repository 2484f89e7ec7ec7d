"""Parcel problems (AS-4): the six-step checklist of a 丢件/破损 case ticked with the 工号 and time, and the claims
against the carrier (state flow, amounts) credited on the courier fee reconciliation (SHIP-5) and listed on the
carrier's page — fulfilment reads them through its registry, never importing aftersales."""

import pytest

from zhanggui.aftersales.models import CarrierClaim, Case, ParcelStep
from zhanggui.aftersales.services import parcels
from zhanggui.core import clock
from zhanggui.core.errors import DomainError
from zhanggui.core.models import Event
from zhanggui.fulfilment.models import Carrier, Package
from zhanggui.fulfilment.services import claims as registry
from zhanggui.fulfilment.services import fees

from .setup import lines_of, open_case

Kind = Case.Kind


def parcel_case(asw):
    """A 丢件破损 case of the shipped order, whose parcel went with 中通 under ZT123456789."""
    carrier = Carrier.objects.order_by("pk").first()
    Package.objects.filter(order=asw.shipped).update(carrier=carrier, waybill_no="ZT123456789")
    return open_case(asw, kind=Kind.LOST_DAMAGED, lines=lines_of(asw.shipped), reason_text="快递显示签收，买家没收到")


def test_six_steps_are_ticked_in_order_with_the_staff_number_and_time_as_4(asw):
    case = parcel_case(asw)
    assert [s["name"] for s in parcels.checklist(case)] == [
        "安抚买家", "记录问题", "核实地址", "对比后台、面单与买家信息", "联系快递", "反馈买家",
    ]  # fmt: skip
    parcels.tick(asw.cs, case, "calm", "已致歉")
    parcels.tick(asw.cs, case, "carrier")
    rows = {s["step"]: s for s in parcels.checklist(case)}
    assert rows["calm"]["done_by"] == asw.cs and rows["calm"]["done_at"] <= clock.now() and rows["calm"]["note"]
    assert not rows["record"]["done"] and rows["carrier"]["done"]
    notes = list(Event.objects.filter(object_id=str(case.pk), kind="parcel_step").values_list("to_state", flat=True))
    assert "步骤1 安抚买家 已完成" in notes and "步骤5 联系快递 已完成" in notes
    assert Event.objects.filter(object_id=str(case.pk), kind="parcel_step", actor_number=asw.cs.number).count() == 2


def test_a_step_ticked_twice_keeps_the_first_and_untick_is_logged_as_4(asw):
    case = parcel_case(asw)
    parcels.tick(asw.cs, case, "record")
    with pytest.raises(DomainError, match="记录问题”已由"):
        parcels.tick(asw.manager, case, "record")
    assert ParcelStep.objects.get(case=case).done_by == asw.cs
    parcels.untick(asw.manager, case, "record")
    assert not ParcelStep.objects.filter(case=case).exists()
    assert Event.objects.filter(object_id=str(case.pk), to_state="撤销勾选").exists()


def test_the_checklist_belongs_to_parcel_cases_only_as_4(asw):
    other = open_case(asw)
    with pytest.raises(DomainError, match="不是丢件破损单"):
        parcels.tick(asw.cs, other, "calm")
    with pytest.raises(DomainError, match="没有这个处理步骤"):
        parcels.tick(asw.cs, parcel_case(asw), "dance")


def test_a_claim_defaults_to_the_parcel_and_puts_the_case_in_claiming_as_4(asw):
    case = parcel_case(asw)
    claim = parcels.file_claim(asw.cs, case, reason="lost", claimed_fen=16000)
    assert claim.waybill_no == "ZT123456789" and claim.carrier == Carrier.objects.order_by("pk").first()
    assert claim.state == "filed" and claim.filed_on == clock.today() and claim.shop_id == case.shop_id
    case.refresh_from_db()
    assert case.state == Case.State.CLAIMING
    with pytest.raises(DomainError, match="已有进行中的理赔"):
        parcels.file_claim(asw.cs, case, reason="lost", claimed_fen=100)


def test_claim_flow_records_the_amount_paid_within_what_was_claimed_as_4(asw):
    case = parcel_case(asw)
    claim = parcels.file_claim(asw.cs, case, reason="damaged", claimed_fen=10000)
    claim = parcels.move_claim(asw.cs, claim, "accepted", version=claim.version)
    assert claim.settled_at is None
    with pytest.raises(DomainError, match="超过了索赔金额"):
        parcels.move_claim(asw.cs, claim, "paid", paid_fen=10001)
    with pytest.raises(DomainError, match="请填写快递赔付金额"):
        parcels.move_claim(asw.cs, claim, "paid")
    claim = parcels.move_claim(asw.cs, claim, "paid", paid_fen=8000)
    assert claim.state == "paid" and claim.paid_fen == 8000 and claim.settled_at is not None
    with pytest.raises(DomainError, match="不能改为"):
        parcels.move_claim(asw.cs, claim, "rejected", note="x")
    assert Event.objects.filter(object_id=str(case.pk), kind="claim_state", to_state="已赔付").exists()


def test_a_refused_claim_needs_the_carriers_reason_and_pays_nothing_as_4(asw):
    case = parcel_case(asw)
    claim = parcels.file_claim(asw.cs, case, reason="confiscated", claimed_fen=5000)
    with pytest.raises(DomainError, match="拒赔请写明"):
        parcels.move_claim(asw.cs, claim, "rejected")
    claim = parcels.move_claim(asw.cs, claim, "rejected", note="违禁品，安监扣件")
    assert claim.paid_fen == 0 and claim.settled_at is not None


@pytest.mark.django_db
def test_the_database_holds_paid_within_claimed_and_money_only_when_paid_as_4(asw):
    from django.db import IntegrityError, transaction

    case = parcel_case(asw)
    claim = parcels.file_claim(asw.cs, case, reason="lost", claimed_fen=1000)
    with pytest.raises(IntegrityError), transaction.atomic():
        CarrierClaim.objects.filter(pk=claim.pk).update(state="paid", paid_fen=1001)
    with pytest.raises(IntegrityError), transaction.atomic():
        CarrierClaim.objects.filter(pk=claim.pk).update(paid_fen=10)  # still 已提交


def test_claims_paid_are_credited_on_the_courier_fee_reconciliation_ship_5_as_4(asw, client_for):
    case = parcel_case(asw)
    claim = parcels.file_claim(asw.cs, case, reason="lost", claimed_fen=12000)
    parcels.move_claim(asw.cs, claim, "paid", paid_fen=9000)
    month = clock.today().strftime("%Y-%m")
    credits = registry.paid_by_carrier([asw.world.shop_a], *fees.month_bounds(month))
    assert [c.paid_fen for c in credits[claim.carrier_id]] == [9000]
    assert registry.paid_by_carrier([asw.world.shop_b], *fees.month_bounds(month)) == {}  # shop scope
    html = client_for(asw.world.people["finance"]).get(f"/shipping/fees/?carrier={claim.carrier_id}&month={month}")
    text = html.content.decode()
    assert html.status_code == 200 and f'data-claims-paid="{claim.carrier_id}">−¥90.00' in text
    assert 'id="fee-claims"' in text and case.number in text


def test_the_carriers_page_lists_its_claims_as_4(asw, client_for):
    case = parcel_case(asw)
    claim = parcels.file_claim(asw.cs, case, reason="damaged", claimed_fen=3000)
    text = client_for(asw.cs).get(f"/shipping/carriers/{claim.carrier_id}/").content.decode()
    assert 'id="carrier-claims"' in text and 'data-claim="ZT123456789"' in text and "破损" in text
    assert f"/aftersales/{case.pk}/" in text
    warehouse = client_for(asw.world.people["warehouse"]).get(f"/shipping/carriers/{claim.carrier_id}/")
    body = warehouse.content.decode()  # 库管 may not open a 丢件破损 case: the claim is listed without the link
    assert 'data-claim="ZT123456789"' in body and f"/aftersales/{case.pk}/" not in body


def test_the_case_page_ticks_steps_and_files_claims_as_4(asw, client_for):
    case = parcel_case(asw)
    client = client_for(asw.cs)
    html = client.get(f"/aftersales/{case.pk}/").content.decode()
    assert 'id="parcel-steps"' in html and "对比后台、面单与买家信息" in html and 'id="claim-form"' in html
    client.post(f"/aftersales/{case.pk}/steps/", {"step": "calm", "note": "电话安抚"})
    client.post(
        f"/aftersales/{case.pk}/claims/",
        {
            "carrier": Carrier.objects.order_by("pk").first().pk,
            "waybill_no": "ZT123456789",
            "reason": "lost",
            "claimed": "88.50",
        },
    )
    html = client.get(f"/aftersales/{case.pk}/").content.decode()
    assert 'data-step="calm" data-done="1"' in html and asw.cs.number in html and "¥88.50" in html
    claim = CarrierClaim.objects.get()
    client.post(f"/aftersales/{case.pk}/claims/move/", {"claim": claim.pk, "to": "paid", "paid": "80",
                                                         "version": claim.version})  # fmt: skip
    claim.refresh_from_db()
    assert claim.paid_fen == 8000
    assert 'id="parcel-steps"' not in client.get(f"/aftersales/{open_case(asw).pk}/").content.decode()


def test_the_demo_has_parcel_cases_with_steps_claims_in_several_outcomes_and_compensation_as_4_as_5(db):
    from zhanggui.aftersales.models import Compensation
    from zhanggui.workbench.demo import load_demo

    load_demo()
    states = set(CarrierClaim.objects.values_list("state", flat=True))
    assert {"accepted", "withdrawn", "rejected", "paid"} <= states
    assert {"lost", "damaged"} <= set(CarrierClaim.objects.values_list("reason", flat=True))
    assert ParcelStep.objects.values("case").distinct().count() >= 2
    assert Compensation.objects.filter(kind__in=["refund", "coupon", "gift"]).count() >= 2
    # AS-5: no case's refunds — agreed and recorded as compensation together — pass what was paid for its lines
    from zhanggui.aftersales.models import Case
    from zhanggui.aftersales.services import compensation

    for case in Case.objects.filter(compensations__isnull=False).distinct():
        assert compensation.agreed_on(case) + compensation.refunded_on(case) <= case.refundable_fen
    before = CarrierClaim.objects.count()
    load_demo()  # a second run changes nothing
    assert CarrierClaim.objects.count() == before
