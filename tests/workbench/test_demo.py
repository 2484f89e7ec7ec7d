"""The demo company: one shop per platform (SHOP-1), staff in every role (TEAM-1), some duties deliberately
without an owner (TEAM-2) — and loading it again creates nothing twice."""

import io

from django.core.management import call_command

from zhanggui.core.models import Event
from zhanggui.crm.models import Customer
from zhanggui.crm.selectors import purchases_of
from zhanggui.orders.models import Order
from zhanggui.shops.models import OpeningChecklist, Shop, ShopSettingValue
from zhanggui.team.models import Role, Staff
from zhanggui.team.selectors import unowned_duties
from zhanggui.team.services import sync_roles
from zhanggui.workbench.demo import UNOWNED, load_demo


def counts():
    return {
        "shops": Shop.objects.count(),
        "staff": Staff.objects.count(),
        "customers": Customer.objects.count(),
        "events": Event.objects.count(),
        "checklists": OpeningChecklist.objects.count(),
        "settings": ShopSettingValue.objects.count(),
    }


def test_loading_the_demo_twice_creates_nothing_the_second_time(db):
    sync_roles()
    first = load_demo()
    after_first = counts()
    assert after_first["shops"] == 5
    assert after_first["customers"] > 0
    second = load_demo()
    assert counts() == after_first
    assert second["shops"] == first["shops"]
    assert second["customers"] == first["customers"]


def test_demo_has_a_shop_on_each_platform_staff_in_every_role_and_unowned_duties_SHOP_1_TEAM_1_TEAM_2(db):
    sync_roles()
    result = load_demo()
    assert set(Shop.objects.values_list("platform_id", flat=True)) == {"taobao", "tmall", "jd", "pdd", "own"}
    for role in Role.objects.select_related("group"):
        assert Staff.objects.filter(groups=role.group, is_active=True).exists(), role.code
    # Exactly the duties the demo leaves open on purpose; every other duty has an active owner.
    assert {d.title for d in unowned_duties()} == UNOWNED
    assert "客户回访" in UNOWNED
    assert all(Customer.objects.filter(shop=s).exists() for s in Shop.objects.all())
    # CRM-1: every demo order (imported or entered by hand) has its buyer's customer, with purchases to show
    assert Order.objects.exists() and not Order.objects.filter(customer__isnull=True).exists()
    assert Order.objects.filter(source=Order.Source.MANUAL, customer__isnull=False).exists()
    busiest = purchases_of(Customer.objects.values_list("pk", flat=True))
    assert max(p.orders for p in busiest.values()) >= 1 and sum(p.spend_fen for p in busiest.values()) > 0
    assert len(result["logins"]) == 9  # with the agency's client A009 (DATA-6)
    from zhanggui.analytics.models import WeeklyReport  # DATA-6: the last four weeks of every shop

    assert WeeklyReport.objects.count() == 4 * Shop.objects.filter(is_active=True).count()
    assert {number for number, _name, _roles in result["logins"]} >= {"A001", "A007"}


def test_demo_logins_work_and_masking_differs_by_role_TEAM_5(db):
    from django.test import Client

    from zhanggui.workbench.demo import DEMO_PASSWORD

    sync_roles()
    load_demo()
    # a customer with a full mobile number (imported orders may carry masked ones), found by its number as a user would
    phone = next(
        p for p in Customer.objects.order_by("pk").values_list("phone", flat=True) if p.isdigit() and len(p) == 11
    )
    manager, warehouse = Client(HTTP_HOST="127.0.0.1"), Client(HTTP_HOST="127.0.0.1")
    assert manager.post("/login/", {"username": "A001", "password": DEMO_PASSWORD}).status_code == 302
    assert warehouse.post("/login/", {"username": "A007", "password": DEMO_PASSWORD}).status_code == 302
    manager_api = manager.get("/api/v1/customers", {"q": phone}).content.decode()
    warehouse_api = warehouse.get("/api/v1/customers", {"q": phone}).content.decode()
    assert phone in manager_api
    assert phone not in warehouse_api
    assert f"{phone[:3]}****{phone[-4:]}" in warehouse_api


def test_the_demo_command_is_idempotent(db):
    sync_roles()
    call_command("demo", stdout=io.StringIO())
    before = counts()
    call_command("demo", stdout=io.StringIO())
    assert counts() == before
