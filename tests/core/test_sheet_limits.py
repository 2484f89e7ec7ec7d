"""core.sheets limits (rule 7 of the house, ORD-1, PROD-1): a workbook is measured before it is parsed — the
decompressed size of its parts, the declared dimension, the rows, columns and cells of its sheet — so a 1.5 KB XLSX
naming a cell at XFD1048576 is a Chinese error instead of a parser allocating 17 billion cells; an import job
fed such a file fails with that reason and its upload is removed."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from zhanggui.core import sheets
from zhanggui.core.models import Job
from zhanggui.core.sheets import SheetError


def far_cell_xlsx(cell="XFD1048576") -> bytes:
    book = Workbook()
    book.active["A1"] = "商品编码"
    book.active[cell] = "x"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def without_dimension(data: bytes) -> bytes:
    """The same workbook with its <dimension> removed: the limits must come from the cells themselves."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                start = body.index(b"<dimension")
                body = body[:start] + body[body.index(b"/>", start) + 2 :]
            target.writestr(info.filename, body)
    return out.getvalue()


@pytest.fixture
def parser_never_called(monkeypatch):
    """The parser must not even be reached (on a sparse range it aborts the whole process)."""
    import python_calamine

    class Refused:
        @staticmethod
        def from_filelike(*args):
            raise AssertionError("the workbook reached the parser")

        from_path = from_filelike

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Refused)


@pytest.mark.parametrize("strip_dimension", [False, True])
@pytest.mark.parametrize("read", ["read_rows", "iter_rows"])
def test_ord1_far_cell_xlsx_is_refused_before_parsing(parser_never_called, read, strip_dimension):
    data = far_cell_xlsx()
    data = without_dimension(data) if strip_dimension else data
    assert len(data) < 6000
    with pytest.raises(SheetError) as error:
        list(getattr(sheets, read)("bomb.xlsx", data))
    assert error.value.code == "too_large" and "表格太大" in error.value.message and "行数" in error.value.message


def test_ord1_too_many_columns_and_cells_are_refused(settings, parser_never_called):
    settings.SHEET_LIMITS = {**settings.SHEET_LIMITS, "columns": 50}
    with pytest.raises(SheetError, match="列数"):
        list(sheets.read_rows("wide.xlsx", far_cell_xlsx("BA2")))
    settings.SHEET_LIMITS = {**settings.SHEET_LIMITS, "columns": 1000, "cells": 100}
    with pytest.raises(SheetError, match="单元格范围"):
        list(sheets.read_rows("big.xlsx", far_cell_xlsx("Z10")))


def test_ord1_decompressed_size_is_limited(settings, parser_never_called):
    settings.SHEET_LIMITS = {**settings.SHEET_LIMITS, "unzipped_mb": 1}
    book = Workbook()
    for _ in range(300):
        book.active.append(["内容" * 1000])
    out = io.BytesIO()
    book.save(out)
    assert len(out.getvalue()) < 200_000  # it compresses well; only its expanded size is over the limit
    with pytest.raises(SheetError, match="解压后大小"):
        list(sheets.read_rows("zip.xlsx", out.getvalue()))


def test_ord1_csv_column_limit(settings):
    settings.SHEET_LIMITS = {**settings.SHEET_LIMITS, "columns": 10}
    data = ("a,b\n" + "," * 20 + "\n").encode()
    with pytest.raises(SheetError, match="列数"):
        list(sheets.read_rows("wide.csv", data))
    with pytest.raises(SheetError, match="列数"):
        list(sheets.iter_rows("wide.csv", data))


def test_ord1_ordinary_workbook_still_reads():
    book = Workbook()
    book.active.append(["订单号", "金额"])
    book.active.append(["1001", 9.9])
    out = io.BytesIO()
    book.save(out)
    assert list(sheets.read_rows("ok.xlsx", out.getvalue())) == [(1, ["订单号", "金额"]), (2, ["1001", "9.9"])]


def _uploads_left(root) -> list:
    return [p for p in root.rglob("*") if p.is_file() and "upload" in str(p)]


def test_prod1_product_import_of_far_cell_xlsx_fails_the_job_and_removes_the_upload(
    world, client_for, settings, tmp_path, django_capture_on_commit_callbacks, parser_never_called
):
    settings.MEDIA_ROOT = tmp_path / "media"
    client = client_for(world.people["editor"])
    upload = SimpleUploadedFile("商品.xlsx", far_cell_xlsx())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("catalog:import"), {"file": upload})
    job = Job.objects.get(kind="catalog_import")
    assert job.status == Job.Status.FAILED and "表格太大" in job.message
    assert not _uploads_left(settings.MEDIA_ROOT)
    assert "表格太大" in client.get(response.url).content.decode()


def test_ord1_order_import_of_far_cell_xlsx_fails_the_job_and_removes_the_upload(
    world, client_for, settings, tmp_path, django_capture_on_commit_callbacks, parser_never_called
):
    settings.MEDIA_ROOT = tmp_path / "media"
    client = client_for(world.people["manager"])
    upload = SimpleUploadedFile("订单.xlsx", far_cell_xlsx())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("orders:import"), {"shop": world.shop_a.pk, "files": [upload]})
    job = Job.objects.get(kind="orders_import")
    assert job.status == Job.Status.FAILED and "表格太大" in job.message
    assert not _uploads_left(settings.MEDIA_ROOT)
