"""The team API (TEAM-1..3): staff in the caller's shop scope (SHOP-1), clear 4xx errors, and a staff list whose
query count does not grow with the number of people (rule 8)."""

import json
import re

import pytest

from zhanggui.team.models import Staff
from zhanggui.team.services import create_staff

CJK = re.compile(r"[\u4e00-\u9fff]")


def post_json(client, url, payload):
    return client.post(url, data=json.dumps(payload), content_type="application/json")


def test_manager_creates_staff_with_roles_by_chinese_name_TEAM_1_TEAM_3(world, client_for):
    manager = world.people["manager"]
    response = post_json(
        client_for(manager),
        "/api/v1/staff",
        {"number": "B001", "name": "李娜", "roles": ["客服", "美工"], "shops": ["tb-a"]},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["password"]
    assert body["staff"]["number"] == "B001"
    assert sorted(body["staff"]["roles"]) == ["客服（售前/售后）", "美工"]
    assert body["staff"]["shops"] == ["tb-a"]
    assert Staff.objects.get(number="B001").check_password(body["password"])


def test_duplicate_number_and_unknown_role_are_400_with_codes_TEAM_1_TEAM_3(world, client_for):
    client = client_for(world.people["manager"])
    duplicate = post_json(client, "/api/v1/staff", {"number": "T002", "name": "重复", "roles": ["cs"]})
    assert duplicate.status_code == 400
    assert duplicate.json()["code"] == "duplicate_number"
    unknown = post_json(client, "/api/v1/staff", {"number": "B002", "name": "某人", "roles": ["boss"]})
    assert unknown.status_code == 400
    body = unknown.json()
    assert body["code"] == "unknown_role"
    assert "店长" in body["message"] and "warehouse" in body["message"]
    missing = post_json(client, "/api/v1/staff", {"number": "B003", "name": "某人"})
    assert missing.status_code == 422
    assert CJK.search(missing.json()["message"])
    assert not Staff.objects.filter(number__in=["B002", "B003"]).exists()


def test_staff_are_listed_within_the_callers_shops_SHOP_1(world, client_for):
    cs = client_for(world.people["cs"])
    numbers = {s["number"] for s in cs.get("/api/v1/staff").json()}
    assert world.outsider.number not in numbers  # works only in shop_b
    assert {p.number for p in world.people.values()} <= numbers  # shop_a people and the all-shop manager
    assert cs.get(f"/api/v1/staff/{world.outsider.pk}").status_code == 404
    assert cs.get(f"/api/v1/staff/{world.people['designer'].pk}").status_code == 200
    manager_view = {s["number"] for s in client_for(world.people["manager"]).get("/api/v1/staff").json()}
    assert world.outsider.number in manager_view


def test_only_the_manager_adds_staff_TEAM_1(world, client_for):
    response = post_json(
        client_for(world.people["cs"]), "/api/v1/staff", {"number": "B009", "name": "某人", "roles": ["店长"]}
    )
    assert response.status_code == 403
    assert not Staff.objects.filter(number="B009").exists()


def test_unowned_duties_api_TEAM_2(world, client_for):
    from zhanggui.team.models import Duty
    from zhanggui.team.services import set_duty_owners

    client = client_for(world.people["manager"])
    before = {d["id"] for d in client.get("/api/v1/duties/unowned").json()}
    assert before == set(Duty.objects.values_list("id", flat=True))
    first = Duty.objects.filter(role__code="finance").first()
    set_duty_owners(world.people["manager"], first, [world.people["finance"]])
    after = {d["id"] for d in client.get("/api/v1/duties/unowned").json()}
    assert after == before - {first.pk}


def test_roles_api_lists_the_permission_sets_TEAM_1(world, client_for):
    roles = {r["code"]: r for r in client_for(world.people["designer"]).get("/api/v1/roles").json()}
    assert len(roles) == 8  # the seven of TEAM-1 and the agency's client login (DATA-6)
    assert "crm.view_buyer_pii" in roles["cs"]["permissions"]
    assert "crm.view_buyer_pii" not in roles["warehouse"]["permissions"]


@pytest.mark.parametrize("extra_people", [30])
def test_staff_list_api_query_count_does_not_grow_with_people(
    world, client_for, django_assert_max_num_queries, extra_people
):
    """Rule 8: roles and shops come from prefetches, not a query per person."""
    for n in range(extra_people):
        create_staff(
            None,
            number=f"Q{n:03d}",
            name=f"员工{n}",
            roles=["cs", "designer"],
            shops=[world.shop_a, world.shop_b],
            password="x",
        )
    client = client_for(world.people["manager"])
    with django_assert_max_num_queries(10):
        response = client.get("/api/v1/staff")
    assert response.status_code == 200
    assert len(response.json()) >= extra_people + 8
    cs = client_for(world.people["cs"])
    with django_assert_max_num_queries(10):
        assert cs.get("/api/v1/staff").status_code == 200
