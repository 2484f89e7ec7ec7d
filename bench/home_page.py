"""home_page: GET / (工作台) as the shop manager — the day's sales per shop, every queue, 14-day activity chart,
recent actions, checklists.

20,000 timeline events and 50,000 customers on the five shops; 100 requests through django.test.Client
with a logged-in session. Baseline: two of the page's grouped queries alone (today's and yesterday's sales per
shop, the 14-day activity aggregate) with the duties without an owner.
"""

import datetime as dt

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.test import Client

from zhanggui.core import clock
from zhanggui.core.models import Event
from zhanggui.crm.models import Customer
from zhanggui.orders.selectors import daily_sales
from zhanggui.team.selectors import unowned_duties

from . import data, harness
from .registry import Result

EVENTS = 20_000
CUSTOMERS = 50_000
REQUESTS = 100


def count_queries(shop_ids):
    today = clock.today()
    since = clock.local_day_bounds(today - dt.timedelta(days=13))[0]
    events = Event.objects.filter(shop__in=shop_ids)
    return (
        daily_sales(shop_ids, [today, today - dt.timedelta(days=1)]),
        unowned_duties().count(),
        dict(
            events.filter(at__gte=since)
            .annotate(day=TruncDate("at", tzinfo=clock.SHANGHAI))
            .values_list("day")
            .annotate(n=Count("id"))
            .values_list("day", "n")
        ),
    )


def run() -> Result:
    company = data.company()
    data.ensure_customers(CUSTOMERS)
    data.ensure_events(EVENTS)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(company.manager)

    with harness.QueryLog() as queries:
        response = client.get("/")
    customers = Customer.objects.count()
    if response.status_code != 200 or b'id="sales"' not in response.content:
        raise AssertionError(f"unexpected home page: {response.status_code} {response.content[:300]!r}")

    shop_ids = [s.pk for s in company.shops]
    samples, baseline = harness.interleaved_ms(lambda: client.get("/"), lambda: count_queries(shop_ids), REQUESTS)

    p50, p99 = harness.p50_p99(samples)
    b50, b99 = harness.p50_p99(baseline)
    return Result(
        name="home_page",
        value=p50,
        unit="ms/request (p50)",
        p99=p99,
        size=f"{Event.objects.count()} events, {customers} customers, {len(shop_ids)} shops, {REQUESTS} requests",
        baseline="count queries only",
        baseline_value=b50,
        baseline_p99=b99,
        notes=[f"{len(queries)} queries per request, {len(response.content) // 1024} KiB HTML"],
    )
