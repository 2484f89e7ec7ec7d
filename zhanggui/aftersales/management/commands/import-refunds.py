"""zhanggui import-refunds --shop <shop code> FILE [FILE …] [--user 工号]: import the platforms' refund lists (AS-2).

The Taobao/Tmall 退款管理 export, the JD 售后 export, the PDD 售后 export (CSV or XLSX, GBK or UTF-8) or our XLSX
template; each refund creates or updates an after-sales case (the same file twice changes nothing). Prints Chinese
lines — the bad rows by file and line — and, as the LAST line, a JSON summary {"created", "updated", "unchanged",
"failed", "orders_closed", "rows"} like import-orders. Exits 0 when the files could be read (even with bad rows),
non-zero with a Chinese message for an unknown shop or user or a missing file.
"""

from zhanggui.aftersales.services.refund_import import import_files
from zhanggui.core.file_import_command import FileImportCommand


class Command(FileImportCommand):
    help = "Import refund-list files of a shop (退款导入)"

    def run_import(self, actor, shop, contents, **options):
        return import_files(actor, shop, contents)

    def extra_lines(self, result) -> list[str]:
        return (["格式：" + "、".join(result.layouts)] if result.layouts else []) + list(result.notices)

    def done_line(self, result) -> str:
        return (
            f"完成：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}，失败 {result.failed}，"
            f"发货前全额退款关闭订单 {result.orders_closed}"
        )
