"""api_customers_list: GET /api/v1/customers?limit=100 with a Bearer token of a warehouse user (masked view).

50,000 customers over the five shops; 200 requests through django.test.Client (token lookup, permission
check, shop scope, masking, JSON). Baseline: the same 100 rows read with one ORM values() query.
"""

from django.test import Client

from zhanggui.core.access import allowed_shops
from zhanggui.crm.models import Customer

from . import data, harness
from .registry import Result

CUSTOMERS = 50_000
REQUESTS = 200
LIMIT = 100
FIELDS = ("id", "shop__code", "buyer_nick", "name", "phone", "province", "city", "district", "address", "tags")


def run() -> Result:
    company = data.company()
    data.ensure_customers(CUSTOMERS)
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {company.warehouse_token}")

    def get():
        return client.get("/api/v1/customers", {"limit": LIMIT})

    with harness.QueryLog() as queries:
        response = get()
    body = response.json() if response.status_code == 200 else response.content[:300]
    if response.status_code != 200 or len(body) != LIMIT or not all(c["masked"] for c in body):
        raise AssertionError(f"unexpected answer {response.status_code}: {body!r}")
    if any("****" not in c["phone"] for c in body if c["phone"]):
        raise AssertionError("phones are not masked for the warehouse role")

    shop_ids = list(allowed_shops(company.warehouse).values_list("pk", flat=True))

    def read_rows():
        return list(Customer.objects.filter(shop__in=shop_ids).order_by("-created_at", "-id").values(*FIELDS)[:LIMIT])

    if [r["id"] for r in read_rows()] != [c["id"] for c in body]:
        raise AssertionError("baseline does not read the same rows as the API")
    samples, baseline = harness.interleaved_ms(get, read_rows, REQUESTS)

    p50, p99 = harness.p50_p99(samples)
    b50, b99 = harness.p50_p99(baseline)
    return Result(
        name="api_customers_list",
        value=p50,
        unit="ms/request (p50)",
        p99=p99,
        size=f"{Customer.objects.count()} customers, {len(shop_ids)} shops, {REQUESTS} requests × {LIMIT} rows",
        baseline="same 100 rows, ORM values()",
        baseline_value=b50,
        baseline_p99=b99,
        notes=[f"{len(queries)} queries per request"],
    )
