"""core.uploads, the entry check of every upload (rule 7): the bytes decide what a file is, the size limit comes
from settings, every refusal is in Chinese."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from PIL import Image

from zhanggui.core import uploads
from zhanggui.core.errors import DomainError


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 60, 60)).save(out, "PNG")
    return out.getvalue()


def image_bytes(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (20, 60, 160)).save(out, fmt)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    book = Workbook()
    book.active.append(["运单号", "费用"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refused(uploaded, purpose="catalog_import", accept=uploads.SHEETS) -> DomainError:
    with pytest.raises(DomainError) as caught:
        uploads.check_upload(uploaded, purpose, accept)
    assert caught.value.field == "file"
    return caught.value


def test_a_png_renamed_xlsx_is_refused():
    error = refused(SimpleUploadedFile("商品.xlsx", png_bytes()))
    assert error.code == "file_type" and error.message.startswith("不是有效的 XLSX 文件")


def test_a_zip_that_is_no_workbook_is_refused_as_xlsx():
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert refused(SimpleUploadedFile("a.xlsx", out.getvalue())).code == "file_type"


def test_a_png_renamed_csv_is_refused_with_a_chinese_message():
    error = refused(SimpleUploadedFile("订单.csv", png_bytes()))
    assert error.code == "file_type" and "“订单.csv”的内容不是文本" in error.message


def test_an_xlsx_named_csv_is_told_to_change_its_name():
    assert refused(SimpleUploadedFile("a.csv", xlsx_bytes())).message == "这是一个 Excel 文件，请把扩展名改为 .xlsx"


def test_an_unlisted_suffix_is_refused_naming_what_is_accepted():
    error = refused(SimpleUploadedFile("a.exe", b"MZ\x90\x00"))
    assert error.message == "只能上传 .xlsx 或 .csv 文件（收到“a.exe”）"


def test_an_oversized_file_is_refused_with_a_chinese_message(settings):
    settings.UPLOAD_LIMITS_MB = {**settings.UPLOAD_LIMITS_MB, "catalog_import": 1}
    error = refused(SimpleUploadedFile("大.csv", b"a,b\n" * (300 * 1024)))  # 1.2 MB
    assert error.code == "file_too_large" and error.message == "文件太大：1.2 MB，上限 1 MB"
    assert uploads.check_upload(SimpleUploadedFile("小.csv", b"a,b\n" * 1024), "catalog_import").kind == "text"


def test_an_empty_file_is_refused():
    assert refused(SimpleUploadedFile("a.csv", b"")).message == "文件是空的"


def test_no_file_is_refused():
    assert refused(None).code == "file_required"


def test_a_real_xlsx_and_a_gbk_csv_are_accepted_and_left_at_their_start():
    data = xlsx_bytes()
    upload = SimpleUploadedFile("账单.xlsx", data)
    checked = uploads.check_upload(upload, "shipping_table", (uploads.XLSX, uploads.CSV, uploads.TXT))
    assert (checked.kind, checked.suffix, checked.size, checked.name) == ("xlsx", ".xlsx", len(data), "账单.xlsx")
    assert upload.read() == data  # the reader that comes next sees the whole file
    gbk = "运单号,费用\n268000000001,9.50\n".encode("gbk")
    checked = uploads.check_upload(SimpleUploadedFile("C:\\bills\\账单.CSV", gbk), "shipping_table")
    assert (checked.kind, checked.suffix, checked.name) == ("text", ".csv", "账单.CSV")
    utf16 = "运单号\t费用\n".encode("utf-16")  # Excel's "Unicode text": NUL bytes, but a BOM
    assert uploads.check_upload(SimpleUploadedFile("a.txt", utf16), "order_import", (uploads.TXT,)).kind == "text"


def test_an_old_xls_is_accepted_only_where_the_caller_takes_it():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500
    accept = (uploads.CSV, uploads.XLSX, uploads.XLS, uploads.TXT)
    assert uploads.check_upload(SimpleUploadedFile("a.xls", ole), "order_import", accept).kind == "xls"
    assert refused(SimpleUploadedFile("a.xls", ole)).code == "file_type"  # the catalog takes .xlsx and .csv only
    assert refused(SimpleUploadedFile("a.xls", b"a,b\n"), "order_import", accept).code == "file_type"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_images_are_known_by_their_bytes(fmt):
    checked = uploads.check_upload(SimpleUploadedFile("photo.bin", image_bytes(fmt)), "catalog_image", uploads.IMAGES)
    assert checked.kind == fmt.lower() and checked.suffix == {"JPEG": ".jpg"}.get(fmt, f".{fmt.lower()}")


def test_anything_else_named_as_an_image_is_refused():
    for name, data in [("a.jpg", b"<html><script>alert(1)</script>"), ("a.png", image_bytes("GIF"))]:
        error = refused(SimpleUploadedFile(name, data), "catalog_image", uploads.IMAGES)
        assert error.message == "不是有效的图片：只接受 JPEG、PNG 或 WebP 格式的图片文件"


def test_an_oversized_image_says_image(settings):
    settings.UPLOAD_LIMITS_MB = {**settings.UPLOAD_LIMITS_MB, "catalog_image": 1}
    error = refused(SimpleUploadedFile("a.png", png_bytes() + b"\x00" * (1024 * 1024)), "catalog_image", uploads.IMAGES)
    assert error.message.startswith("图片太大：")


def test_the_limits_are_settings(settings):
    assert uploads.limit_mb("order_import") == 200 and uploads.limit_bytes("catalog_image") == 10 * 1024 * 1024
    settings.UPLOAD_LIMITS_MB = {**settings.UPLOAD_LIMITS_MB, "order_import": 300}
    assert uploads.limit_bytes("order_import") == 300 * 1024 * 1024


def test_bytes_already_read_are_checked_the_same_way():
    assert uploads.check_data("a.xlsx", xlsx_bytes(), "dropship_tracking").kind == "xlsx"
    with pytest.raises(DomainError, match="XLSX"):
        uploads.check_data("a.xlsx", png_bytes(), "dropship_tracking")
