from django.core.management.base import BaseCommand

from zhanggui.workbench.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo company (idempotent) and print the logins"

    def handle(self, *args, **options):
        result = load_demo()
        self.stdout.write(
            f"演示公司已就绪：{result['shops']} 个店铺，{result['customers']} 位客户，"
            f"{result['products']} 个商品（{result['skus']} 个 SKU），{result['stock_levels']} 条库存，"
            f"{result['orders']} 个订单，{result['packages']} 个包裹。"
        )
        self.stdout.write("登录 http://127.0.0.1:8000 ，工号 / 密码：")
        for number, name, roles in result["logins"]:
            self.stdout.write(f"  {number}  {name:<4}  {roles:<16}  密码 {result['password']}")
