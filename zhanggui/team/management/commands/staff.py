"""zhanggui staff add --number 工号 --name NAME --role ROLE [--role …] [--shop CODE …]"""

from django.core.management.base import BaseCommand, CommandError

from zhanggui.core.errors import DomainError
from zhanggui.shops.models import Shop
from zhanggui.team import services


class Command(BaseCommand):
    help = "Add staff (员工) with a 工号 and roles; prints the first password"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="create a staff member")
        add.add_argument("--number", required=True, help="staff number (工号)")
        add.add_argument("--name", required=True)
        add.add_argument(
            "--role",
            action="append",
            required=True,
            help="role code or name: manager/店长, cs/客服, designer/美工, editor/编辑, "
            "marketing/推广, warehouse/库管, finance/财务; repeat for several",
        )
        add.add_argument("--shop", action="append", default=[], help="shop code this person works on; repeatable")
        add.add_argument("--phone", default="")

    def handle(self, *args, action, **options):
        codes = options["shop"]
        shops = list(Shop.objects.filter(code__in=codes))
        missing = set(codes) - {s.code for s in shops}
        if missing:
            raise CommandError(f"店铺不存在：{'、'.join(sorted(missing))}")
        try:
            staff, password = services.create_staff(
                None,
                number=options["number"],
                name=options["name"],
                roles=options["role"],
                shops=shops,
                phone=options["phone"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        roles = "、".join(staff.groups.values_list("name", flat=True))
        self.stdout.write(f"已创建员工 {staff.number} {staff.name}（{roles}）")
        self.stdout.write(f"初始密码：{password}")
