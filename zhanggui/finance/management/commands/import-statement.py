"""zhanggui import-statement --shop <shop code> FILE [FILE …] [--user 工号]: import a shop's money statements (FIN-3).

The Alipay 账务明细 CSV (Taobao/Tmall), the JD settlement export, the PDD 货款明细 export, as downloaded. Lines
already imported are skipped (the same file twice adds nothing). Prints Chinese lines — the bad rows by file and
line — and, as the LAST line, a JSON summary {"files", "rows", "created", "duplicates", "failed", "matched",
"mismatch", "unmatched"}. Exits 0 when the files could be read (even with bad rows), non-zero with a Chinese
message for an unknown shop or user or a missing file.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhanggui.finance.services.funds import import_statements
from zhanggui.shops.models import Shop


class Command(BaseCommand):
    help = "Import money statements of a shop (账单导入: 支付宝账务明细 / 京东结算单 / 拼多多货款明细)"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--shop", required=True, help="shop code (店铺代码)")
        parser.add_argument("--user", default="", help="staff number (工号)")

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
        self.stdout.write(f"读取 {len(contents)} 个账单文件（{found.platform.name} · {found.name}）…")
        result = import_statements(actor, found, contents)
        if result.layouts:
            self.stdout.write("格式：" + "、".join(result.layouts))
        for error in result.errors[:200]:
            self.stdout.write(f"{error.file} 第 {error.line} 行：{error.reason}")
        if len(result.errors) > 200:
            self.stdout.write(f"……另有 {len(result.errors) - 200} 行错误")
        self.stdout.write(
            f"完成：新增 {result.created}，已导入过 {result.duplicates}，失败 {result.failed}；"
            f"金额不符 {result.mismatch}，无法匹配 {result.unmatched}"
        )
        self.stdout.write(json.dumps(result.summary(), ensure_ascii=False))
