"""zhanggui import-orders --shop <shop code> FILE [FILE …] [--user 工号]: import marketplace order exports (ORD-1).

The platform comes from the shop, the format is detected from the headers. Prints Chinese progress lines and, as
the LAST line, a JSON summary {"created", "updated", "unchanged", "failed", "lines", "report"} (report: the path
of the error XLSX, null when every row imported). Exits 0 when the files could be read — even with failed rows —
and non-zero with a Chinese message when they cannot (unknown shop, missing file, not an order export, missing
required column).
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhanggui.core.errors import DomainError
from zhanggui.orders.services.imports import BATCH, check_readable, import_stream
from zhanggui.shops.models import Shop


class Command(BaseCommand):
    help = "Import order export files of a shop (订单导入)"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--shop", required=True, help="shop code (店铺代码)")
        parser.add_argument("--user", default="", help="staff number (工号) recorded on the timeline")
        parser.add_argument("--batch", type=int, default=BATCH, help=f"orders per transaction (default {BATCH})")

    def handle(self, *args, files, shop, user, batch, **options):
        from zhanggui.channels.formats import stream_files

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
            contents.append((path.name, path))  # paths: read streamed, memory flat in file size
        self.stdout.write(f"读取 {len(contents)} 个文件（{found.platform.name} · {found.name}）…")
        try:
            result = stream_files(found.platform_id, contents, batch=batch)
            check_readable(result)  # headers only: the rows are read while importing
        except DomainError as exc:
            message = exc.message if exc.message.startswith("无法读取") else f"无法读取：{exc.message}"
            raise CommandError(message) from None
        estimate = f"约 {result.estimate} 个订单" if result.estimate is not None else "订单数导入时统计"
        self.stdout.write(f"格式 {result.format}：{estimate}")

        def progress(done, total):
            self.stdout.write(f"已导入 {done}/{total} 个订单")

        run = import_stream(actor, found, result, contents, batch=batch, progress=progress)
        self.stdout.write(f"读取 {result.rows} 行数据，{len(result.errors)} 行有错误")
        report = run.report.path if run.report else None
        self.stdout.write(
            f"完成：新增 {run.created}，更新 {run.updated}，未变 {run.unchanged}，失败 {run.failed}，"
            f"订单行 {run.lines}" + (f"；错误报告 {report}" if report else "")
        )
        summary = {
            "created": run.created,
            "updated": run.updated,
            "unchanged": run.unchanged,
            "failed": run.failed,
            "lines": run.lines,
            "report": report,
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
