"""Generated access checks beside the access matrix (TEAM-1, TEAM-2, ORD-9).

- duty chart × queue pages: every order queue is a duty of a role (orders/data/queues.json → team/data/roles.json);
  whoever owns that duty on the duty chart must be able to open the queue's page.
- page × API route parity: an API route must not show what its page forbids. Pages and GET routes are paired from
  the URL configuration and the OpenAPI schema (same path, or the page's path without its area prefix, `-` read as
  `/`), and for every paired route each role the API lets in must be let in by the page too.
"""

import re

from django.urls import reverse

from zhanggui.aftersales.selectors import QUEUE_DUTIES as AFTERSALES_QUEUES
from zhanggui.aftersales.services.work import ESCALATION_DUTY
from zhanggui.orders.selectors import QUEUE_KEYS, queue_duties
from zhanggui.team.models import Duty
from zhanggui.team.services import role_definitions, set_duty_owners

from .conftest import ROLE_CODES
from .test_access_matrix import API_PREFIX, api_operations, may, page_routes

_KWARG = re.compile(r"<(?:\w+:)?(\w+)>")


def test_every_queue_owner_on_the_duty_chart_opens_their_queue_ord_9(world, client_for):
    """ORD-9 / TEAM-2: the owner of a queue's duty opens the queue (the 未匹配商品 owner got 403)."""
    duties_of = {spec["code"]: set(spec.get("duties", [])) for spec in role_definitions()}
    duties = queue_duties()
    assert set(duties) == set(QUEUE_KEYS), "every order queue has a duty in orders/data/queues.json"
    failures = []
    for key, (role_code, title) in duties.items():
        if title not in duties_of.get(role_code, ()):
            failures.append(f"queue {key}: duty {title!r} is not a duty of role {role_code!r} in roles.json")
            continue
        owner = world.people[role_code]
        duty = Duty.objects.get(role__code=role_code, title=title)
        set_duty_owners(None, duty, [owner])  # the duty chart names them
        url = reverse("orders:list") + f"?tab={key}"
        status = client_for(owner).get(url).status_code
        if status != 200:
            failures.append(f"GET {url} as {owner.number} ({role_code}, owner of {title}): {status}, expected 200")
    assert len(duties) >= 6
    assert not failures, "\n".join(failures)


def test_every_after_sales_queue_owner_opens_their_queue_as_6(world, client_for):
    """AS-6 / TEAM-2: each after-sales queue is a duty of a role; its owner on the duty chart opens the queue's tab
    (客服: 待处理, 店长: 已升级 — where overdue cases escalate —, 库管: 等退货)."""
    duties_of = {spec["code"]: set(spec.get("duties", [])) for spec in role_definitions()}
    assert AFTERSALES_QUEUES["escalated"] == ESCALATION_DUTY
    failures = []
    for tab, (role_code, title) in AFTERSALES_QUEUES.items():
        if title not in duties_of.get(role_code, ()):
            failures.append(f"after-sales tab {tab}: duty {title!r} is not a duty of role {role_code!r}")
            continue
        owner = world.people[role_code]
        set_duty_owners(None, Duty.objects.get(role__code=role_code, title=title), [owner])
        url = reverse("aftersales:list") + f"?tab={tab}"
        status = client_for(owner).get(url).status_code
        if status != 200:
            failures.append(f"GET {url} as {owner.number} ({role_code}, owner of {title}): {status}, expected 200")
    assert not failures, "\n".join(failures)


def _page_key(route: str) -> str:
    return ("/" + _KWARG.sub(r"{\1}", route)).rstrip("/").replace("-", "/")


def paired_routes():
    """[(API operation, page route)] for every GET route that has a GET page showing the same thing."""
    pages = [r for r in page_routes() if r.access is not None and r.method == "GET"]
    pairs = []
    for op in api_operations():
        if op.method != "GET" or not op.perm:
            continue
        api_key = op.path.removeprefix(API_PREFIX).replace("-", "/")
        exact, by_area = [], []
        for page in pages:
            key = _page_key(page.route)
            without_area = "/" + key.split("/", 2)[2] if key.count("/") >= 2 else None
            if api_key == key:
                exact.append((op, page))
            elif api_key == without_area:
                by_area.append((op, page))
        # /api/v1/products is the catalog's /products/, not /analytics/products/: a page of the same path wins
        pairs += exact or by_area
    return pairs


def test_pairing_sees_the_settings_and_the_main_lists():
    found = {(op.path, page.name) for op, page in paired_routes()}
    for expected in (
        (f"{API_PREFIX}/shops/{{shop_id}}/settings", "shops:settings"),
        (f"{API_PREFIX}/company/settings", "shops:company_settings"),
        (f"{API_PREFIX}/orders", "orders:list"),
        (f"{API_PREFIX}/stock-ledger", "inventory:ledger"),
    ):
        assert expected in found, (expected, sorted(found))
    assert len(found) >= 20


def test_no_api_route_shows_what_its_page_forbids_team_1(world):
    """TEAM-1: for each paired page and GET route, a role the API lets in is let in by the page (GET shop
    settings answered 库管 200 through the API and 403 on the page)."""
    users = [*(world.people[code] for code in ROLE_CODES), world.outsider]
    failures = []
    for op, page in paired_routes():
        for user in users:
            if may(user, op.perm) and not may(user, page.access.perm):
                failures.append(
                    f"{op.label} lets {user.number} in ({op.perm}) but its page {page.label} forbids it "
                    f"({page.access.perm})"
                )
    assert not failures, "\n".join(failures)
