"""zhanggui import-refunds --shop <shop code> FILE [FILE …] [--user 工号]: import the platforms' refund lists (AS-2).

The Taobao/Tmall 退款管理 export, the JD 售后 export, the PDD 售后 export (CSV or XLSX, GBK or UTF-8) or our XLSX
template; each refund creates or updates an after-sales case (the same file twice changes nothing). Prints Chinese
lines — the bad rows by file and line — and, as the LAST line, a JSON summary {"created", "updated", "unchanged",
"failed", "orders_closed", "rows"} like import-orders. Exits 0 when the files could be read (even with bad rows),
non-zero with a Chinese message for an unknown shop or user or a missing file.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhanggui.aftersales.services.refund_import import import_files
from zhanggui.shops.models import Shop


class Command(BaseCommand):
    help = "Import refund-list files of a shop (退款导入)"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--shop", required=True, help="shop code (店铺代码)")
        parser.add_argument("--user", default="", help="staff number (工号) recorded on the timeline")

    def handle(self, *args, files, shop, user, **options):
        found = Shop.objects.select_related("platform").filter(code=shop).first()
        if found is None:
            raise CommandError(f"找不到店铺 {shop}")
        actor = None
        if user:
            from zhanggui.team.models import Staff

            actor = Staff.objects.filter(number=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"找不到工号 {user}")
        contents = []
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}：文件不存在")
            contents.append((path.name, path.read_bytes()))
        self.stdout.write(f"读取 {len(contents)} 个文件（{found.platform.name} · {found.name}）…")
        result = import_files(actor, found, contents)
        if result.layouts:
            self.stdout.write("格式：" + "、".join(result.layouts))
        for error in result.errors[:200]:
            self.stdout.write(f"{error.file} 第 {error.line} 行：{error.reason}")
        if len(result.errors) > 200:
            self.stdout.write(f"……另有 {len(result.errors) - 200} 行错误")
        for notice in result.notices:
            self.stdout.write(notice)
        self.stdout.write(
            f"完成：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}，失败 {result.failed}，"
            f"发货前全额退款关闭订单 {result.orders_closed}"
        )
        self.stdout.write(json.dumps(result.summary(), ensure_ascii=False))
