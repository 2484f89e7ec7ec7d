"""Personal API tokens: the key is shown once, only its SHA-256 digest is stored, it acts with exactly the owner's
roles and shops (TEAM-1, SHOP-1), revoking stops it at once, and only the owner can revoke it (TEAM-3 records it)."""

import hashlib
import re

import pytest
from django.test import Client

from zhanggui.core.errors import DomainError
from zhanggui.core.models import ApiToken, Event
from zhanggui.core.services import MAX_ACTIVE_TOKENS, create_api_token, revoke_api_token

KEY = re.compile(r"zg_[A-Za-z0-9_-]{20,}")


def api(key=None, header="Authorization"):
    client = Client(HTTP_HOST="127.0.0.1")
    if key is None:
        return client
    meta = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if header == "Authorization" else {"HTTP_X_API_KEY": key}
    client.defaults.update(meta)
    return client


def create_on_the_page(client, name="订单同步脚本"):
    response = client.post("/me/tokens/", {"name": name})
    assert response.status_code == 200
    page = response.content.decode()
    keys = KEY.findall(page)
    assert len(keys) == 1, "the new key is shown once on the page"
    return keys[0], page


def test_token_created_on_the_page_works_as_bearer_TEAM_3(world, client_for):
    cs = world.people["cs"]
    key, _page = create_on_the_page(client_for(cs))
    response = api(key).get("/api/v1/me")
    assert response.status_code == 200
    me = response.json()
    assert (me["number"], me["all_shops"], me["shops"]) == (cs.number, False, ["tb-a"])
    assert "crm.view_buyer_pii" in me["permissions"]
    assert api(key, header="X-API-Key").get("/api/v1/me").json()["number"] == cs.number
    # Shown once: the token list afterwards has the prefix only.
    later = client_for(cs).get("/me/tokens/").content.decode()
    assert key not in later
    assert key[:8] in later


def test_only_a_sha256_digest_is_stored(world, client_for):
    key, _page = create_on_the_page(client_for(world.people["cs"]))
    token = ApiToken.objects.get()
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    stored = [str(v) for v in ApiToken.objects.values_list(*[f.attname for f in ApiToken._meta.concrete_fields])[0]]
    assert key not in stored
    assert not any(key in f"{e.note}{e.to_state}{e.data}" for e in Event.objects.all())
    event = Event.objects.get(kind="token_created")
    assert event.actor_number == world.people["cs"].number


def test_revoked_token_is_refused_with_401(world, client_for):
    cs_page = client_for(world.people["cs"])
    key, _page = create_on_the_page(cs_page)
    token = ApiToken.objects.get()
    assert api(key).get("/api/v1/me").status_code == 200
    response = cs_page.post(f"/me/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    refused = api(key).get("/api/v1/me")
    assert refused.status_code == 401
    assert refused.json()["code"] == "unauthenticated"
    assert re.search(r"[\u4e00-\u9fff]", refused.json()["message"])
    assert Event.objects.filter(kind="token_revoked", actor_number=world.people["cs"].number).exists()


def test_another_user_cannot_revoke_your_token(world, client_for):
    key, _page = create_on_the_page(client_for(world.people["cs"]))
    token = ApiToken.objects.get()
    response = client_for(world.people["manager"]).post(f"/me/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert api(key).get("/api/v1/me").status_code == 200
    with pytest.raises(DomainError) as info:
        revoke_api_token(world.people["manager"], token)
    assert info.value.code == "not_yours"


def test_another_users_token_list_does_not_show_yours(world, client_for):
    create_on_the_page(client_for(world.people["cs"]), name="客服脚本")
    assert "客服脚本" not in client_for(world.people["manager"]).get("/me/tokens/").content.decode()


@pytest.mark.parametrize("key", ["", "zg_wrong", "not-a-token", "Bearer"])
def test_bad_or_missing_tokens_are_401(world, key):
    response = api(key).get("/api/v1/me") if key else api().get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_a_deactivated_persons_token_stops_working(world):
    from zhanggui.team.services import update_staff

    _token, key = create_api_token(world.people["finance"], "对账")
    assert api(key).get("/api/v1/me").status_code == 200
    update_staff(world.people["manager"], world.people["finance"], is_active=False)
    assert api(key).get("/api/v1/me").status_code == 401


def test_a_token_has_exactly_its_owners_rights_TEAM_1_SHOP_1(world):
    _token, key = create_api_token(world.people["designer"], "图片脚本")
    client = api(key)
    assert client.get("/api/v1/customers").status_code == 403
    assert (
        client.post(
            "/api/v1/shops", data={"code": "x1", "platform": "pdd", "name": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert client.get(f"/api/v1/shops/{world.shop_b.pk}").status_code == 404
    assert client.get(f"/api/v1/shops/{world.shop_a.pk}").status_code == 200


def test_a_token_needs_a_name_and_there_is_a_limit(world, client_for):
    cs = world.people["cs"]
    response = client_for(cs).post("/me/tokens/", {"name": ""})
    assert response.status_code == 400
    assert not KEY.search(response.content.decode())
    with pytest.raises(DomainError):
        create_api_token(cs, "   ")
    for n in range(MAX_ACTIVE_TOKENS):
        create_api_token(cs, f"t{n}")
    with pytest.raises(DomainError) as info:
        create_api_token(cs, "one too many")
    assert info.value.code == "too_many"


def test_revoking_twice_is_refused(world):
    token, _key = create_api_token(world.people["cs"], "x")
    revoke_api_token(world.people["cs"], token)
    with pytest.raises(DomainError) as info:
        revoke_api_token(world.people["cs"], token)
    assert info.value.code == "already_revoked"
