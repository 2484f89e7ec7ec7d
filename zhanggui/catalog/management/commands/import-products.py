"""zhanggui import-products FILE [FILE…] [--user 工号]: bulk import of products, SKUs and listings (PROD-1).

Prints one line per file and, as the last line, a JSON summary
{"created", "updated", "unchanged", "failed", "rows", "report"} (report: the error XLSX, "" when none).
Exits non-zero with a Chinese message when a file cannot be read (encoding, not a product file, missing column).
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zhanggui.catalog.rules_imports import FileError
from zhanggui.catalog.services.imports import import_file


class Command(BaseCommand):
    help = "Import products, SKUs and listings from .xlsx or .csv files (商品批量导入)"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--user", default="", help="staff number (工号) to act as: their shop scope applies (default: all shops)"
        )
        parser.add_argument("--batch", type=int, default=500, help="rows per transaction (default 500)")

    def handle(self, *args, files, user, batch, **options):
        actor = None
        if user:
            from zhanggui.team.models import Staff

            actor = Staff.objects.filter(number=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"找不到工号 {user}")
        total = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0, "rows": 0}
        reports = []
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}：文件不存在")
            try:
                result = import_file(actor, path, batch_rows=max(1, batch))
            except FileError as exc:
                raise CommandError(f"{name}：{exc.message}") from None
            for key in total:
                total[key] += getattr(result, key)
            report = str(Path(settings.MEDIA_ROOT) / result.report) if result.report else ""
            if report:
                reports.append(report)
            self.stdout.write(
                f"{name}：{result.rows} 行，新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}，"
                f"失败 {result.failed}（{result.seconds:.1f} 秒）" + (f"；错误报告 {report}" if report else "")
            )
        summary = {**total, "report": reports[-1] if reports else ""}
        if len(reports) > 1:
            summary["reports"] = reports
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
