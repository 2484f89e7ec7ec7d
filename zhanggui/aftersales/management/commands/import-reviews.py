"""zhanggui import-reviews --shop <shop code> FILE [FILE …] [--user 工号]: import the platform's review exports (or
our XLSX template) into a shop (AS-7).

Prints Chinese progress lines and, as the LAST line, a JSON summary {"created", "updated", "unchanged", "failed",
"errors"} (errors: the bad rows by line and reason, in Chinese). Exits 0 when the files could be read — even with
failed rows — and non-zero with a Chinese message when they cannot (unknown shop, missing file, not a review
export, another platform's export): nothing is imported then.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhanggui.aftersales.services.review_imports import BATCH, import_files
from zhanggui.core.errors import DomainError
from zhanggui.shops.models import Shop


class Command(BaseCommand):
    help = "Import review export files of a shop (评价导入)"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--shop", required=True, help="shop code (店铺代码)")
        parser.add_argument("--user", default="", help="staff number (工号) recorded on the timeline")
        parser.add_argument("--batch", type=int, default=BATCH, help=f"reviews per transaction (default {BATCH})")

    def handle(self, *args, files, shop, user, batch, **options):
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
            contents.append((path.name, path))
        self.stdout.write(f"读取 {len(contents)} 个评价文件（{found.platform.name} · {found.name}）…")
        try:
            result = import_files(actor, found, contents, batch=max(1, batch))
        except DomainError as exc:
            raise CommandError(f"无法导入：{exc.message}") from None
        for line in result.errors[:50]:
            self.stdout.write(line)
        self.stdout.write(
            f"完成：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}，失败 {result.failed}"
        )
        self.stdout.write(json.dumps(result.summary(), ensure_ascii=False))
