"""zhanggui facts-verify: recompute the daily sales facts from the orders and compare (DATA-2), as stock-verify does
for stock. Prints "销售统计与订单一致：N 个统计格" and exits 0, or one line per difference and exits 1."""

import sys

from django.core.management.base import BaseCommand

from zhanggui.analytics.services.facts import verify
from zhanggui.catalog.models import Sku
from zhanggui.shops.models import Shop


class Command(BaseCommand):
    help = "Check the daily sales facts against the orders (销售统计核对, DATA-2)"

    def handle(self, *args, **options):
        check = verify()
        if check.ok:
            self.stdout.write(f"销售统计与订单一致：{check.cells} 个统计格")
            return
        shown = check.differences[:1000]
        shops = dict(Shop.objects.values_list("pk", "name"))
        skus = dict(Sku.objects.filter(pk__in={d.sku_id for d in shown if d.sku_id}).values_list("pk", "code"))
        for difference in shown:
            self.stdout.write(difference.describe(shops, skus))
        more = len(check.differences) - len(shown)
        if more:
            self.stdout.write(f"……另有 {more} 处不一致")
        self.stderr.write(f"销售统计与订单不一致：{len(check.differences)} 处（共 {check.cells} 个统计格）")
        sys.exit(1)
