"""Customised orders (ORD-8): the step table design → confirm → production → QC → normal flow (and every illegal
step refused), the review gate (states.approve and the batch approve refuse until QC passed), file checks by
content, the permission-checked download (shop scope), the detail-page panel, the API and the demo."""

import datetime as dt
import io
import re
import zipfile

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from zhanggui.core import clock
from zhanggui.core.errors import DomainError, IllegalTransition
from zhanggui.core.models import Event
from zhanggui.orders.demo import load_custom_orders
from zhanggui.orders.models import CustomFile, CustomWork, Order
from zhanggui.orders.services import custom, states
from zhanggui.orders.services.batch import batch
from zhanggui.orders.services.manual import create_manual_order

from .test_states import build_stock, make_order

S = Order.State
St = CustomWork.Stage
pytestmark = pytest.mark.django_db


def png(name="design.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (12, 8), (10, 120, 200)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def tomorrow() -> dt.date:
    return clock.today() + dt.timedelta(days=1)


def events(order, kind="order_custom"):
    ct = ContentType.objects.get_for_model(Order)
    return list(Event.objects.filter(content_type=ct, object_id=str(order.pk), kind=kind).order_by("id"))


def custom_order(world, state=S.TO_REVIEW) -> Order:
    order = make_order(world, state=state, paid_fen=9900)
    custom.start_custom(world.people["cs"], order)
    return order


def advance(world, order, stage: str) -> Order:
    """Bring a custom order's work from where it is to `stage` through the services."""
    cs = world.people["cs"]
    path = [St.AWAITING_DESIGN, St.TO_CONFIRM, St.IN_PRODUCTION, St.QC, St.DONE]
    now = CustomWork.objects.get(order=order).stage
    for step in path[path.index(now) + 1 : path.index(stage) + 1]:
        if step == St.TO_CONFIRM:
            custom.add_file(cs, order, png(), "design")
        elif step == St.IN_PRODUCTION:
            custom.confirm_details(cs, order, delivery_date=tomorrow())
        elif step == St.QC:
            custom.finish_production(cs, order)
        else:
            custom.pass_qc(cs, order)
    order.refresh_from_db()
    assert order.custom.stage == stage
    return order


# ---- the step table --------------------------------------------------------------------------------------------


def test_ORD_8_full_step_table_each_step_on_the_timeline_with_the_staff_number(world):
    cs = world.people["cs"]
    order = make_order(world, state=S.TO_REVIEW, paid_fen=9900)
    work = custom.start_custom(cs, order)
    order.refresh_from_db()
    assert order.kind == Order.Kind.CUSTOM and work.stage == St.AWAITING_DESIGN
    assert custom.start_custom(cs, order).pk == work.pk  # idempotent: nothing new
    assert CustomWork.objects.filter(order=order).count() == 1

    custom.add_file(cs, order, png(), "design")  # awaiting_design → to_confirm on the first design file
    v = Order.objects.get(pk=order.pk).version
    custom.confirm_details(cs, order, delivery_date=tomorrow(), producer="印花车间", version=v)
    custom.finish_production(cs, order, note="印好了")
    custom.fail_qc(cs, order, "字印歪了")  # qc → in_production, counted
    work = CustomWork.objects.get(order=order)
    assert (work.stage, work.qc_failures, work.qc_note) == (St.IN_PRODUCTION, 1, "字印歪了")
    custom.finish_production(cs, order)
    custom.pass_qc(cs, order, note="复检合格")
    work = CustomWork.objects.get(order=order)
    assert work.stage == St.DONE and work.qc_by == cs and work.confirmed_by == cs
    assert work.delivery_date == tomorrow() and work.producer == "印花车间"

    moves = [(e.from_state, e.to_state) for e in events(order)]
    assert moves == [
        ("", "待收设计稿"),
        ("待收设计稿", "待确认细节"),
        ("待确认细节", "生产中"),
        ("生产中", "质检中"),
        ("质检中", "生产中"),
        ("生产中", "质检中"),
        ("质检中", "质检通过"),
    ]
    assert {e.actor_number for e in events(order)} == {cs.number}
    assert "字印歪了" in events(order)[4].note
    assert [e.to_state for e in events(order, "order_custom_file")] == ["设计稿"]


STAGES = sorted(St.values)
ACTIONS = sorted(["confirm", "produced", "qc_fail", "qc_pass"])
ALLOWED = {
    (St.AWAITING_DESIGN, "confirm"),  # with written choices or a design file (here: choices)
    (St.TO_CONFIRM, "confirm"),
    (St.IN_PRODUCTION, "produced"),
    (St.QC, "qc_fail"),
    (St.QC, "qc_pass"),
}


def run_step(world, order, action):
    cs = world.people["cs"]
    if action == "confirm":
        return custom.confirm_details(cs, order, choices="印字 ABC", delivery_date=tomorrow())
    if action == "produced":
        return custom.finish_production(cs, order)
    if action == "qc_fail":
        return custom.fail_qc(cs, order, "返工")
    return custom.pass_qc(cs, order)


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("action", ACTIONS)
def test_ORD_8_only_the_steps_of_the_table_are_allowed(world, stage, action):
    order = advance(world, custom_order(world), stage)
    if (stage, action) in ALLOWED:
        run_step(world, order, action)
        assert CustomWork.objects.get(order=order).stage != stage
    else:
        with pytest.raises(IllegalTransition):
            run_step(world, order, action)
        assert CustomWork.objects.get(order=order).stage == stage


def test_ORD_8_confirm_needs_design_or_choices_a_future_date_and_payment(world):
    cs = world.people["cs"]
    order = custom_order(world)
    with pytest.raises(DomainError) as e:
        custom.confirm_details(cs, order, delivery_date=tomorrow())
    assert e.value.code == "no_design"
    with pytest.raises(DomainError) as e:
        custom.confirm_details(cs, order, choices="印字", delivery_date=clock.today() - dt.timedelta(days=1))
    assert e.value.code == "date_past"
    with pytest.raises(DomainError) as e:
        custom.confirm_details(cs, order, choices="印字", delivery_date="")
    assert e.value.code == "required"
    unpaid = custom_order(world, state=S.PENDING_PAYMENT)
    with pytest.raises(DomainError) as e:
        custom.confirm_details(cs, unpaid, choices="印字", delivery_date=tomorrow())
    assert e.value.code == "not_paid"
    work = custom.confirm_details(cs, order, choices="印字", delivery_date=clock.today())  # today is fine
    assert work.stage == St.IN_PRODUCTION and work.choices == "印字"
    with pytest.raises(DomainError) as e:
        custom.save_choices(cs, order, "改字")  # confirmed choices are fixed
    assert e.value.code == "choices_fixed"


def test_ORD_8_writing_choices_moves_to_confirm_and_a_qc_failure_needs_a_note(world):
    cs = world.people["cs"]
    order = custom_order(world)
    assert custom.save_choices(cs, order, "背面印 Team A").stage == St.TO_CONFIRM
    advance(world, order, St.QC)
    with pytest.raises(DomainError) as e:
        custom.fail_qc(cs, order, "  ")
    assert e.value.code == "reason_required"


def test_ORD_8_stale_version_and_closed_orders_are_refused(world):
    cs = world.people["cs"]
    order = custom_order(world)
    old = order.version
    custom.add_file(cs, order, png(), "design")
    with pytest.raises(DomainError) as e:
        custom.confirm_details(cs, order, delivery_date=tomorrow(), version=old)
    assert e.value.code == "stale_version"
    states.close(cs, order, "买家取消")
    with pytest.raises(DomainError) as e:
        custom.confirm_details(cs, order, delivery_date=tomorrow())
    assert e.value.code == "order_final"


@pytest.mark.parametrize("state", sorted([S.APPROVED, S.TO_SHIP, S.SHIPPED, S.COMPLETED, S.CLOSED]))
def test_ORD_8_only_orders_not_reviewed_yet_become_custom(world, state):
    order = make_order(world, state=state)
    with pytest.raises(DomainError):
        custom.start_custom(world.people["cs"], order)
    assert Order.objects.get(pk=order.pk).kind == Order.Kind.NORMAL
    assert not CustomWork.objects.filter(order=order).exists()


def test_ORD_8_steps_on_a_normal_order_are_refused(world):
    order = make_order(world, state=S.TO_REVIEW)
    with pytest.raises(DomainError) as e:
        custom.add_file(world.people["cs"], order, png(), "design")
    assert e.value.code == "not_custom"


# ---- the review gate -------------------------------------------------------------------------------------------


def test_ORD_8_approve_refused_until_production_and_qc_are_done_then_allowed(world):
    cs = world.people["cs"]
    order = custom_order(world)
    for stage in [St.AWAITING_DESIGN, St.TO_CONFIRM, St.IN_PRODUCTION, St.QC]:
        advance(world, order, stage)
        with pytest.raises(DomainError) as e:
            states.approve(cs, order)
        assert e.value.code == "custom_not_done" and "定制订单需先完成生产和质检" in e.value.message
        assert Order.objects.get(pk=order.pk).state == S.TO_REVIEW
        assert S.APPROVED not in states.allowed_moves(Order.objects.get(pk=order.pk))  # no 审核 button either
    advance(world, order, St.DONE)
    assert S.APPROVED in states.allowed_moves(Order.objects.get(pk=order.pk))
    states.approve(cs, order)
    assert Order.objects.get(pk=order.pk).state == S.APPROVED  # then the normal flow


def test_ORD_8_batch_approve_and_manual_custom_orders_are_gated_too(world):
    stocked = build_stock(world)
    cs = world.people["cs"]
    manual = create_manual_order(
        cs,
        world.shop_a,
        kind=Order.Kind.CUSTOM,
        receiver_name="王五",
        receiver_phone="13812345678",
        address="广东省 深圳市 南山区 科技园南路 1 号",
        lines=[(stocked.s, 1, 9900)],
    )
    assert not CustomWork.objects.filter(order=manual).exists()  # no work yet: still refused
    with pytest.raises(DomainError) as e:
        states.approve(cs, manual)
    assert e.value.code == "custom_not_done"
    normal = make_order(world, state=S.TO_REVIEW)
    with pytest.raises(DomainError) as e:
        batch(cs, [world.shop_a], [(manual.pk, manual.version), (normal.pk, normal.version)], "approve")
    assert "定制订单需先完成生产和质检" in e.value.message
    assert Order.objects.get(pk=normal.pk).state == S.TO_REVIEW  # all or nothing
    custom.start_custom(cs, manual)  # a manual custom order gets its work on the first step
    advance(world, manual, St.DONE)
    manual.refresh_from_db()
    assert batch(cs, [world.shop_a], [(manual.pk, manual.version)], "approve") == 1


def test_ORD_8_an_illegal_approve_still_names_the_states(world):
    order = custom_order(world, state=S.PENDING_PAYMENT)
    with pytest.raises(IllegalTransition):
        states.approve(world.people["cs"], order)


# ---- files -----------------------------------------------------------------------------------------------------


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", "x")
    return out.getvalue()


ACCEPTED = [
    ("design.png", None, "image/png"),
    ("proof.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
    ("logo.ai", b"%PDF-1.5\n%%EOF\n", "application/illustrator"),
    ("layers.psd", b"8BPS\x00\x01" + b"\x00" * 40, "image/vnd.adobe.photoshop"),
    ("files.zip", "zip", "application/zip"),
    ("art.cdr", b"RIFF\x10\x00\x00\x00CDR9vrsn" + b"\x00" * 20, "application/vnd.corel-draw"),
]
REFUSED = [
    ("evil.jpg", b"<html><script>alert(1)</script></html>"),  # HTML disguised as an image
    ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("page.html", b"%PDF-1.4\n%%EOF\n"),  # a PDF named .html would be opened as a page
    ("run.sh", b"#!/bin/sh\nrm -rf /\n"),
    ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 30),  # PNG magic, but it does not verify
    ("fake.zip", b"PK\x03\x04" + b"garbage"),
]


@pytest.mark.parametrize(("name", "data", "content_type"), ACCEPTED)
def test_ORD_8_accepted_files_are_recognised_by_content(world, name, data, content_type):
    order = custom_order(world)
    upload = png(name) if data is None else SimpleUploadedFile(name, zip_bytes() if data == "zip" else data)
    item = custom.add_file(world.people["cs"], order, upload, "proof")
    assert item.content_type == content_type and item.name == name
    assert item.file.name.startswith("custom-orders/") and not item.file.name.endswith(name)


@pytest.mark.parametrize(("name", "data"), REFUSED)
def test_ORD_8_html_svg_scripts_and_broken_files_are_refused(world, name, data):
    order = custom_order(world)
    with pytest.raises(DomainError) as e:
        custom.add_file(world.people["cs"], order, SimpleUploadedFile(name, data, content_type="image/jpeg"), "design")
    assert e.value.field == "file"
    assert not CustomFile.objects.exists()


def test_ORD_8_files_over_20_mb_and_empty_files_are_refused(world, settings):
    order = custom_order(world)
    settings.UPLOAD_LIMITS_MB = {**settings.UPLOAD_LIMITS_MB, "custom_file": 1}
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (1024 * 1024))
    with pytest.raises(DomainError) as e:
        custom.add_file(world.people["cs"], order, big, "design")
    assert e.value.code == "file_too_large"
    with pytest.raises(DomainError) as e:
        custom.add_file(world.people["cs"], order, SimpleUploadedFile("empty.pdf", b""), "design")
    assert e.value.code == "file_empty"


def test_ORD_8_the_limit_is_20_mb():
    from zhanggui.core.uploads import limit_bytes

    assert limit_bytes("custom_file") == 20 * 1024 * 1024


def test_ORD_8_original_name_is_cleaned_of_folders():
    assert custom.clean_name("../../etc/设计稿 v2.png") == "设计稿 v2.png"
    assert custom.clean_name("C:\\Users\\a\\logo.ai") == "logo.ai"


def test_ORD_8_download_is_permission_checked_and_shop_scoped(world, client_for):
    order = custom_order(world)
    item = custom.add_file(world.people["cs"], order, png("买家设计.png"), "design")
    url = f"/orders/custom-files/{item.pk}/"
    r = client_for(world.people["marketing"]).get(url)  # orders.view_order, shop_a
    assert r.status_code == 200
    assert r["Content-Disposition"].startswith("attachment") and "%E4%B9%B0%E5%AE%B6" in r["Content-Disposition"]
    assert r["X-Content-Type-Options"] == "nosniff" and r["Content-Type"] == "image/png"
    assert b"".join(r.streaming_content).startswith(b"\x89PNG")
    assert client_for(world.outsider).get(url).status_code == 404  # another shop's staff: it does not exist
    assert client_for(world.people["designer"]).get(url).status_code == 403  # no orders.view_order


# ---- the page --------------------------------------------------------------------------------------------------


def test_ORD_8_panel_shows_the_step_bar_files_and_the_stage_action(world, client_for):
    order = custom_order(world)
    custom.save_choices(world.people["cs"], order, "胸前印 LOVE")
    custom.add_file(world.people["cs"], order, png("买家设计.png"), "design")
    body = client_for(world.people["cs"]).get(f"/orders/{order.pk}/").content.decode()
    assert 'id="custom-work" data-stage="to_confirm"' in body
    assert re.search(r'<li class="current" data-step="to_confirm"', body)
    assert re.search(r'<li class="done" data-step="awaiting_design"', body)
    assert "买家设计.png" in body and "胸前印 LOVE" in body
    assert 'id="custom-confirm-form"' in body and 'id="custom-upload-form"' in body
    viewer = client_for(world.people["marketing"]).get(f"/orders/{order.pk}/").content.decode()
    assert 'id="custom-work"' in viewer and 'id="custom-confirm-form"' not in viewer  # read-only


def test_ORD_8_panel_actions_through_the_page(world, client_for):
    c = client_for(world.people["cs"])
    order = make_order(world, state=S.TO_REVIEW, paid_fen=9900)
    body = c.get(f"/orders/{order.pk}/").content.decode()
    assert 'id="custom-start-form"' in body  # 转为定制订单
    c.post(f"/orders/{order.pk}/custom/start/", {"version": order.version})
    order.refresh_from_db()
    assert order.kind == Order.Kind.CUSTOM
    c.post(f"/orders/{order.pk}/custom/files/", {"kind": "design", "file": png()})
    order.refresh_from_db()
    c.post(
        f"/orders/{order.pk}/custom/step/",
        {"action": "confirm", "version": order.version, "choices": "印字", "delivery_date": tomorrow().isoformat()},
    )
    assert CustomWork.objects.get(order=order).stage == St.IN_PRODUCTION
    order.refresh_from_db()
    c.post(f"/orders/{order.pk}/custom/step/", {"action": "produced", "version": order.version})
    order.refresh_from_db()
    r = c.post(f"/orders/{order.pk}/custom/step/", {"action": "qc_fail", "version": order.version}, follow=True)
    assert "质检不合格请写明原因" in r.content.decode()  # the refusal comes back as a message
    r = c.post(f"/orders/{order.pk}/custom/step/", {"action": "qc_pass", "version": order.version})
    assert CustomWork.objects.get(order=order).stage == St.DONE
    assert client_for(world.people["marketing"]).post(f"/orders/{order.pk}/custom/start/").status_code == 403


def test_ORD_8_no_convert_button_after_review_and_overdue_shows_red(world, client_for):
    c = client_for(world.people["cs"])
    approved = make_order(world, state=S.APPROVED)
    assert 'id="custom-start-form"' not in c.get(f"/orders/{approved.pk}/").content.decode()
    order = advance(world, custom_order(world), St.IN_PRODUCTION)
    assert 'id="custom-overdue"' not in c.get(f"/orders/{order.pk}/").content.decode()
    CustomWork.objects.filter(order=order).update(delivery_date=clock.today() - dt.timedelta(days=1))
    body = c.get(f"/orders/{order.pk}/").content.decode()
    assert 'id="custom-overdue"' in body and "border-danger" in body
    assert custom.is_overdue(CustomWork.objects.get(order=order))
    advance(world, order, St.QC)
    custom.pass_qc(world.people["cs"], order)
    assert not custom.is_overdue(CustomWork.objects.get(order=order))  # done is never overdue


# ---- the API ---------------------------------------------------------------------------------------------------


def test_ORD_8_api_steps_and_refusals(world, client_for):
    c = client_for(world.people["cs"])
    order = make_order(world, state=S.TO_REVIEW, paid_fen=9900)
    base = f"/api/v1/orders/{order.pk}/custom"
    body = c.get(base).json()
    assert (body["is_custom"], body["can_start"], body["stage"]) == (False, True, "")
    body = c.post(base, {"choices": "印 LOVE"}, content_type="application/json").json()
    assert body["is_custom"] and body["stage"] == "to_confirm" and body["choices"] == "印 LOVE"
    approved = make_order(world, state=S.APPROVED)
    assert not c.get(f"/api/v1/orders/{approved.pk}/custom").json()["can_start"]
    r = c.post(f"/api/v1/orders/{approved.pk}/custom", {}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "not_convertible"
    day = tomorrow().isoformat()
    r = c.post(f"{base}/confirm", {"version": 1}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "required"  # the ship date
    r = c.post(f"{base}/confirm", {"delivery_date": day, "version": 1}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "stale_version"
    body = c.post(
        f"{base}/confirm", {"delivery_date": day, "version": body["order_version"]}, content_type="application/json"
    ).json()
    assert body["stage"] == "in_production" and body["delivery_date"] == day and body["confirmed_by"] == "T002"
    body = c.post(f"{base}/production-done", {}, content_type="application/json").json()
    assert body["stage"] == "qc"
    r = c.post(f"{base}/qc", {"passed": False}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    body = c.post(f"{base}/qc", {"passed": False, "note": "颜色偏"}, content_type="application/json").json()
    assert body["stage"] == "in_production" and body["qc_failures"] == 1
    c.post(f"{base}/production-done", {}, content_type="application/json")
    body = c.post(f"{base}/qc", {"passed": True}, content_type="application/json").json()
    assert body["stage"] == "done" and not body["overdue"]
    r = c.post(f"{base}/production-done", {}, content_type="application/json")
    assert r.status_code == 409  # illegal step
    custom.add_file(world.people["cs"], order, png(), "qc")
    files = c.get(base).json()["files"]
    assert files[0]["kind"] == "qc" and files[0]["download_url"] == f"/orders/custom-files/{files[0]['id']}/"


def test_ORD_8_api_permissions_and_shop_scope(world, client_for):
    order = custom_order(world)
    base = f"/api/v1/orders/{order.pk}/custom"
    assert client_for(world.people["marketing"]).get(base).status_code == 200
    r = client_for(world.people["marketing"]).post(f"{base}/production-done", {}, content_type="application/json")
    assert r.status_code == 403
    assert client_for(world.outsider).get(base).status_code == 404
    r = client_for(world.outsider).post(f"{base}/production-done", {}, content_type="application/json")
    assert r.status_code == 404


# ---- demo ------------------------------------------------------------------------------------------------------


def test_ORD_8_demo_creates_custom_orders_in_every_stage_once(world):
    build_stock(world)
    cs, manager = world.people["cs"], world.people["manager"]
    assert load_custom_orders(world.shop_a, cs, manager) == 5
    stages = sorted(CustomWork.objects.filter(order__shop=world.shop_a).values_list("stage", flat=True))
    assert stages == sorted(St.values)
    done = CustomWork.objects.get(order__shop=world.shop_a, stage=St.DONE)
    assert done.qc_failures == 1 and done.order.state == S.APPROVED  # then the normal flow
    assert CustomFile.objects.filter(work__order__shop=world.shop_a).exists()
    assert load_custom_orders(world.shop_a, cs, manager) == 0  # idempotent
    assert CustomWork.objects.filter(order__shop=world.shop_a).count() == 5


def test_ORD_8_upload_page_refuses_a_script_named_png(world, client_for):
    order = custom_order(world)
    hostile = SimpleUploadedFile("design.png", b"<script>alert(1)</script>", content_type="image/png")
    r = client_for(world.people["cs"]).post(
        f"/orders/{order.pk}/custom/files/", {"kind": "design", "file": hostile}, follow=True
    )
    assert "不支持的文件：只接受" in r.content.decode()
    assert not CustomFile.objects.exists()
