"""zhanggui stock-verify: rebuild every stock level from the ledger and compare (INV-2); open reservations of
documents that no longer need their goods (a shipped, signed, completed or closed order) are differences too.

Prints "库存与流水一致：N 个库存记录" and exits 0, or one line per difference and exits 1.
"""

import sys

from django.core.management.base import BaseCommand

from zhanggui.catalog.models import Sku
from zhanggui.inventory.models import Warehouse
from zhanggui.inventory.services.verify import verify_stock


class Command(BaseCommand):
    help = "Check that the stock ledger adds up to every stock level (库存核对, INV-2)"

    def handle(self, *args, **options):
        check = verify_stock()
        if check.ok:
            self.stdout.write(f"库存与流水一致：{check.levels} 个库存记录")
            return
        problems = [*check.differences, *check.stale]
        shown = problems[:1000]
        codes = dict(Sku.objects.filter(pk__in={d.sku_id for d in shown}).values_list("pk", "code"))
        names = dict(Warehouse.objects.values_list("pk", "name"))
        for difference in shown:
            self.stdout.write(difference.describe(codes, names))
        more = len(problems) - len(shown)
        if more:
            self.stdout.write(f"……另有 {more} 处不一致")
        if check.differences:
            self.stderr.write(f"库存与流水不一致：{len(check.differences)} 处（共 {check.levels} 个库存记录）")
        if check.stale:
            self.stderr.write(f"单据已结束但预留未结束：{len(check.stale)} 处")
        sys.exit(1)
