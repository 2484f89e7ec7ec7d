"""zhanggui shop add --code CODE --platform taobao|tmall|jd|pdd|own --name NAME; zhanggui shop list"""

from django.core.management.base import BaseCommand, CommandError

from zhanggui.core.errors import DomainError
from zhanggui.shops import services
from zhanggui.shops.models import Shop


class Command(BaseCommand):
    help = "Add or list shops (店铺)"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="create a shop")
        add.add_argument("--code", required=True, help="unique shop code, e.g. tb-main")
        add.add_argument("--platform", required=True, help="taobao, tmall, jd, pdd or own")
        add.add_argument("--name", required=True, help="shop name")
        add.add_argument("--type", default="", dest="shop_type", help="shop type code of the platform (optional)")
        sub.add_parser("list", help="one shop a line: code, platform, name")

    def handle(self, *args, action, **options):
        if action == "list":
            for shop in Shop.objects.order_by("code"):
                self.stdout.write(f"{shop.code}\t{shop.platform_id}\t{shop.name}")
            return
        try:
            shop = services.create_shop(
                None,
                code=options["code"],
                platform=options["platform"],
                name=options["name"],
                shop_type=options["shop_type"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"已创建店铺 {shop.code}\t{shop.platform_id}\t{shop.name}")
