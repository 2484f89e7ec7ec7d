"""Settings that became company-wide (rule 6: stock, stocktake, purchasing, the packing station, courier bills,
a style's first order) keep the manager's value: the most recently saved per-shop value becomes the company's,
and the per-shop rows, which nothing reads any more, are removed."""

from django.db import migrations

COMPANY_KEYS = (
    "inventory.low_stock_threshold",
    "inventory.stocktake_day_from",
    "inventory.stocktake_day_to",
    "purchasing.safety_stock_days",
    "purchasing.review_period_days",
    "purchasing.default_lead_days",
    "purchasing.velocity_basis",
    "purchasing.round_up_to_moq",
    "fulfilment.weight_tolerance_pct",
    "fulfilment.weight_tolerance_g",
    "fulfilment.fee_difference_alert",
    "pricing.first_order_max_sets",
)


def to_company(apps, schema_editor):
    ShopSettingValue = apps.get_model("shops", "ShopSettingValue")
    CompanySettingValue = apps.get_model("core", "CompanySettingValue")
    rows = ShopSettingValue.objects.filter(key__in=COMPANY_KEYS).order_by("key", "-updated_at", "-id")
    latest = {}
    for row in rows:
        latest.setdefault(row.key, row.value)
    for key, value in latest.items():
        CompanySettingValue.objects.update_or_create(key=key, defaults={"value": value})
    rows.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("shops", "0001_initial"),
        ("core", "0004_company_settings"),
    ]

    operations = [migrations.RunPython(to_company, migrations.RunPython.noop)]
