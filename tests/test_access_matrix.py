"""The access matrix, generated from the URL configuration and the OpenAPI schema (SHOP-1, TEAM-1, TEAM-5).

Nothing here lists pages or routes by hand: every URL pattern and every API operation is discovered, so a new
page without `page()`/`public()`, a new route without `api_route(..., perm=...)` or a new URL kwarg without a
sample object makes this file fail. Each area loops over the whole matrix and collects every gap into one list,
so a single run reports all of them.

Columns: the seven roles (all scoped to shop_a except the manager), anonymous, the outsider (cs of shop_b only,
for shop-scoped objects), another owner (tokens and jobs only serve their owner), and masking (buyer phones).
"""

import datetime as dt
import json
import re
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from tests import access_samples
from zhanggui.catalog.services.images import upload_image
from zhanggui.catalog.services.listing_schedules import schedule as schedule_listing
from zhanggui.catalog.services.listings import create_listing
from zhanggui.catalog.services.products import create_product
from zhanggui.core import clock
from zhanggui.core.access import LOGIN_ONLY
from zhanggui.core.models import ApiToken, Job
from zhanggui.core.services import create_api_token, revoke_api_token
from zhanggui.inventory.services.warehouses import create_warehouse
from zhanggui.shops.services import start_opening_checklist
from zhanggui.team.models import Duty
from zhanggui.team.services import create_staff

from .conftest import ROLE_CODES

PUBLIC = "public"
API_PREFIX = "/api/v1"
SKIPPED_NAMESPACES = {"admin", "api"}  # checked by test_admin_* and test_api_* below
FULL_PHONE = "13812341234"  # world.customer_a
MASKED_PHONE = "138****1234"
FULL_STREET = "科技园南路"  # the part of customer_a's address that masking removes
PII_PERM = "crm.view_buyer_pii"
OK_POST = {200, 302, 400, 404}  # an empty form may be rejected or bounce back; never 403 or 5xx


# ---------------------------------------------------------------------------------------------------------------
# Sample objects for URL kwargs and path params
# ---------------------------------------------------------------------------------------------------------------


class MissingSample(Exception):
    pass


def _tiny_png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 60, 60)).save(out, "PNG")
    return out.getvalue()


class Samples:
    """kwarg / path-param name → id of an object of shop_a. Extend `shared` when a new URL kwarg appears.

    Owner-only objects (tokens, jobs) are created per requesting user: `value(name, user)` gives that user's own
    object, `value(name, user, other=True)` someone else's (the outsider's), which must answer 404.
    """

    SHOP_BOUND = {
        "shop_id",
        "step_id",
        "customer_id",
        "staff_id",
        "object_id",
        "listing_id",
        "schedule_id",
        *access_samples.shop_bound(),
    }  # the outsider must not reach these
    OWNED = {"token_id", "job_id"}  # served to their owner only
    QUERY = {"object_type": "shops.shop"}  # required query params (object_id is filled with shop_a below)

    def __init__(self, world, media_root):
        self.world = world
        self.media_root = media_root
        checklist = start_opening_checklist(None, world.shop_a)
        # A colleague in shop_a who is never a requester: resetting their password must not sign anyone out.
        colleague, _pw = create_staff(None, number="T800", name="甲店同事", roles=["designer"], shops=[world.shop_a])
        # PROD-1: a product with a 2 × 2 grid (products belong to the company, not to a shop).
        product = create_product(
            None, style_code="AM-001", name="矩阵连衣裙", colours=["黑色", "白色"], sizes=["S", "M"]
        )
        # PROD-1/PROD-2: a listing of that product in shop_a with a pending schedule.
        listing = create_listing(None, world.shop_a, product, "矩阵连衣裙", 9900)
        listing_schedule = schedule_listing(None, listing, "list", clock.now() + dt.timedelta(days=1))
        # PROD-4: an image of that product (a tiny generated PNG), so the file views have something to serve.
        image = upload_image(None, product, SimpleUploadedFile("m.png", _tiny_png()), "main")
        # INV-4: a warehouse (stock is company-level, so the outsider may reach it like everyone with the right).
        warehouse = create_warehouse(None, code="AM-WH", name="矩阵仓", is_default=True)
        self.shared = {
            "shop_id": world.shop_a.pk,
            "product_id": product.pk,
            "listing_id": listing.pk,
            "image_id": image.pk,
            "sku_id": product.skus.order_by("pk").first().pk,
            "warehouse_id": warehouse.pk,
            "schedule_id": listing_schedule.pk,
            "staff_id": colleague.pk,
            "customer_id": world.customer_a.pk,
            "step_id": checklist.steps.order_by("position").first().pk,
            "duty_id": Duty.objects.order_by("pk").first().pk,
            "object_id": world.shop_a.pk,
            **self.QUERY,
        }
        self.shared.update(access_samples.build_all(world, self.shared))  # tests/access_samples/<area>.py
        self._owned = {}

    def value(self, name, user, *, other=False):
        if name in self.OWNED:
            return self._owned_by(name, self.world.outsider if other else user)
        if name not in self.shared:
            raise MissingSample(name)
        return self.shared[name]

    def fill(self, names, user, *, other=False):
        return {n: self.value(n, user, other=other) for n in names}

    def _owned_by(self, name, user):
        key = (name, user.pk)
        if key not in self._owned:
            if name == "token_id":
                self._owned[key] = create_api_token(user, "access-matrix")[0].pk
            else:  # job_id: a finished export with its file, so the download page has something to serve
                job = Job.objects.create(
                    kind="customers_export", title="matrix", created_by=user, status=Job.Status.DONE
                )
                job.result_file = f"exports/matrix-{job.pk}.csv"
                job.save(update_fields=["result_file"])
                path = self.media_root / job.result_file
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("buyer_nick\nbuyer_a\n", encoding="utf-8")
                self._owned[key] = job.pk
        return self._owned[key]


@pytest.fixture
def samples(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return Samples(world, tmp_path)


class Browser:
    """One test client for every column of the matrix: switching users is cheap, a new client is not
    (each one builds the middleware chain, and WhiteNoise scans the static files)."""

    def __init__(self, client, user):
        self.client = client
        self.user = user

    def as_user(self, user):
        """The client signed in as `user`; None → anonymous (and then also for bearer-token API calls)."""
        if user is None:
            if self.user is not None:
                self.client.logout()
        elif self.user is not user:
            self.client.force_login(user)
        self.user = user
        return self.client

    def forget(self):
        """After a request that may have ended the session (logout), sign in again next time."""
        self.client.logout()
        self.user = None


@pytest.fixture
def browser(client_for, world):
    manager = world.people["manager"]
    return Browser(client_for(manager), manager)


def may(user, perm):
    """What the role's group grants — computed here, not with the app's own check."""
    return perm == LOGIN_ONLY or user.has_perm(perm)


def body_of(response):
    if getattr(response, "streaming", False):
        # Consume it: the test client's wrapper then closes the response without closing the DB connection
        # (calling response.close() directly drops the PostgreSQL connection and the test's transaction).
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def pii_leak(user, response):
    """A role without the right to see buyer data must never get it, on any page or route."""
    if user is None or may(user, PII_PERM):
        return None
    body = body_of(response)
    leaked = [s for s in (FULL_PHONE, FULL_STREET) if s in body]
    return f"shows {leaked} to {user.number} without {PII_PERM}" if leaked else None


def check_perms_exist(perms, failures, where):
    for perm in perms:
        if perm in (LOGIN_ONLY, PUBLIC):
            continue
        app_label, _dot, codename = perm.partition(".")
        if not Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists():
            failures.append(f"{where}: requires unknown permission {perm!r} (typo? nobody but a superuser has it)")


# ---------------------------------------------------------------------------------------------------------------
# Pages: walk the URL configuration
# ---------------------------------------------------------------------------------------------------------------

_KWARG = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclass
class PageRoute:
    route: str  # "shops/<int:shop_id>/edit/"
    name: str  # "shops:edit"
    view: object

    @property
    def label(self):
        return f"/{self.route} ({self.name or 'unnamed'})"

    @property
    def kwargs(self):
        return _KWARG.findall(self.route)

    @property
    def access(self):
        return getattr(self.view, "access", None)

    @property
    def method(self):
        """POST for views decorated with require_POST (or class views without GET, like LogoutView)."""
        view_class = getattr(self.view, "view_class", None)
        if view_class is not None:
            return "GET" if "get" in view_class.http_method_names else "POST"
        func = self.view
        while func is not None:
            code, closure = getattr(func, "__code__", None), getattr(func, "__closure__", None)
            if code is not None and closure and "request_method_list" in code.co_freevars:
                methods = closure[code.co_freevars.index("request_method_list")].cell_contents
                return "GET" if "GET" in methods else methods[0]
            func = getattr(func, "__wrapped__", None)
        return "GET"

    def url(self, values):
        return "/" + _KWARG.sub(lambda m: str(values[m.group(1)]), self.route)


def page_routes():
    """Every URL pattern outside the admin site and the API, with its full route and namespaced name."""
    found = []

    def walk(patterns, prefix, namespaces):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace in SKIPPED_NAMESPACES:
                    continue
                if not isinstance(p.pattern, RoutePattern):
                    raise AssertionError(f"/{prefix}{p.pattern}: use path(), the access matrix cannot fill re_path")
                walk(p.url_patterns, prefix + str(p.pattern), [*namespaces, p.namespace] if p.namespace else namespaces)
            elif isinstance(p, URLPattern):
                if not isinstance(p.pattern, RoutePattern):
                    raise AssertionError(f"/{prefix}{p.pattern}: use path(), the access matrix cannot fill re_path")
                name = ":".join([*namespaces, p.name]) if p.name else ""
                found.append(PageRoute(prefix + str(p.pattern), name, p.callback))

    walk(get_resolver().url_patterns, "", [])
    return found


def test_url_walk_sees_every_area():
    """Guard against the walk silently skipping an include: the app areas are all there, the API and admin not."""
    names = {r.name for r in page_routes()}
    for expected in ("home", "login", "shops:list", "team:list", "crm:list", "crm:detail"):
        assert expected in names
    assert not [r for r in page_routes() if r.route.startswith(("admin/", "api/"))]


def test_every_page_declares_access_and_enforces_it(world, samples, browser):
    routes = page_routes()
    failures = []
    users = [world.people[code] for code in ROLE_CODES]
    outsider = world.outsider
    check_perms_exist({r.access.perm for r in routes if r.access}, failures, "page")

    def call(user, route, url):
        client = browser.as_user(user)
        return client.post(url, {}) if route.method == "POST" else client.get(url)

    # The rows: every page with its access declaration and a sample for each kwarg.
    rows = []
    for route in routes:
        if route.access is None:
            failures.append(
                f"{route.label}: view {route.view.__module__}.{route.view.__name__} has no access "
                "declaration — wrap it in page(perm) or mark it public()"
            )
        elif missing := [k for k in route.kwargs if k not in samples.shared and k not in Samples.OWNED]:
            failures.append(
                f"{route.label}: add a sample for kwarg {missing[0]!r} to Samples.shared (an id of a shop_a object)"
            )
        else:
            rows.append(route)

    # Column by column (one sign-in per person): anonymous, the seven roles, the outsider.
    for route in rows:  # anonymous: public views answer, everything else sends to the login page
        resp = call(None, route, route.url(samples.fill(route.kwargs, users[0])))
        where = f"{route.method} {route.label} anonymous"
        if route.access.perm == PUBLIC:
            if resp.status_code not in (200, 302):
                failures.append(f"{where}: public view answered {resp.status_code}, expected 200/302")
        elif resp.status_code != 302 or not resp["Location"].startswith("/login/?next="):
            failures.append(f"{where}: {resp.status_code} {resp.get('Location', '')}, expected 302 to /login/?next=…")

    for user in users:
        for route in rows:
            perm, where = route.access.perm, f"{route.method} {route.label} as {user.number}"
            url = route.url(samples.fill(route.kwargs, user))
            if perm == PUBLIC:
                resp = call(user, route, url)
                browser.forget()  # logout ends the session
                if resp.status_code == 403 or resp.status_code >= 500:
                    failures.append(f"{where}: public view answered {resp.status_code}")
                continue
            allowed = may(user, perm)
            if allowed and set(route.kwargs) & Samples.OWNED:  # tokens and jobs: someone else's do not exist
                other = route.url(samples.fill(route.kwargs, user, other=True))
                resp = call(user, route, other)
                if resp.status_code != 404:
                    failures.append(
                        f"{route.method} {other} as {user.number}: someone else's object answered "
                        f"{resp.status_code}, expected 404"
                    )
            resp = call(user, route, url)
            status = resp.status_code
            if not allowed:
                if status != 403:
                    failures.append(f"{where} (no {perm}): {status}, expected 403")
            elif route.method == "GET" and status != 200:
                failures.append(f"{where} (has {perm}): {status}, expected 200")
            elif route.method != "GET" and status not in OK_POST:
                failures.append(f"{where} (has {perm}): {status}, expected one of {sorted(OK_POST)}")
            if status == 200 and (leak := pii_leak(user, resp)):
                failures.append(f"{where}: {leak}")

    for route in rows:  # shop scope: shop_a's objects do not exist for the cs of shop_b
        access = route.access
        if access.perm != PUBLIC and (access.shop_scoped or set(route.kwargs) & Samples.SHOP_BOUND):
            resp = call(outsider, route, route.url(samples.fill(route.kwargs, outsider)))
            expected = 404 if may(outsider, access.perm) else 403
            if resp.status_code != expected:
                failures.append(
                    f"{route.method} {route.label} as outsider {outsider.number} (shop_b only): "
                    f"{resp.status_code}, expected {expected}"
                )

    assert len(routes) >= 20, [r.label for r in routes]
    assert not failures, "\n".join(failures)


def test_customer_pages_mask_buyer_pii(world, samples, browser):
    """TEAM-5: every GET page of the crm area shows 138****1234 unless the role may see buyer PII."""
    crm_pages = [r for r in page_routes() if r.name.startswith("crm:") and r.method == "GET"]
    assert {r.name for r in crm_pages} >= {"crm:list", "crm:detail"}
    failures = []
    for route in crm_pages:
        if route.access is None or set(route.kwargs) - set(samples.shared) - Samples.OWNED:
            failures.append(f"{route.label}: no access declaration or no sample (see the page matrix)")
            continue
        for user in [*(world.people[code] for code in ROLE_CODES), world.outsider]:
            if not may(user, route.access.perm):
                continue
            url = route.url(samples.fill(route.kwargs, user))
            body = body_of(browser.as_user(user).get(url))
            failures += mask_failures(f"GET {url}", user, body, outsider=user == world.outsider)
    assert not failures, "\n".join(failures)


def mask_failures(where, user, body, *, outsider=False):
    if outsider:  # the cs of shop_b may see PII, but shop_a's customer is not theirs: neither form may appear
        if FULL_PHONE in body or MASKED_PHONE in body:
            return [f"{where} as outsider {user.number} (shop_b only): shows shop_a's customer"]
    elif may(user, PII_PERM):
        if FULL_PHONE not in body:
            return [f"{where} as {user.number} (has {PII_PERM}): full phone {FULL_PHONE} missing"]
    elif FULL_PHONE in body or MASKED_PHONE not in body:
        return [f"{where} as {user.number} (no {PII_PERM}): expected {MASKED_PHONE} and never {FULL_PHONE}"]
    return []


# ---------------------------------------------------------------------------------------------------------------
# API: walk the OpenAPI schema
# ---------------------------------------------------------------------------------------------------------------

_PARAM = re.compile(r"\{(\w+)\}")


@dataclass
class Operation:
    method: str  # "GET"
    path: str  # "/api/v1/shops/{shop_id}"
    spec: dict

    @property
    def label(self):
        return f"{self.method} {self.path}"

    @property
    def perm(self):
        return self.spec.get("x-permission")

    @property
    def path_params(self):
        return _PARAM.findall(self.path)

    @property
    def required_query(self):
        return [p["name"] for p in self.spec.get("parameters", []) if p.get("in") == "query" and p.get("required")]

    def url(self, values):
        return _PARAM.sub(lambda m: str(values[m.group(1)]), self.path)


def api_operations():
    from zhanggui.api import api

    schema = api.get_openapi_schema()
    return [
        Operation(method.upper(), path, spec)
        for path, item in schema["paths"].items()
        for method, spec in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def api_call(browser, op, url, query, key=None):
    client = browser.as_user(None)  # no session: only the token speaks
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    if op.method == "GET":
        return client.get(url, query, headers=headers)
    return client.generic(op.method, url, json.dumps({}), content_type="application/json", headers=headers)


def test_every_api_operation_declares_and_enforces_its_permission(world, samples, browser):
    operations = api_operations()
    failures = []
    users = [world.people[code] for code in ROLE_CODES]
    outsider = world.outsider
    keys = {u.pk: create_api_token(u, "matrix")[1] for u in [*users, outsider]}
    check_perms_exist({op.perm for op in operations if op.perm}, failures, "API")

    for op in operations:
        if not op.perm:
            failures.append(f"{op.label}: no x-permission — declare it with api_route(..., perm=...)")
            continue
        names = op.path_params + op.required_query
        try:
            values = {u.pk: samples.fill(names, u) for u in [*users, outsider]}
        except MissingSample as exc:
            failures.append(f"{op.label}: add a sample for path/query param {exc.args[0]!r} to Samples.shared")
            continue
        query = {n: values[users[0].pk][n] for n in op.required_query}

        resp = api_call(browser, op, op.url(values[users[0].pk]), query)
        if resp.status_code != 401:
            failures.append(f"{op.label} anonymous: {resp.status_code}, expected 401")

        for user in users:
            allowed = may(user, op.perm)
            if allowed and set(op.path_params) & Samples.OWNED:
                other = op.url(samples.fill(op.path_params, user, other=True))
                resp = api_call(browser, op, other, query, keys[user.pk])
                if resp.status_code != 404:
                    failures.append(
                        f"{op.method} {other} as {user.number}: someone else's object answered "
                        f"{resp.status_code}, expected 404"
                    )
            resp = api_call(browser, op, op.url(values[user.pk]), query, keys[user.pk])
            status = resp.status_code
            if not allowed:
                if status != 403:
                    failures.append(f"{op.label} as {user.number} (no {op.perm}): {status}, expected 403")
            elif op.method == "GET" and status != 200:
                failures.append(f"{op.label} as {user.number} (has {op.perm}): {status}, expected 200")
            elif status in (401, 403) or status >= 500:
                failures.append(f"{op.label} as {user.number} (has {op.perm}): {status} for body {{}}")
            if status == 200 and (leak := pii_leak(user, resp)):
                failures.append(f"{op.label}: {leak}")

        if set(names) & Samples.SHOP_BOUND:
            resp = api_call(browser, op, op.url(values[outsider.pk]), query, keys[outsider.pk])
            expected = 404 if may(outsider, op.perm) else 403
            if resp.status_code != expected:
                failures.append(
                    f"{op.label} as outsider {outsider.number} (shop_b only): {resp.status_code}, expected {expected}"
                )

    assert len(operations) >= 10, [op.label for op in operations]
    assert not failures, "\n".join(failures)


def test_api_rejects_bad_revoked_and_missing_tokens(world, browser):
    user = world.people["manager"]
    token, key = create_api_token(user, "to revoke")
    me = f"{API_PREFIX}/me"
    client = browser.as_user(None)
    assert client.get(me, headers={"Authorization": f"Bearer {key}"}).status_code == 200
    revoke_api_token(user, token)
    assert ApiToken.objects.get(pk=token.pk).revoked_at
    for headers in (
        {"Authorization": f"Bearer {key}"},  # revoked
        {"X-API-Key": key},
        {"Authorization": "Bearer zg_not-a-real-token"},
        {"Authorization": "Bearer garbage"},
        {"X-API-Key": "garbage"},
        {},
    ):
        resp = client.get(me, headers=headers)
        assert resp.status_code == 401, (headers, resp.status_code)
        assert resp.json()["code"] == "unauthenticated"


def test_customer_api_masks_buyer_pii(world, samples, browser):
    """TEAM-5: the API masks exactly like the pages, for every GET route under /api/v1/customers."""
    operations = [op for op in api_operations() if op.method == "GET" and op.path.startswith(f"{API_PREFIX}/customers")]
    assert {op.path for op in operations} >= {f"{API_PREFIX}/customers", f"{API_PREFIX}/customers/{{customer_id}}"}
    users = [*(world.people[code] for code in ROLE_CODES), world.outsider]
    keys = {u.pk: create_api_token(u, "masking")[1] for u in users}
    failures = []
    for op in operations:
        for user in users:
            if not may(user, op.perm):
                continue
            values = samples.fill(op.path_params + op.required_query, user)
            resp = api_call(browser, op, op.url(values), {n: values[n] for n in op.required_query}, keys[user.pk])
            outsider = user == world.outsider
            failures += mask_failures(op.label, user, body_of(resp), outsider=outsider)
            if resp.status_code == 200 and not outsider:
                rows = resp.json() if isinstance(resp.json(), list) else [resp.json()]
                if any(row["masked"] == may(user, PII_PERM) for row in rows):
                    failures.append(f"{op.label} as {user.number}: the `masked` flag disagrees with {PII_PERM}")
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------------------------------------------------------
# Admin
# ---------------------------------------------------------------------------------------------------------------


def test_admin_sends_non_staff_to_the_admin_login(world, browser):
    failures = []
    for user in [None, *(world.people[code] for code in ROLE_CODES), world.outsider]:
        if user is not None and user.is_staff:
            continue
        resp = browser.as_user(user).get("/admin/")
        if resp.status_code != 302 or not resp["Location"].startswith("/admin/login/"):
            failures.append(
                f"/admin/ as {user.number if user else 'anonymous'}: {resp.status_code} "
                f"{resp.get('Location', '')}, expected 302 to /admin/login/"
            )
    assert not failures, "\n".join(failures)
