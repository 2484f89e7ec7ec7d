"""Orders API: list with filters and a keyset cursor (ORD-6, ORD-9), one order masked per role (TEAM-5),
remarks (ORD-3) and transitions (ORD-7) with the version guard, shop scope (404 for other shops)."""

import pytest

from zhanggui.orders.models import Order

from .pages_setup import orders_world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def test_ord6_api_list_filters_and_keyset_cursor(orders_world, client_for):
    w = orders_world
    c = client_for(w.people["cs"])
    body = c.get("/api/v1/orders", {"q": "4444"}).json()
    assert [o["platform_order_no"] for o in body["items"]] == ["100000000000002"]
    body = c.get("/api/v1/orders", {"limit": 2}).json()
    assert body["tabs"]["all"] == 3 and body["tabs"]["exc_unmatched"] == 1
    first = [o["id"] for o in body["items"]]
    body2 = c.get("/api/v1/orders", {"limit": 2, "cursor": body["next_cursor"]}).json()
    second = [o["id"] for o in body2["items"]]
    assert len(first) == 2 and len(second) == 1 and not set(first) & set(second)
    assert body2["next_cursor"] is None
    back = c.get("/api/v1/orders", {"limit": 2, "before": body2["prev_cursor"]}).json()
    assert [o["id"] for o in back["items"]] == first
    assert (
        c.get("/api/v1/orders", {"tab": "exc_unmatched"}).json()["items"][0]["platform_order_no"] == "100000000000003"
    )


def test_team5_api_order_masked_for_marketing(orders_world, client_for):
    w = orders_world
    order = w.orders["100000000000001"]
    masked = client_for(w.people["marketing"]).get(f"/api/v1/orders/{order.pk}").json()
    assert masked["receiver_phone"] == "139****2222" and masked["masked"] is True
    full = client_for(w.people["cs"]).get(f"/api/v1/orders/{order.pk}").json()
    assert full["receiver_phone"] == "13911112222" and "approved" in full["allowed_moves"]


def test_api_outsider_404_and_marketing_cannot_change(orders_world, client_for):
    w = orders_world
    order = w.orders["100000000000001"]
    assert client_for(w.outsider).get(f"/api/v1/orders/{order.pk}").status_code == 404
    r = client_for(w.outsider).post(
        f"/api/v1/orders/{order.pk}/remarks", {"note": "x"}, content_type="application/json"
    )
    assert r.status_code == 404
    r = client_for(w.people["marketing"]).post(
        f"/api/v1/orders/{order.pk}/remarks", {"note": "x"}, content_type="application/json"
    )
    assert r.status_code == 403


def test_ord3_api_remark_and_ord7_transition_with_version(orders_world, client_for):
    w = orders_world
    order = w.orders["100000000000001"]
    c = client_for(w.people["cs"])
    r = c.post(
        f"/api/v1/orders/{order.pk}/remarks",
        {"note": "核对无误", "flag": "purple", "version": order.version},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["flag"] == "purple"
    version = r.json()["version"]
    stale = c.post(
        f"/api/v1/orders/{order.pk}/transitions",
        {"to": "approved", "version": version - 1},
        content_type="application/json",
    )
    assert stale.status_code == 400 and stale.json()["code"] == "stale_version"
    r = c.post(
        f"/api/v1/orders/{order.pk}/transitions",
        {"to": "approved", "version": version, "note": "审单"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["state"] == "approved"
    assert any(e["kind"] == "order_state" for e in r.json()["timeline"])
    bad = c.post(f"/api/v1/orders/{order.pk}/transitions", {"to": "completed"}, content_type="application/json")
    assert bad.status_code == 409 and "不能改为" in bad.json()["message"]
    assert Order.objects.get(pk=order.pk).state == "approved"
