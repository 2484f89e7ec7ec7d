"""INV-2: export of the filtered stock ledger to XLSX (a background job: the ledger grows without end)."""

from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from zhanggui.core import clock, references
from zhanggui.core.export_cells import safe_row
from zhanggui.core.jobs import report, start_job

from .selectors import LedgerFilters, ledger_entries

EXPORT_DIR = Path("private") / "exports"
BATCH = 2000


def start_ledger_export(user, filters: LedgerFilters):
    from .tasks import export_ledger

    return start_job(
        user,
        kind="stock_ledger_export",
        title=_("Stock ledger export"),
        task=export_ledger,
        params=filters.as_params(),
    )


def ledger_headers() -> list[str]:
    return [
        _("Time"),
        _("Merchant code"),
        _("Style code"),
        _("Product name"),
        _("Colour"),
        _("Size"),
        _("Warehouse"),
        _("Reason"),
        _("Document"),
        _("On hand before"),
        _("Change"),
        _("On hand after"),
        _("Reserved change"),
        _("Reserved after"),
        _("Staff number"),
        _("Note"),
    ]


def _chunks(items, size: int):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run_ledger_export(job) -> dict:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    entries = ledger_entries(LedgerFilters.from_params(job.params))
    total = entries.count()
    report(job, 0, total)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Stock ledger"))
    bold = Font(bold=True)
    header = []
    for title in ledger_headers():
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    done = 0
    for chunk in _chunks(entries.iterator(chunk_size=BATCH), BATCH):
        # INV-2: documents by their name (order number), as the ledger page shows them — never "order:2406"
        shown = references.present(job.created_by, [ref for e in chunk for ref in (e.document, e.note)])
        for e in chunk:
            sheet.append(
                safe_row(
                    [
                        clock.local(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                        e.sku.code,
                        e.sku.product.style_code,
                        e.sku.product.name,
                        e.sku.colour,
                        e.sku.size,
                        e.warehouse.name,
                        e.get_reason_display(),
                        shown[e.document].label if e.document else "",
                        e.on_hand_before,
                        e.on_hand_change,
                        e.on_hand_after,
                        e.reserved_change,
                        e.reserved_after,
                        e.actor_number,
                        shown[e.note].label if e.note else "",
                    ]
                )
            )
        done += len(chunk)
        report(job, done, total)
    folder = Path(settings.MEDIA_ROOT) / EXPORT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"stock-ledger-{job.pk}.xlsx"
    book.save(path)
    return {"file": str(path.relative_to(settings.MEDIA_ROOT)), "rows": done, "file_label": _("Download XLSX")}
