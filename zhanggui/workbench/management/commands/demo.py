from django.core.management.base import BaseCommand

from zhanggui.workbench.demo import load_demo


def login_url(address: str) -> str:
    """The URL to open for runserver's address ("port", "host:port", "[v6]:port"); a wildcard host (0.0.0.0, ::)
    is opened as 127.0.0.1 on this machine."""
    host, _sep, port = address.rpartition(":")
    host = host.strip("[]")
    if host in {"", "0.0.0.0", "::", "0"}:
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port or 8000}"


class Command(BaseCommand):
    help = "Load the demo company (idempotent) and print the logins"

    def add_arguments(self, parser):
        parser.add_argument("--address", default="127.0.0.1:8000", help="where runserver serves (make run's HOST)")

    def handle(self, *args, **options):
        result = load_demo()
        self.stdout.write(
            f"演示公司已就绪：{result['shops']} 个店铺，{result['customers']} 位客户，"
            f"{result['products']} 个商品（{result['skus']} 个 SKU），{result['stock_levels']} 条库存，"
            f"{result['orders']} 个订单，{result['packages']} 个包裹，{result['cases']} 个售后单。"
        )
        self.stdout.write(f"登录 {login_url(options['address'])} ，工号 / 密码：")
        for number, name, roles in result["logins"]:
            self.stdout.write(f"  {number}  {name:<4}  {roles:<16}  密码 {result['password']}")
