from django.db import models
from django.utils.translation import gettext_lazy as _


class Customer(models.Model):
    """A buyer of one shop (CRM-1). Phone and street address are personal data (TEAM-5).

    `buyer_key` is the buyer's identity within the shop (services.buyer_key): the platform buyer account when the
    order names it, else the receiver's phone (with the name when the platform masked the phone). Every order links
    its customer by it (orders.services.customers); the purchase figures of pages come from those orders through
    the source the orders app registers (selectors.purchases_of)."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="customers", verbose_name=_("shop"))
    buyer_nick = models.CharField(_("buyer account"), max_length=100, blank=True)
    buyer_key = models.CharField(max_length=120)
    name = models.CharField(_("receiver name"), max_length=40, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    province = models.CharField(_("province"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=20, blank=True)
    district = models.CharField(_("district"), max_length=20, blank=True)
    address = models.CharField(_("street address"), max_length=200, blank=True)
    tags = models.CharField(_("tags"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "buyer_key"], name="uniq_customer_key_per_shop"),
            models.UniqueConstraint(
                fields=["shop", "buyer_nick"], condition=~models.Q(buyer_nick=""), name="uniq_customer_per_shop"
            ),
        ]
        indexes = [
            models.Index(fields=["shop", "phone"]),
            # Lists and the API page through customers newest first: without this every page sorts them all.
            models.Index(fields=["-created_at", "-id"], name="crm_customer_newest_idx"),
        ]
        permissions = [
            ("view_buyer_pii", _("Can see buyers' full phone numbers and addresses")),
            ("export_buyer_pii", _("Can export buyers' personal data")),
        ]

    def __str__(self) -> str:
        return self.buyer_nick or f"#{self.pk}"
