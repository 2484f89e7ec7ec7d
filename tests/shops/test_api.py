"""The shops API: same rules as the pages (SHOP-1..3, rule 6), and every bad payload answers 4xx with a Chinese
message — never a 500 (rule 7)."""

import json
import re

import pytest

from zhanggui.core.models import Event
from zhanggui.shops.models import Shop, ShopSettingValue
from zhanggui.shops.settings_store import get_setting

CJK = re.compile(r"[\u4e00-\u9fff]")


def post_json(client, url, payload, method="post"):
    return getattr(client, method)(url, data=json.dumps(payload), content_type="application/json")


@pytest.fixture
def manager_client(world, client_for):
    return client_for(world.people["manager"])


def test_manager_creates_a_shop_SHOP_1(world, manager_client):
    response = post_json(manager_client, "/api/v1/shops", {"code": "pdd-x", "platform": "pdd", "name": "拼多多店"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["code"], body["platform"], body["platform_name"]) == ("pdd-x", "pdd", "拼多多")
    event = Event.objects.get(shop__code="pdd-x", kind="created")
    assert event.actor_number == world.people["manager"].number


@pytest.mark.parametrize("missing", ["code", "platform", "name"])
def test_missing_field_is_422_with_a_chinese_message(world, manager_client, missing):
    payload = {"code": "pdd-x", "platform": "pdd", "name": "拼多多店"}
    del payload[missing]
    response = post_json(manager_client, "/api/v1/shops", payload)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert CJK.search(body["message"])
    assert [e["field"] for e in body["errors"]] == [missing]
    assert not Shop.objects.filter(code="pdd-x").exists()


@pytest.mark.parametrize(
    "raw",
    ["", "not json", "[1, 2]", '{"code": 1, "platform": "pdd", "name": "店"}', '"just a string"', "{"],
)
def test_malformed_bodies_are_4xx_never_500(world, manager_client, raw):
    response = manager_client.post("/api/v1/shops", data=raw, content_type="application/json")
    assert 400 <= response.status_code < 500, (raw, response.status_code, response.content)
    body = response.json()
    assert body["code"]
    assert CJK.search(body["message"]), body


def test_duplicate_code_is_400_with_its_code_SHOP_1(world, manager_client):
    response = post_json(manager_client, "/api/v1/shops", {"code": "tb-a", "platform": "taobao", "name": "重复"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "duplicate_code"
    assert body["field"] == "code"
    assert CJK.search(body["message"])


def test_unknown_platform_is_400_SHOP_1(world, manager_client):
    response = post_json(manager_client, "/api/v1/shops", {"code": "ks-1", "platform": "kuaishou", "name": "快手"})
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_platform"


def test_roles_without_the_right_cannot_create_shops_TEAM_1(world, client_for):
    response = post_json(
        client_for(world.people["cs"]), "/api/v1/shops", {"code": "pdd-x", "platform": "pdd", "name": "拼多多店"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert CJK.search(response.json()["message"])
    assert not Shop.objects.filter(code="pdd-x").exists()


def test_profile_patch_and_its_errors_SHOP_2(world, manager_client):
    url = f"/api/v1/shops/{world.shop_b.pk}"
    response = post_json(manager_client, url, {"shop_type": "pop", "announcement": "京东 618"}, method="patch")
    assert response.status_code == 200
    assert (response.json()["shop_type"], response.json()["announcement"]) == ("pop", "京东 618")
    response = post_json(manager_client, url, {"shop_type": "flagship"}, method="patch")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_shop_type"
    response = post_json(manager_client, url, {"is_active": "perhaps"}, method="patch")
    assert response.status_code == 422


def test_settings_read_shows_defaults_with_rule_ids(world, manager_client):
    response = manager_client.get(f"/api/v1/shops/{world.shop_a.pk}/settings")
    assert response.status_code == 200
    by_key = {s["key"]: s for s in response.json()}
    deposit = by_key["opening.taobao_deposit"]
    assert (deposit["value"], deposit["default"], deposit["rule"]) == (100_000, 100_000, "SHOP-3")
    assert deposit["display"] == "¥1,000.00"


def test_settings_patch_with_a_bad_value_is_400_per_key_and_writes_nothing(world, manager_client):
    url = f"/api/v1/shops/{world.shop_a.pk}/settings"
    response = post_json(
        manager_client,
        url,
        {"opening.taobao_deposit": "20000", "service.reply_promise_hours": "abc", "service.hours_end": "9pm"},
        method="patch",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_settings"
    assert set(body["errors"]) == {"service.reply_promise_hours", "service.hours_end"}
    assert all(CJK.search(m) for m in body["errors"].values())
    assert not ShopSettingValue.objects.filter(shop=world.shop_a).exists()


def test_settings_patch_saves_money_in_yuan(world, manager_client):
    url = f"/api/v1/shops/{world.shop_a.pk}/settings"
    response = post_json(manager_client, url, {"opening.taobao_deposit": "20000"}, method="patch")
    assert response.status_code == 200
    assert get_setting(world.shop_a, "opening.taobao_deposit") == 2_000_000
    assert {s["key"]: s["display"] for s in response.json()}["opening.taobao_deposit"] == "¥20,000.00"


def test_settings_patch_needs_the_settings_right_TEAM_1(world, client_for):
    response = post_json(
        client_for(world.people["cs"]),
        f"/api/v1/shops/{world.shop_a.pk}/settings",
        {"service.reply_promise_hours": "7"},
        method="patch",
    )
    assert response.status_code == 403
    assert get_setting(world.shop_a, "service.reply_promise_hours") == 8
    # Reading them needs the same right as their page (the page answers 403 to 客服)
    assert client_for(world.people["cs"]).get(f"/api/v1/shops/{world.shop_a.pk}/settings").status_code == 403


def test_settings_of_a_jd_shop_are_its_own_and_the_shared_ones_rule_6_SHOP_3(world, manager_client):
    """GET lists the JD settings and the service settings, not Tmall's; PATCHing a Tmall one is 400 per key."""
    url = f"/api/v1/shops/{world.shop_b.pk}/settings"
    response = manager_client.get(url)
    assert response.status_code == 200
    keys = {s["key"] for s in response.json()}
    assert {"opening.jd_review_days", "opening.jd_deposit", "service.reply_promise_hours"} <= keys
    assert "opening.tmall_deposit" not in keys
    assert not {k for k in keys if k.startswith(("opening.tmall", "opening.taobao", "opening.pdd"))}
    response = post_json(
        manager_client, url, {"opening.tmall_deposit": "20000", "opening.jd_review_days": "10"}, method="patch"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_settings"
    assert set(body["errors"]) == {"opening.tmall_deposit"}
    assert CJK.search(body["errors"]["opening.tmall_deposit"])
    assert not ShopSettingValue.objects.filter(shop=world.shop_b).exists()


def test_shops_outside_the_scope_do_not_exist_SHOP_1(world, client_for):
    cs = client_for(world.people["cs"])
    assert [s["code"] for s in cs.get("/api/v1/shops").json()] == ["tb-a"]
    response = cs.get(f"/api/v1/shops/{world.shop_b.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert cs.get(f"/api/v1/timeline?object_type=shops.shop&object_id={world.shop_b.pk}").status_code == 404
    assert cs.get(f"/api/v1/timeline?object_type=shops.shop&object_id={world.shop_a.pk}").status_code == 200


def test_a_signed_in_browser_must_send_the_csrf_token(world):
    """Session-authenticated writes need the CSRF token (tokens in headers do not): 403 in Chinese, nothing made."""
    from django.test import Client

    browser = Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=True)
    browser.force_login(world.people["manager"])
    response = post_json(browser, "/api/v1/shops", {"code": "pdd-x", "platform": "pdd", "name": "拼多多店"})
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert CJK.search(response.json()["message"])
    assert not Shop.objects.filter(code="pdd-x").exists()
