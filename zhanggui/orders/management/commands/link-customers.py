"""zhanggui link-customers [--shop <shop code> …]: give every order without a customer its customer (CRM-1).

The backfill for orders imported or entered before orders linked their buyers: the buyer's customer of the shop
is created or found by the platform buyer identity (orders.services.customers), set-based in batches. Idempotent:
a second run finds nothing to link. Prints how many orders were linked.
"""

from django.core.management.base import BaseCommand, CommandError

from zhanggui.orders.services.customers import link_all
from zhanggui.shops.models import Shop


class Command(BaseCommand):
    help = "Link orders to their customers (订单关联客户)"

    def add_arguments(self, parser):
        parser.add_argument("--shop", action="append", default=[], help="shop code (店铺代码); default: every shop")

    def handle(self, *args, shop, **options):
        shop_ids = None
        if shop:
            found = dict(Shop.objects.filter(code__in=shop).values_list("code", "pk"))
            missing = [code for code in shop if code not in found]
            if missing:
                raise CommandError(f"找不到店铺 {'、'.join(missing)}")
            shop_ids = list(found.values())
        linked = link_all(shop_ids)
        self.stdout.write(f"已关联客户的订单：{linked} 单")
