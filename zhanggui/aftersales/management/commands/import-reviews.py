"""zhanggui import-reviews --shop <shop code> FILE [FILE …] [--user 工号]: import the platform's review exports (or
our XLSX template) into a shop (AS-7).

Prints Chinese progress lines and, as the LAST line, a JSON summary {"created", "updated", "unchanged", "failed",
"errors"} (errors: the bad rows by line and reason, in Chinese). Exits 0 when the files could be read — even with
failed rows — and non-zero with a Chinese message when they cannot (unknown shop, missing file, not a review
export, another platform's export): nothing is imported then.
"""

from django.core.management.base import CommandError

from zhanggui.aftersales.services.review_imports import BATCH, import_files
from zhanggui.core.errors import DomainError
from zhanggui.core.file_import_command import FileImportCommand


class Command(FileImportCommand):
    help = "Import review export files of a shop (评价导入)"
    what = "评价文件"
    pass_paths = True

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--batch", type=int, default=BATCH, help=f"reviews per transaction (default {BATCH})")

    def run_import(self, actor, shop, contents, batch=BATCH, **options):
        try:
            return import_files(actor, shop, contents, batch=max(1, batch))
        except DomainError as exc:
            raise CommandError(f"无法导入：{exc.message}") from None

    def errors_of(self, result) -> list[str]:
        return list(result.errors)

    def done_line(self, result) -> str:
        return f"完成：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}，失败 {result.failed}"
