"""TEAM-5: buyer phones and addresses are masked for roles that do not need them — on pages and in the API alike.
The manager and customer service see them in full; warehouse, finance and marketing see 138****1234 and the
address down to the district, and the full values never appear anywhere in the response."""

import pytest

from zhanggui.core.events import record_event

FULL_PHONE = "13812341234"
MASKED_PHONE = "138****1234"
STREET = "科技园南路"
MASKED_ADDRESS = "广东省深圳市南山区****"


def body(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.parametrize("role", ["manager", "cs"])
def test_roles_that_need_it_see_the_full_phone_and_address_TEAM_5(world, client_for, role):
    client = client_for(world.people[role])
    page = body(client.get("/customers/"))
    assert FULL_PHONE in page
    assert STREET in page
    assert 'id="masked-note"' not in page
    rows = {c["buyer_nick"]: c for c in client.get("/api/v1/customers").json()}
    assert rows["buyer_a"]["phone"] == FULL_PHONE
    assert rows["buyer_a"]["address"] == "广东省深圳市南山区科技园南路 1 号"
    assert rows["buyer_a"]["name"] == "张三丰"
    assert rows["buyer_a"]["masked"] is False
    detail = body(client.get(f"/customers/{world.customer_a.pk}/"))
    assert FULL_PHONE in detail


@pytest.mark.parametrize("role", ["warehouse", "finance", "marketing"])
def test_other_roles_see_masked_phone_and_district_only_TEAM_5(world, client_for, role):
    client = client_for(world.people[role])
    page = body(client.get("/customers/"))
    assert MASKED_PHONE in page
    assert MASKED_ADDRESS in page
    assert FULL_PHONE not in page
    assert STREET not in page
    assert "张三丰" not in page
    assert 'id="masked-note"' in page

    api = client.get("/api/v1/customers")
    assert FULL_PHONE not in api.content.decode()
    row = next(c for c in api.json() if c["buyer_nick"] == "buyer_a")
    assert (row["phone"], row["address"], row["name"], row["masked"]) == (MASKED_PHONE, MASKED_ADDRESS, "张**", True)

    detail_page = body(client.get(f"/customers/{world.customer_a.pk}/"))
    detail_api = client.get(f"/api/v1/customers/{world.customer_a.pk}")
    for text in (detail_page, detail_api.content.decode()):
        assert MASKED_PHONE in text
        assert FULL_PHONE not in text
        assert STREET not in text


def test_searching_by_phone_does_not_reveal_it_to_masked_roles_TEAM_5(world, client_for):
    page = body(client_for(world.people["warehouse"]).get("/customers/", {"q": "1234"}))
    assert "buyer_a" in page
    assert FULL_PHONE not in page


def test_roles_without_customers_get_403_TEAM_1(world, client_for):
    for role in ("designer", "editor"):
        client = client_for(world.people[role])
        assert client.get("/customers/").status_code == 403
        response = client.get("/api/v1/customers")
        assert response.status_code == 403
        assert FULL_PHONE not in response.content.decode()


def test_phones_written_in_timeline_notes_are_masked_too_TEAM_5(world, client_for):
    record_event(world.people["cs"], world.customer_a, "note", note=f"买家来电 {FULL_PHONE}，要求改地址")
    url = f"/api/v1/timeline?object_type=crm.customer&object_id={world.customer_a.pk}"
    masked = client_for(world.people["warehouse"]).get(url)
    assert masked.status_code == 200
    assert FULL_PHONE not in masked.content.decode()
    assert any(MASKED_PHONE in e["note"] for e in masked.json())
    assert FULL_PHONE not in body(client_for(world.people["warehouse"]).get(f"/customers/{world.customer_a.pk}/"))
    full = client_for(world.people["manager"]).get(url)
    assert any(FULL_PHONE in e["note"] for e in full.json())


def test_an_api_token_masks_exactly_like_the_page_TEAM_5(world):
    from django.test import Client

    from zhanggui.core.services import create_api_token

    _token, key = create_api_token(world.people["warehouse"], "script")
    response = Client(HTTP_HOST="127.0.0.1").get("/api/v1/customers", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert MASKED_PHONE in response.content.decode()
    assert FULL_PHONE not in response.content.decode()
