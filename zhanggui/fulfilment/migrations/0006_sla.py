# SHIP-5: the carrier's bill per parcel (CourierCharge). Written by hand.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("fulfilment", "0005_shipping"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    operations = [
        migrations.CreateModel(
            name="CourierCharge",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("waybill_no", models.CharField(max_length=40, verbose_name="waybill number")),
                ("weight_g", models.PositiveIntegerField(blank=True, null=True, verbose_name="billed weight (g)")),
                ("fee_fen", models.PositiveIntegerField(verbose_name="billed courier fee")),
                ("source", models.CharField(blank=True, max_length=120, verbose_name="source")),
                ("imported_at", models.DateTimeField(auto_now=True)),
                (
                    "carrier",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="fulfilment.carrier"
                    ),
                ),
                (
                    "imported_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "package",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="courier_charge",
                        to="fulfilment.package",
                    ),
                ),
            ],
            options={
                "verbose_name": "courier charge",
                "verbose_name_plural": "courier charges",
                "ordering": ["carrier", "waybill_no"],
            },
        ),
    ]
