"""zhanggui import-statement --shop <shop code> FILE [FILE …] [--user 工号]: import a shop's money statements (FIN-3).

The Alipay 账务明细 CSV (Taobao/Tmall), the JD settlement export, the PDD 货款明细 export, as downloaded. Lines
already imported are skipped (the same file twice adds nothing). Prints Chinese lines — the bad rows by file and
line — and, as the LAST line, a JSON summary {"files", "rows", "created", "duplicates", "failed", "matched",
"mismatch", "unmatched"}. Exits 0 when the files could be read (even with bad rows), non-zero with a Chinese
message for an unknown shop or user or a missing file.
"""

from zhanggui.core.file_import_command import FileImportCommand
from zhanggui.finance.services.funds import import_statements


class Command(FileImportCommand):
    help = "Import money statements of a shop (账单导入: 支付宝账务明细 / 京东结算单 / 拼多多货款明细)"
    what = "账单文件"

    def run_import(self, actor, shop, contents, **options):
        return import_statements(actor, shop, contents)

    def extra_lines(self, result) -> list[str]:
        return ["格式：" + "、".join(result.layouts)] if result.layouts else []

    def done_line(self, result) -> str:
        return (
            f"完成：新增 {result.created}，已导入过 {result.duplicates}，失败 {result.failed}；"
            f"金额不符 {result.mismatch}，无法匹配 {result.unmatched}"
        )
