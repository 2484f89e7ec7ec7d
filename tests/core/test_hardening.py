"""Hardening of the edges (rule 7 of the house, TEAM-5, PUR-1): NUL bytes, the listings API on many SKUs, JSON
errors from the API when the database fails, the Chinese CSRF page, masked access logs and free text, a health
check that asks the database, web links only, and no start on the development key outside DEBUG."""

import logging
import os
import subprocess
import sys

import pytest
from django.db import DatabaseError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from zhanggui.catalog.models import Listing, ListingSku, Product, Sku
from zhanggui.core.errors import DomainError
from zhanggui.core.privacy import mask_text
from zhanggui.core.services import create_api_token

pytestmark = pytest.mark.django_db


def test_nul_bytes_are_removed_from_search_and_forms(world, client_for):
    client = client_for(world.people["manager"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/orders/", {"q": "13812341234\x00"})
    assert response.status_code == 200
    assert not any("\x00" in str(q["sql"]) for q in queries.captured_queries)
    assert response.wsgi_request.GET["q"] == "13812341234"


def test_prod1_listings_api_with_more_than_a_thousand_skus(world, client_for):
    """GET /api/v1/listings answered 500 on SQLite with the demo data: its SKU prefetch passed SQLite's depth."""
    manager = world.people["manager"]
    listings = []
    for n in range(3):
        product = Product.objects.create(style_code=f"BIG{n}", name="大商品")
        skus = Sku.objects.bulk_create(
            Sku(product=product, code=f"BIG{n}-{i}", colour="黑", size=str(i)) for i in range(400)
        )
        listing = Listing.objects.create(shop=world.shop_a, product=product, title="大商品", price_fen=100)
        ListingSku.objects.bulk_create(ListingSku(listing=listing, sku=s, platform_sku_id=s.code) for s in skus)
        listings.append(listing)
    _t, key = create_api_token(manager, "t")
    response = client_for(manager).get("/api/v1/listings", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert sum(len(item["skus"]) for item in response.json()) == 1200


def test_api_answers_json_when_the_database_fails(world, client_for, monkeypatch):
    from zhanggui.catalog.api import listings

    def broken(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(listings, "_listings", broken)
    manager = world.people["manager"]
    _t, key = create_api_token(manager, "t")
    response = client_for(manager).get("/api/v1/listings", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 503 and response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "database_unavailable" and "数据库" in response.json()["message"]


def test_csrf_failure_page_is_chinese(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.people["manager"])
    response = client.post("/orders/import/", {})
    assert response.status_code == 403
    body = response.content.decode()
    assert "页面已过期" in body and "DEBUG" not in body and "CSRF verification failed" not in body


# ---- TEAM-5: masked access logs and free text ------------------------------------------------------------------


class Kept(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.mark.parametrize("name", ["django.server", "gunicorn.access"])
def test_team5_access_log_lines_mask_phones_in_query_strings(name):
    logger, kept = logging.getLogger(name), Kept()
    logger.addHandler(kept)
    try:
        if name == "django.server":  # runserver's WSGIRequestHandler.log_message
            logger.info('"%s" %s %s', "GET /orders/?q=13812341234 HTTP/1.1", "200", "1024")
        else:  # gunicorn: the access format filled from a dict of atoms
            logger.info('%(h)s "%(r)s" %(s)s', {"h": "127.0.0.1", "r": "GET /crm/?q=13812341234 HTTP/1.1", "s": "200"})
    finally:
        logger.removeHandler(kept)
    assert kept.lines and "13812341234" not in kept.lines[0] and "138****1234" in kept.lines[0]


def test_team5_free_text_masks_street_addresses_and_phones():
    text = "买家要求改地址：广东省深圳市南山区科技园南路 1 号，电话 13812341234，谢谢"
    masked = mask_text(text)
    assert "科技园南路" not in masked and "13812341234" not in masked
    assert "广东省深圳市南山区****" in masked and masked.endswith("谢谢")
    assert mask_text("普通备注：发顺丰，周一发货") == "普通备注：发顺丰，周一发货"


def test_team5_remarks_shown_to_a_role_without_pii_are_masked(world):
    from zhanggui.orders.views.common import clean_text

    remark = "改寄到上海市浦东新区张江路 88 弄 3 号"
    assert "张江路" not in clean_text(remark, world.people["warehouse"], show=False)
    assert clean_text(remark, world.people["manager"], show=True) == remark


# ---- healthz, supplier links, secret key -----------------------------------------------------------------------


def test_healthz_asks_the_database(client, monkeypatch):
    assert client.get("/healthz").status_code == 200
    from django.db.backends.utils import CursorWrapper

    def down(self, sql, params=None):
        raise DatabaseError("server closed the connection")

    monkeypatch.setattr(CursorWrapper, "execute", down)
    response = client.get("/healthz")
    assert response.status_code == 503


@pytest.mark.parametrize(
    "link", ["javascript:alert(document.cookie)", "JavaScript:alert(1)", "data:text/html,<script>x</script>", "ftp://x"]
)
def test_pur1_supplier_link_refuses_other_schemes(world, link):
    from zhanggui.purchasing.services.suppliers import create_supplier

    with pytest.raises(DomainError) as error:
        create_supplier(world.people["manager"], code="JS", name="脚本", shop_url=link)
    assert error.value.field == "shop_url" and "http" in error.value.message


def test_pur1_supplier_link_keeps_web_addresses(world):
    from zhanggui.purchasing.services.suppliers import create_supplier

    manager = world.people["manager"]
    assert create_supplier(manager, code="A", name="甲", shop_url="https://shop.1688.com/x").shop_url.startswith(
        "https"
    )
    assert create_supplier(manager, code="B", name="乙", shop_url="detail.1688.com/o/1").shop_url == (
        "https://detail.1688.com/o/1"
    )


def test_web_app_refuses_the_development_key_outside_debug(settings):
    from django.core.exceptions import ImproperlyConfigured

    from zhanggui.core.startup import require_secret_key

    settings.DEBUG, settings.SECRET_KEY_FROM_ENVIRONMENT = False, False
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        require_secret_key(settings)
    settings.SECRET_KEY_FROM_ENVIRONMENT = True
    require_secret_key(settings)
    settings.DEBUG, settings.SECRET_KEY_FROM_ENVIRONMENT = True, False
    require_secret_key(settings)


@pytest.mark.parametrize(
    ("env", "starts"), [({}, False), ({"DJANGO_SECRET_KEY": "k" * 60}, True), ({"DJANGO_DEBUG": "1"}, True)]
)
def test_wsgi_application_starts_only_with_a_key_or_in_debug(tmp_path, env, starts):
    """What gunicorn (and runserver) load: zhanggui.wsgi, in a fresh process."""
    clean = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SECRET_KEY", "DJANGO_DEBUG")}
    clean.update(env, ZHANGGUI_VAR_DIR=str(tmp_path))
    run = subprocess.run(
        [sys.executable, "-P", "-c", "import zhanggui.wsgi"], env=clean, capture_output=True, text=True, check=False
    )
    assert (run.returncode == 0) is starts, run.stderr[-500:]
    if not starts:
        assert "DJANGO_SECRET_KEY" in run.stderr
