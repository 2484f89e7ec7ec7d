"""Writes to customers (CRM-1): entered by hand, or created and linked from orders in sets (`link_buyers`, called
by the orders app — crm sits below orders and never imports them); buyers' data is protected (TEAM-5)."""

import io
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event
from zhanggui.core.export_cells import safe_writer
from zhanggui.core.privacy import PII_EXPORT_PERMISSION, PII_VIEW_PERMISSION

from .models import Customer
from .selectors import present_customer

FIELDS = ("buyer_nick", "name", "phone", "province", "city", "district", "address", "tags", "note")
_MAX = {f.name: f.max_length for f in Customer._meta.concrete_fields if getattr(f, "max_length", None)}


def buyer_key(buyer_nick: str, name: str = "", phone: str = "") -> str:
    """CRM-1: a buyer's identity within one shop. The platform's buyer account when known (淘宝/天猫 买家会员名,
    京东 下单帐号, ours); else the receiver's phone — a masked one (138****1234, as some exports and APIs give it)
    stays masked and tells buyers apart only together with the receiver's name; "" when nothing identifies the buyer
    (e.g. a PDD export without receiver columns): no customer then."""
    nick = (buyer_nick or "").strip()
    if nick:
        return f"nick:{nick}"[: _MAX["buyer_key"]]
    phone = (phone or "").strip()
    name = (name or "").strip()
    if not phone:
        return ""
    if "*" in phone:
        return f"masked:{name}/{phone}"[: _MAX["buyer_key"]] if name else ""
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "-")
    return f"phone:{digits}"[: _MAX["buyer_key"]] if digits else ""


@dataclass(frozen=True)
class Buyer:
    """A buyer as an order names them (CRM-1): the identity and what a new customer record starts with."""

    key: str
    buyer_nick: str = ""
    name: str = ""
    phone: str = ""  # as the order has it: a masked phone stays masked
    province: str = ""
    city: str = ""
    district: str = ""
    address: str = ""


def link_buyers(shop_id: int, buyers: list[Buyer]) -> dict[str, int]:
    """CRM-1: {buyer key: customer id} for `buyers` of one shop, creating the customers not known yet — set-based:
    one SELECT, and for new buyers one INSERT (conflicts ignored: a concurrent import creating the same buyer wins
    the race harmlessly) and one SELECT of their ids, whatever the number of buyers. A new customer starts with the
    data of the buyer's last entry in `buyers`; an existing one keeps its own."""
    wanted = {b.key: b for b in buyers if b.key}
    if not wanted:
        return {}
    found = dict(Customer.objects.filter(shop_id=shop_id, buyer_key__in=list(wanted)).values_list("buyer_key", "pk"))
    new = [b for key, b in wanted.items() if key not in found]
    if new:
        found.update(_insert_new(shop_id, new))
        missing = [b.key for b in new if b.key not in found]  # created meanwhile by a concurrent import
        if missing:
            found.update(Customer.objects.filter(shop_id=shop_id, buyer_key__in=missing).values_list("buyer_key", "pk"))
    return found


_NEW_COLUMNS = ("buyer_nick", "name", "phone", "province", "city", "district", "address")


def _insert_new(shop_id: int, buyers: list[Buyer]) -> dict[str, int]:
    """One plain INSERT of the new customers, conflicts ignored (a concurrent import creating the same buyer wins
    harmlessly): no model instances — an import of 30,000 new buyers spent a third of its time building them.
    Returns {buyer key: id} of the rows it inserted when the database says (PostgreSQL's RETURNING), else {}."""
    table = connection.ops.quote_name(Customer._meta.db_table)
    columns = ("shop_id", "buyer_key", *_NEW_COLUMNS, "tags", "note", "created_at")
    now = timezone.now()
    rows = [
        (shop_id, b.key[: _MAX["buyer_key"]], *(str(getattr(b, n) or "")[: _MAX[n]] for n in _NEW_COLUMNS), "", "", now)
        for b in sorted(buyers, key=lambda b: b.key)  # one order for everyone: two imports never wait on each other
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one statement whatever the number: the rows as arrays
            typed = ", ".join(f"%s::{t}[]" for t in ("bigint", *["text"] * (len(columns) - 2), "timestamptz"))
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({typed}) "
                "ON CONFLICT DO NOTHING RETURNING buyer_key, id",
                [list(col) for col in zip(*rows, strict=True)],
            )
            return dict(cursor.fetchall())
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        return {}


def create_customer(actor, shop, **fields) -> Customer:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown customer fields {unknown}")
    if not fields.get("buyer_nick", "").strip():
        raise DomainError("required", _("Buyer account is required"), "buyer_nick")
    try:
        with transaction.atomic():
            customer = Customer.objects.create(shop=shop, buyer_key=buyer_key(fields["buyer_nick"]), **fields)
            record_event(actor, customer, "created", note=_("Customer created"))
    except IntegrityError:
        raise DomainError(
            "duplicate", _("Buyer %(nick)s already exists in this shop") % {"nick": fields["buyer_nick"]}, "buyer_nick"
        ) from None
    return customer


def export_customers_csv(actor, customers) -> tuple[str, bool]:
    """TEAM-5: export customers; personal data in full only with both rights, and every full export is logged.

    Returns (csv text, whether personal data was included).
    """
    full = actor.has_perm(PII_VIEW_PERMISSION) and actor.has_perm(PII_EXPORT_PERMISSION)
    out = io.StringIO()
    writer = safe_writer(out)
    writer.writerow([_("Shop"), _("Buyer account"), _("Receiver name"), _("Phone"), _("Address"), _("Tags")])
    count = 0
    for customer in customers.select_related("shop"):
        row = present_customer(customer, full)
        writer.writerow([customer.shop.name, row["buyer_nick"], row["name"], row["phone"], row["address"], row["tags"]])
        count += 1
    if full:
        record_event(
            actor,
            actor,
            "pii_export",
            note=_("Exported personal data of %(n)d customers") % {"n": count},
            data={"count": count},
        )
    return out.getvalue(), full
