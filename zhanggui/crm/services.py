"""Writes to customers. CRM grows in its own issue; the foundation needs buyers to protect (TEAM-5)."""

import io

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event
from zhanggui.core.export_cells import safe_writer
from zhanggui.core.privacy import PII_EXPORT_PERMISSION, PII_VIEW_PERMISSION

from .models import Customer
from .selectors import present_customer

FIELDS = ("buyer_nick", "name", "phone", "province", "city", "district", "address", "tags", "note")


def create_customer(actor, shop, **fields) -> Customer:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown customer fields {unknown}")
    if not fields.get("buyer_nick", "").strip():
        raise DomainError("required", _("Buyer account is required"), "buyer_nick")
    try:
        with transaction.atomic():
            customer = Customer.objects.create(shop=shop, **fields)
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
