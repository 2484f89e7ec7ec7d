"""Carrier pages and API (SHIP-3, SHIP-5): who may see and edit carriers, unreachable areas by division code with the
official name, the rate table, 运费试算, and the package carrier change over the API."""

import pytest

from zhanggui.fulfilment.models import Carrier, CarrierArea, FreightRate, Package
from zhanggui.fulfilment.services.carriers import load_carriers

from .test_carrier_rules import SHENZHEN, package_for
from .test_carrier_rules import ctx as ctx


@pytest.fixture
def sto(world):
    load_carriers()
    return Carrier.objects.get(code="STO")


@pytest.mark.parametrize(
    ("role", "status"), [("cs", 200), ("designer", 403), ("finance", 200), ("manager", 200), ("warehouse", 200)]
)
def test_list_and_detail_need_view_carrier(world, sto, client_for, role, status):
    client = client_for(world.people[role])
    response = client.get("/shipping/carriers/")
    assert response.status_code == status
    assert client.get(f"/shipping/carriers/{sto.pk}/").status_code == status
    if status == 200:
        text = response.content.decode()
        assert "申通快递" in text and 'data-carrier="SF"' in text
        assert "470" in text  # 申通's JD code for the batch-ship file


def test_only_the_manager_edits_and_sees_the_forms(world, sto, client_for):
    warehouse = client_for(world.people["warehouse"])
    assert 'id="area-form"' not in warehouse.get(f"/shipping/carriers/{sto.pk}/").content.decode()
    response = warehouse.post(f"/shipping/carriers/{sto.pk}/areas/add/", {"adcode": "6301"})
    assert response.status_code == 403
    assert not CarrierArea.objects.filter(carrier=sto, adcode="6301").exists()
    manager = client_for(world.people["manager"])
    assert 'id="area-form"' in manager.get(f"/shipping/carriers/{sto.pk}/").content.decode()


def test_add_area_by_code_takes_the_official_name_and_remove_it(world, sto, client_for):
    client = client_for(world.people["manager"])
    response = client.post(f"/shipping/carriers/{sto.pk}/areas/add/", {"adcode": "630100", "note": "山区"})
    assert response.status_code == 302
    area = CarrierArea.objects.get(carrier=sto, adcode="6301")
    assert area.name == "西宁市" and area.note == "山区"
    page = client.get(f"/shipping/carriers/{sto.pk}/").content.decode()
    assert "西宁市" in page and "快递不达地区" in page  # the timeline entry
    client.post(f"/shipping/carriers/{sto.pk}/areas/remove/", {"area": area.pk})
    assert not CarrierArea.objects.filter(pk=area.pk).exists()


@pytest.mark.parametrize("code", ["123", "990000", "abc"])
def test_add_area_refuses_unknown_codes(world, sto, client_for, code):
    client = client_for(world.people["manager"])
    before = CarrierArea.objects.filter(carrier=sto).count()
    response = client.post(f"/shipping/carriers/{sto.pk}/areas/add/", {"adcode": code}, follow=True)
    assert "不存在" in response.content.decode()
    assert CarrierArea.objects.filter(carrier=sto).count() == before


def test_rate_rows_are_created_replaced_and_removed(world, sto, client_for):
    client = client_for(world.people["manager"])
    row = {"province_code": "44", "first_weight_g": "1000", "first_yuan": "4.5", "step_g": "500", "step_yuan": "1"}
    client.post(f"/shipping/carriers/{sto.pk}/rates/save/", row)
    rate = FreightRate.objects.get(carrier=sto, province_code="44")
    assert (rate.first_fen, rate.step_g, rate.step_fen) == (450, 500, 100)
    client.post(f"/shipping/carriers/{sto.pk}/rates/save/", {**row, "first_yuan": "5"})
    assert FreightRate.objects.get(carrier=sto, province_code="44").first_fen == 500
    response = client.post(f"/shipping/carriers/{sto.pk}/rates/save/", {**row, "step_g": "0"}, follow=True)
    assert "续重应在 1 到 100,000 克之间" in response.content.decode()
    client.post(f"/shipping/carriers/{sto.pk}/rates/remove/", {"rate": rate.pk})
    assert not FreightRate.objects.filter(carrier=sto, province_code="44").exists()


def test_quote_box_shows_fee_per_carrier(world, sto, client_for):
    """运费试算 (SHIP-5): 2.5 kg to 浙江 = 申通 3.5 + 2 × 1 = 5.50 元; 圆通 does not reach 西藏."""
    client = client_for(world.people["finance"])
    text = client.get("/shipping/carriers/", {"province": "33", "weight": "2500"}).content.decode()
    assert 'id="quote-table"' in text and "¥5.50" in text
    text = client.get("/shipping/carriers/", {"province": "54", "weight": "1000"}).content.decode()
    assert "不可达" in text or "Does not reach" in text


def test_api_lists_and_quotes(world, sto, client_for):
    client = client_for(world.people["finance"])
    codes = [c["code"] for c in client.get("/api/v1/carriers").json()]
    assert codes[:2] == ["STO", "YTO"]
    detail = client.get(f"/api/v1/carriers/{sto.pk}").json()
    assert {"adcode": "54", "name": "西藏自治区", "note": ""} in detail["unreachable"]
    assert detail["platform_codes"]["jd"]["code"] == "470"
    quote = client.post(
        "/api/v1/carriers/quote", {"province": "浙江", "weight_g": 2500}, content_type="application/json"
    )
    by_code = {row["code"]: row for row in quote.json()}
    assert by_code["STO"]["fee_fen"] == 550 and by_code["EMS"]["fee_fen"] == 1500 + 2 * 800
    bad = client.post("/api/v1/carriers/quote", {"province": "火星", "weight_g": 1}, content_type="application/json")
    assert bad.status_code == 400


def test_api_changes_a_package_carrier(ctx, client_for):
    """SHIP-3 over the API: cs (review_order) switches to 顺丰 at the EMS price; another shop's staff get 404."""
    package = package_for(ctx, SHENZHEN)
    url = f"/api/v1/packages/{package.pk}/carrier"
    outsider = client_for(ctx.outsider).post(url, {"carrier": "SF"}, content_type="application/json")
    assert outsider.status_code == 404
    response = client_for(ctx.people["cs"]).post(url, {"carrier": "SF"}, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["carrier"] == "SF" and body["surcharge_fen"] == 1500 - 500  # EMS 1.5 − 申通 0.5 for 0.5 kg
    assert Package.objects.get(pk=package.pk).carrier.code == "SF"
    refused = client_for(ctx.people["cs"]).post(url, {"carrier": "NOPE"}, content_type="application/json")
    assert refused.status_code == 400 and "不存在" in refused.json()["message"]
