"""zhanggui facts-rebuild [--shop CODE …]: fill the daily sales facts from the orders (DATA-2) — the first fill
after installing and a backfill. Cells already written keep their unit cost (FIN-1)."""

from django.core.management.base import BaseCommand, CommandError

from zhanggui.analytics.services.facts import rebuild
from zhanggui.shops.models import Shop


class Command(BaseCommand):
    help = "Recompute the daily sales facts from the orders (销售统计重建, DATA-2)"

    def add_arguments(self, parser):
        parser.add_argument("--shop", action="append", default=[], help="shop code (repeatable; default all)")

    def handle(self, *args, shop, **options):
        ids = None
        if shop:
            found = dict(Shop.objects.filter(code__in=shop).values_list("code", "pk"))
            missing = [code for code in shop if code not in found]
            if missing:
                raise CommandError(f"没有这个店铺：{'、'.join(missing)}")
            ids = list(found.values())
        days = rebuild(ids)
        self.stdout.write(f"销售统计已重建：{days} 个店铺日")
