"""Generated data at realistic sizes: the demo company, then customers and timeline events in bulk.

Every helper tops the database up to a size and is safe to call again, so each benchmark asks for
what it needs and `--only NAME` works alone. Values are drawn from a fixed seed.
"""

import datetime as dt
import random
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from zhanggui.core import clock
from zhanggui.core.models import Event
from zhanggui.core.services import create_api_token
from zhanggui.crm.models import Customer
from zhanggui.crm.services import buyer_key
from zhanggui.shops.models import Shop
from zhanggui.team.models import Staff
from zhanggui.workbench.demo import ADDRESSES, FAMILY, GIVEN, TAGS, load_demo

LETTERS = "abcdefghjkmnpqrstuvwxyz"
NOTES = [
    "",
    "",
    "",
    "买家要求改地址",
    "已电话联系 {phone}",
    "大促前核对",
    "老客回购",
    "发票已开",
    "备注：{phone} 下午送",
]


@dataclass
class Company:
    shops: list  # the five demo shops
    manager: Staff  # A001 店长, all shops, sees personal data
    warehouse: Staff  # A007 库管, the five shops, sees masked personal data
    warehouse_token: str  # a personal API key of A007 (Authorization: Bearer …)
    staff: list


_company = None


def company() -> Company:
    """The demo company (5 shops, 8 staff with their roles, opening checklists), loaded once per run."""
    global _company
    if _company is None:
        load_demo()
        warehouse = Staff.objects.get(number="A007")
        _token, key = create_api_token(warehouse, "bench")
        _company = Company(
            shops=list(Shop.objects.select_related("platform").order_by("pk")),
            manager=Staff.objects.get(number="A001"),
            warehouse=warehouse,
            warehouse_token=key,
            staff=list(Staff.objects.order_by("number")),
        )
    return _company


def analyze(model) -> None:
    """PostgreSQL: refresh planner statistics after a bulk load, as autovacuum would within a minute.

    SQLite is left as the app leaves it (the app never runs ANALYZE, so its planner has no statistics).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')


@contextmanager
def explicit_timestamp(model, field_name: str):
    """Let bulk_create store our spread-out dates instead of auto_now_add's 'now'."""
    field = model._meta.get_field(field_name)
    field.auto_now_add = False
    try:
        yield
    finally:
        field.auto_now_add = True


def phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"


def ensure_customers(total: int, batch: int = 2000) -> int:
    """At least `total` customers, spread over the five shops and over two years of sign-ups."""
    shops = company().shops
    missing = total - Customer.objects.count()
    if missing <= 0:
        return Customer.objects.count()
    rng = random.Random(50_000)
    now = clock.now()
    start = Customer.objects.count()
    with explicit_timestamp(Customer, "created_at"), transaction.atomic():
        rows = []
        for n in range(start, start + missing):
            shop = shops[n % len(shops)]
            province, city, district, street = rng.choice(ADDRESSES)
            nick = f"{shop.platform_id}_{rng.choice(LETTERS)}{rng.choice(LETTERS)}{n:06d}"
            rows.append(
                Customer(
                    shop=shop,
                    buyer_nick=nick,
                    buyer_key=buyer_key(nick),  # CRM-1: the buyer's identity in the shop (unique per shop)
                    name=rng.choice(FAMILY) + rng.choice(GIVEN),
                    phone=phone(rng),
                    province=province,
                    city=city,
                    district=district,
                    address=street,
                    tags=rng.choice(TAGS),
                    note=rng.choice(NOTES).format(phone=phone(rng)),
                    created_at=now - dt.timedelta(seconds=rng.randint(0, 730 * 86400)),
                )
            )
            if len(rows) == batch:
                Customer.objects.bulk_create(rows)
                rows = []
        Customer.objects.bulk_create(rows)
    analyze(Customer)
    return Customer.objects.count()


def event_rows(count: int, rng: random.Random, *, objects=None) -> list[dict]:
    """`count` timeline entries as services write them: keyword arguments of record_event plus the actor."""
    c = company()
    objects = objects or c.shops
    kinds = [
        ("setting_changed", "08:30", "09:00", "服务时间开始（SHOP-2）"),
        ("profile_changed", "旧公告", "双12 预热中：全店满 299 减 30", "店铺公告"),
        ("opening_step", "", "完成", "缴纳保证金"),
        ("status", "营业", "暂停", ""),
        ("created", "", "", "客户创建"),
    ]
    rows = []
    for _ in range(count):
        kind, from_state, to_state, note = rng.choice(kinds)
        extra = rng.choice(NOTES).format(phone=phone(rng))
        rows.append(
            {
                "actor": rng.choice(c.staff),
                "obj": rng.choice(objects),
                "kind": kind,
                "from_state": from_state,
                "to_state": to_state,
                "note": f"{note} {extra}".strip(),
                "data": {"key": "service.hours_start"} if kind == "setting_changed" else {},
            }
        )
    return rows


def as_event(row: dict, content_types: dict) -> Event:
    """The Event record_event would create for `row` (same columns), for bulk_create."""
    obj, actor = row["obj"], row["actor"]
    shop = obj if isinstance(obj, Shop) else obj.shop
    return Event(
        actor=actor,
        actor_number=actor.number,
        shop=shop,
        content_type=content_types[type(obj)],
        object_id=str(obj.pk),
        object_label=str(obj)[:200],
        kind=row["kind"],
        from_state=row["from_state"],
        to_state=row["to_state"],
        note=row["note"],
        data=row["data"],
    )


def ensure_events(total: int) -> int:
    """At least `total` timeline events on the five shops (shops and customers), over the last 90 days."""
    c = company()
    missing = total - Event.objects.count()
    if missing > 0:
        rng = random.Random(20_000)
        customers = list(Customer.objects.select_related("shop").order_by("pk")[:500])
        objects = c.shops + customers
        content_types = {
            Shop: ContentType.objects.get_for_model(Shop),
            Customer: ContentType.objects.get_for_model(Customer),
        }
        now = clock.now()
        events = []
        for row in event_rows(missing, rng, objects=objects):
            event = as_event(row, content_types)
            event.at = now - dt.timedelta(seconds=rng.randint(0, 90 * 86400))
            events.append(event)
        with explicit_timestamp(Event, "at"), transaction.atomic():
            Event.objects.bulk_create(events, batch_size=2000)
        analyze(Event)
    return Event.objects.count()


def waybill_pool(carrier, shop, needed: int, start: int = 2689000000001):
    """The waybill account print_batch takes numbers from for `shop` (waybills.account_for: the shop's own account
    of the carrier, else its all-shops one; a bench account when there is none) with at least `needed` free
    numbers: the demo's pools are small and other runs use them up, so the bench loads what it lacks (numbers
    already in the carrier's pool are skipped, so it walks on until enough are new)."""
    from zhanggui.fulfilment.models import WaybillAccount
    from zhanggui.fulfilment.services import waybills

    account = waybills.account_for(carrier.pk, shop.pk)
    if account is None:
        account = WaybillAccount.objects.create(carrier=carrier, shop=shop, name=f"bench {carrier.name}")

    def free() -> int:
        return waybills.with_counts(WaybillAccount.objects.filter(pk=account.pk)).get().free_count

    left = free()
    while left < needed:
        count = min(needed - left, waybills.MAX_LOAD)
        waybills.load_range(None, account, str(start), count)
        start += count
        left = free()
    return account
