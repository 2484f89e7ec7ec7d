"""Shared fixtures: a small company with two shops and one person per role.

`world` gives: shop_a (taobao), shop_b (jd); `people[role_code]` — one staff member per role, all scoped to
shop_a only except the manager (all shops); `outsider` — a customer-service agent scoped to shop_b only.
"""

import pytest
from django.test import Client

from zhanggui.crm.services import create_customer
from zhanggui.shops.services import create_shop
from zhanggui.team.models import Role
from zhanggui.team.services import create_staff, sync_roles

PASSWORD = "test-pass-123"
ROLE_CODES = ["manager", "cs", "designer", "editor", "marketing", "warehouse", "finance"]


class World:
    pass


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 costs ~0.3 s per staff member and the world creates nine; tests do not need real hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _jobs_inline(settings):
    """Background jobs run in the caller, after commit, and no scheduler thread runs (tests/core/test_background.py
    and tests/core/test_scheduler.py turn the `make run` configuration on)."""
    settings.ZHANGGUI_JOBS = "inline"
    settings.ZHANGGUI_SCHEDULER = False


@pytest.fixture(autouse=True)
def _private_media_root(settings, tmp_path_factory):
    """Uploads, exports and demo images of a test go to a temporary folder, never into var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def world(db):
    sync_roles()
    w = World()
    w.shop_a = create_shop(None, code="tb-a", platform="taobao", name="甲店")
    w.shop_b = create_shop(None, code="jd-b", platform="jd", name="乙店")
    w.people = {}
    for n, code in enumerate(ROLE_CODES, start=1):
        staff, _pw = create_staff(
            None, number=f"T{n:03d}", name=f"测试{code}", roles=[code], shops=[w.shop_a], password=PASSWORD
        )
        w.people[code] = staff
    w.outsider, _pw = create_staff(
        None, number="T900", name="乙店客服", roles=["cs"], shops=[w.shop_b], password=PASSWORD
    )
    w.customer_a = create_customer(
        None,
        w.shop_a,
        buyer_nick="buyer_a",
        name="张三丰",
        phone="13812341234",
        province="广东省",
        city="深圳市",
        district="南山区",
        address="科技园南路 1 号",
    )
    w.customer_b = create_customer(
        None,
        w.shop_b,
        buyer_nick="buyer_b",
        name="李四",
        phone="13987654321",
        province="浙江省",
        city="杭州市",
        district="西湖区",
        address="文三路 2 号",
    )
    w.roles = {r.code: r for r in Role.objects.select_related("group")}
    return w


@pytest.fixture
def client_for():
    """client_for(staff) → a Django test client signed in as that person."""

    def make(staff):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(staff)
        return client

    return make
