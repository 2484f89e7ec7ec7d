"""One shape for the file-import commands (`zhanggui import-refunds`, `import-reviews`, `import-statement` …):
`--shop CODE FILE [FILE …] [--user 工号]`, Chinese progress lines, the bad rows by file and line, and as the LAST
line a JSON summary (the result's `summary()`), like import-orders. An unknown shop or 工号 or a missing file stops
before anything is read, with a Chinese message and a non-zero exit; a file that could be read exits 0 even with
bad rows.

A command subclasses `FileImportCommand` and says what it reads (`what`), how to import (`run_import`) and its
closing line (`done_line`); `errors_of` and `extra_lines` adapt a result whose errors or notices differ."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from .models import shop_model

ERRORS_SHOWN = 200


class FileImportCommand(BaseCommand):
    what = "文件"  # "读取 2 个{what}…"
    pass_paths = False  # True: hand the importer the paths (it streams them), else the bytes

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--shop", required=True, help="shop code (店铺代码)")
        parser.add_argument("--user", default="", help="staff number (工号) recorded on the timeline")

    def run_import(self, actor, shop, contents, **options):
        raise NotImplementedError

    def done_line(self, result) -> str:
        raise NotImplementedError

    def errors_of(self, result) -> list[str]:
        return [f"{e.file} 第 {e.line} 行：{e.reason}" for e in result.errors]

    def extra_lines(self, result) -> list[str]:
        return []

    def handle(self, *args, files, shop, user, **options):
        found = shop_model().objects.select_related("platform").filter(code=shop).first()
        if found is None:
            raise CommandError(f"找不到店铺 {shop}")
        actor = None
        if user:
            staff = get_user_model()
            actor = staff.objects.filter(**{staff.USERNAME_FIELD: user, "is_active": True}).first()
            if actor is None:
                raise CommandError(f"找不到工号 {user}")
        contents = []
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}：文件不存在")
            contents.append((path.name, path if self.pass_paths else path.read_bytes()))
        self.stdout.write(f"读取 {len(contents)} 个{self.what}（{found.platform.name} · {found.name}）…")
        result = self.run_import(actor, found, contents, **options)
        errors = self.errors_of(result)
        for line in errors[:ERRORS_SHOWN]:
            self.stdout.write(line)
        if len(errors) > ERRORS_SHOWN:
            self.stdout.write(f"……另有 {len(errors) - ERRORS_SHOWN} 行错误")
        for line in self.extra_lines(result):
            self.stdout.write(line)
        self.stdout.write(self.done_line(result))
        self.stdout.write(json.dumps(result.summary(), ensure_ascii=False))
