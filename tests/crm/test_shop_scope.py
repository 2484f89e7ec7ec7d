"""SHOP-1: every screen filters by shop. A person scoped to shop_a never sees shop_b's customers — in lists, the
API or detail pages (404, not 403: they do not exist for them) — and the shop switcher narrows every list."""

FULL_B_PHONE = "13987654321"


def nicks(response):
    assert response.status_code == 200
    return {c["buyer_nick"] for c in response.json()}


def test_scoped_agent_lists_only_their_shops_customers_SHOP_1(world, client_for):
    cs = client_for(world.people["cs"])
    page = cs.get("/customers/").content.decode()
    assert "buyer_a" in page
    assert "buyer_b" not in page
    assert FULL_B_PHONE not in page
    assert nicks(cs.get("/api/v1/customers")) == {"buyer_a"}
    assert nicks(cs.get("/api/v1/customers", {"shop": "jd-b"})) == set()
    assert nicks(cs.get("/api/v1/customers", {"q": "buyer_b"})) == set()


def test_other_shops_objects_are_404_SHOP_1(world, client_for):
    cs = client_for(world.people["cs"])
    for url in (
        f"/customers/{world.customer_b.pk}/",
        f"/api/v1/customers/{world.customer_b.pk}",
        f"/shops/{world.shop_b.pk}/",
        f"/api/v1/shops/{world.shop_b.pk}",
        f"/api/v1/timeline?object_type=crm.customer&object_id={world.customer_b.pk}",
    ):
        response = cs.get(url)
        assert response.status_code == 404, url
        assert FULL_B_PHONE not in response.content.decode()
    assert cs.get(f"/customers/{world.customer_a.pk}/").status_code == 200


def test_the_outsider_sees_the_other_shop_only_SHOP_1(world, client_for):
    outsider = client_for(world.outsider)
    assert nicks(outsider.get("/api/v1/customers")) == {"buyer_b"}
    assert outsider.get(f"/customers/{world.customer_a.pk}/").status_code == 404


def test_the_manager_sees_every_shop_and_the_switcher_narrows_the_list_SHOP_1(world, client_for):
    manager = client_for(world.people["manager"])
    assert nicks(manager.get("/api/v1/customers")) == {"buyer_a", "buyer_b"}
    page = manager.get("/customers/").content.decode()
    assert "buyer_a" in page and "buyer_b" in page

    response = manager.post("/scope/", {"shop": "jd-b", "next": "/customers/"})
    assert response.status_code == 302
    assert response.url == "/customers/"
    page = manager.get("/customers/").content.decode()
    assert "buyer_b" in page
    assert "buyer_a" not in page
    shops_table = manager.get("/shops/").content.decode().split('id="shop-table"')[1]
    assert "<code>jd-b</code>" in shops_table
    assert "<code>tb-a</code>" not in shops_table

    manager.post("/scope/", {"shop": ""})  # 全部店铺
    page = manager.get("/customers/").content.decode()
    assert "buyer_a" in page and "buyer_b" in page


def test_selecting_a_shop_outside_your_scope_is_404_SHOP_1(world, client_for):
    cs = client_for(world.people["cs"])
    assert cs.post("/scope/", {"shop": "jd-b"}).status_code == 404
    assert cs.post("/scope/", {"shop": "no-such-shop"}).status_code == 404
    page = cs.get("/customers/", {"shop": "jd-b"}).content.decode()  # a crafted query string does not widen it
    assert "buyer_b" not in page
    assert "buyer_a" in page


def test_the_switcher_only_redirects_within_the_site(world, client_for):
    manager = client_for(world.people["manager"])
    response = manager.post("/scope/", {"shop": "tb-a", "next": "https://evil.example/phish"})
    assert response.status_code == 302
    assert response.url == "/"


def test_the_switcher_needs_a_post(world, client_for):
    assert client_for(world.people["manager"]).get("/scope/").status_code == 405
