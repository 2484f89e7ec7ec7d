"""Rule 8: list pages do a fixed number of queries, however many rows they show (no N+1)."""

from zhanggui.crm.services import create_customer


def test_customer_list_page_query_count_is_flat_SHOP_1_TEAM_5(world, client_for, django_assert_max_num_queries):
    for n in range(60):  # more than one page of 50
        create_customer(
            None,
            world.shop_a if n % 2 else world.shop_b,
            buyer_nick=f"q{n}",
            name="王芳",
            phone=f"1380000{n:04d}",
            province="浙江省",
            city="杭州市",
            district="西湖区",
        )
    for role in ("manager", "warehouse"):
        client = client_for(world.people[role])
        with django_assert_max_num_queries(10):
            response = client.get("/customers/")
        assert response.status_code == 200
        assert response.content.decode().count("/customers/") >= 30  # the rows really rendered
    manager = client_for(world.people["manager"])
    with django_assert_max_num_queries(8):
        assert len(manager.get("/api/v1/customers").json()) == 62
