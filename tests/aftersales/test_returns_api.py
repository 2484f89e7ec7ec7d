"""The returns API (INV-5, TEAM-1, TEAM-5): the scan answers the waiting cases of the caller's shops with the phone
masked per role; the receive action posts the stock like the page, refuses a second receipt and bad lines in
Chinese; another shop's case does not exist for the caller."""

import json

from zhanggui.aftersales.models import Case
from zhanggui.inventory.models import LedgerEntry

from .returns_setup import shipped_order, waiting_case


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_the_scan_api_masks_the_phone_and_keeps_to_the_callers_shops_inv_5(world, stock, client_for):
    case = waiting_case(world.people["cs"], shipped_order(world, stock, phone="13900006789"), waybill="YD100000001")
    keeper = client_for(world.people["warehouse"])
    body = keeper.get("/api/v1/aftersales/returns/scan?code=yd100000001").json()
    assert body["by"] == "tracking" and [c["number"] for c in body["cases"]] == [case.number]
    assert body["cases"][0]["receiver"]["phone"] == "139****6789"
    assert [ln["quantity"] for ln in body["cases"][0]["lines"]] == [2, 1]
    manager = client_for(world.people["manager"]).get("/api/v1/aftersales/returns/scan?code=6789").json()
    assert manager["by"] == "phone" and manager["cases"][0]["receiver"]["phone"] == "13900006789"
    outsider = client_for(world.outsider).get("/api/v1/aftersales/returns/scan?code=YD100000001").json()
    assert outsider["cases"] == [] and outsider["unknown"]
    wrong = keeper.get("/api/v1/aftersales/returns/scan?code=NOPE12345").json()
    assert wrong["unknown"] and "没有找到" in wrong["message"]
    assert client_for(world.people["designer"]).get("/api/v1/aftersales/returns/scan?code=x").status_code == 403


def test_the_receive_api_posts_once_and_names_bad_lines_inv_5(world, stock, client_for):
    case = waiting_case(world.people["cs"], shipped_order(world, stock), kind="exchange", qtys=(1, 1))
    keeper = client_for(world.people["warehouse"])
    url = f"/api/v1/aftersales/returns/{case.pk}/receive"
    bad = _post(keeper, url, {"version": case.version, "lines": [{"line_no": 1, "intact": 3}, {"line_no": 9}]})
    assert bad.status_code == 422 and "售后单没有第 9 行商品" in bad.json()["message"]
    short = _post(keeper, url, {"version": case.version, "lines": [{"line_no": 1, "intact": 1}]})
    assert short.status_code == 422 and "第 2 行“退货连衣裙”：请填写验货结果" in short.json()["message"]
    lines = [{"line_no": 1, "intact": 1, "exchange_sku": stock["S"].code}, {"line_no": 2, "intact": 1}]
    ok = _post(keeper, url, {"version": case.version, "lines": lines})
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert body["state"] == "resending" and body["replacement_order_no"]
    assert _post(keeper, url, {"version": case.version, "lines": lines}).status_code in (400, 409)
    assert _post(keeper, url, {"lines": lines}).status_code in (400, 409, 422)
    assert LedgerEntry.objects.filter(document=f"case:{case.pk}").count() == 2
    assert _post(client_for(world.outsider), url, {"lines": lines}).status_code in (403, 404)
    assert Case.objects.get(pk=case.pk).replacement_order_id == body["replacement_order_id"]
