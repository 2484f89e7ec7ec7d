"""The after-sales API (/api/v1/aftersales/cases, AS-2, AS-5, AS-6, TEAM-1, TEAM-5): same services, permissions, shop
scope and masking as the pages; bad input answers 422 in Chinese."""

import json

from zhanggui.aftersales.models import Case
from zhanggui.aftersales.services import cases

from .setup import open_case

URL = "/api/v1/aftersales/cases"
State = Case.State


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_open_move_and_read_a_case_as_2(asw, client_for):
    client = client_for(asw.cs)
    body = {"order_id": asw.shipped.pk, "kind": "return_refund", "lines": [{"line_no": 1, "quantity": 1}],
            "reason_text": "偏小", "requested_refund_fen": 5000, "platform_refund_id": "TB-RF-1"}  # fmt: skip
    created = _post(client, URL, body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["kind_label"] == "退货退款" and data["state"] == "new" and data["refundable_fen"] == 5000
    assert data["lines"] == [{"line_no": 1, "code": "D-黑-M", "title": "碎花连衣裙", "properties": "黑色;M",
                              "ordered": 2, "quantity": 1, "paid_fen": 5000}]  # fmt: skip
    assert data["next_states"] == ["waiting_buyer", "waiting_return", "refused", "cancelled"]
    assert Case.objects.get().source == "api"
    moved = _post(client, f"{URL}/{data['id']}/moves", {"to": "waiting_return", "version": data["version"]})
    assert moved.status_code == 200 and moved.json()["state_label"] == "等买家退货"
    listing = client.get(URL, {"tab": "waiting_return"}).json()
    assert listing["count"] == 1 and listing["tabs"]["waiting_return"] == 1 and listing["items"][0]["number"]


def test_bad_input_answers_422_in_chinese_as_2_as_5(asw, client_for):
    client = client_for(asw.cs)
    base = {"order_id": asw.shipped.pk, "kind": "return_refund", "reason_text": "偏小"}
    too_many = _post(client, URL, {**base, "lines": [{"line_no": 1, "quantity": 3}]})
    assert too_many.status_code == 422 and "1 到 2 之间" in too_many.json()["message"]
    over = _post(client, URL, {**base, "lines": [{"line_no": 1, "quantity": 1}], "requested_refund_fen": 9999})
    assert over.status_code == 422 and "超过了这些商品的实付金额" in over.json()["message"]
    no_line = _post(client, URL, {**base, "lines": [{"line_no": 9, "quantity": 1}]})
    assert no_line.status_code == 422 and "没有第 9 行" in no_line.json()["message"]
    bad_kind = _post(client, URL, {**base, "kind": "nonsense"})
    assert bad_kind.status_code == 422 and "不是允许的取值" in bad_kind.json()["message"]
    assert not Case.objects.exists()


def test_a_duplicate_answers_409_and_a_refund_past_paid_422_as_5(asw, client_for):
    case = open_case(asw, kind="refund_shipped", requested_refund_fen=5000)
    client = client_for(asw.cs)
    body = {"order_id": asw.shipped.pk, "kind": "refund_shipped", "lines": [{"line_no": 1, "quantity": 1}],
            "reason_text": "x"}  # fmt: skip
    assert _post(client, URL, body).status_code == 409
    over = _post(client, f"{URL}/{case.pk}/moves", {"to": "refunding", "agreed_refund_fen": 5001})
    assert over.status_code == 422 and "¥50.01" in over.json()["message"]


def test_scope_roles_and_masking_team_1_team_5(asw, client_for):
    ret, resend = open_case(asw), open_case(asw, kind="resend")
    assert client_for(asw.world.outsider).get(f"{URL}/{ret.pk}").status_code == 404
    keeper = client_for(asw.world.people["warehouse"])
    seen = keeper.get(URL).json()
    assert [item["number"] for item in seen["items"]] == [ret.number]
    assert keeper.get(f"{URL}/{resend.pk}").status_code == 404
    detail = keeper.get(f"{URL}/{ret.pk}").json()
    assert detail["receiver"]["phone"] == "139****5678" and "文三路" not in detail["receiver"]["address"]
    assert client_for(asw.cs).get(f"{URL}/{ret.pk}").json()["receiver"]["phone"] == "13912345678"
    assert _post(keeper, f"{URL}/{ret.pk}/moves", {"to": "waiting_return"}).status_code == 403
    assert client_for(asw.world.people["designer"]).get(URL).status_code == 403


def test_assign_by_staff_number_as_6(asw, client_for):
    a, b = open_case(asw), open_case(asw, kind="exchange")
    answer = _post(client_for(asw.manager), f"{URL}/assign", {"case_ids": [a.pk, b.pk], "owner": "T001"})
    assert answer.status_code == 200 and answer.json() == {"assigned": 2}
    nobody = _post(client_for(asw.manager), f"{URL}/assign", {"case_ids": [a.pk], "owner": "T006"})  # 库管
    assert nobody.status_code == 422 and "不处理售后" in nobody.json()["message"]
    cases.move(asw.cs, a, State.CANCELLED)
    assert _post(client_for(asw.manager), f"{URL}/assign", {"case_ids": [a.pk], "owner": "T002"}).json() == {
        "assigned": 0
    }
