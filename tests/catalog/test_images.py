"""Images (PROD-4, PROD-5): checked uploads, 710 px main images, own watermark, 货号-序号 names, originals kept,
sold-out marking, the checklist, and permission-checked serving that never answers HTML."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from zhanggui.catalog.models import Listing, Product, ProductImage, Sku
from zhanggui.catalog.services import images as svc
from zhanggui.core.errors import DomainError
from zhanggui.core.models import Event
from zhanggui.shops.settings_store import update_settings


def png_bytes(width=40, height=30, color=(200, 60, 60), fmt="PNG", **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, fmt, **save)
    return out.getvalue()


def upload(data: bytes, name="photo.png", content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def product(world, media):
    p = Product.objects.create(style_code="QH24S-0012", name="真丝连衣裙")
    Listing.objects.create(shop=world.shop_a, product=p, title="真丝连衣裙", price_fen=29900)
    return p


def test_prod4_main_image_resized_to_710_exactly_with_aspect_kept(world, product):
    image = svc.upload_image(world.people["designer"], product, upload(png_bytes(80, 60)), "main")
    assert (image.width, image.height) == (710, 533)  # 60 × 710 / 80 = 532.5 → 533
    with Image.open(image.file.path) as img:
        assert img.size == (710, 533)
        assert img.format == "JPEG"


def test_prod4_main_width_is_the_shops_setting(world, product):
    update_settings(None, world.shop_a, {"catalog.main_image_width": "300"})
    image = svc.upload_image(None, product, upload(png_bytes(60, 60)), "main")
    assert (image.width, image.height) == (300, 300)


def test_prod4_detail_images_keep_their_size(world, product):
    image = svc.upload_image(None, product, upload(png_bytes(50, 20)), "detail", annotated=True)
    assert (image.width, image.height) == (50, 20)
    assert image.annotated


def test_prod4_watermark_changes_pixels_and_uses_the_shop_text(world, product):
    plain = Image.new("RGB", (200, 120), (40, 40, 40))
    marked = svc.add_watermark(plain, "甲店")
    assert plain.tobytes() != marked.tobytes()
    # the mark sits in the lower right corner, the upper left is untouched
    assert marked.getpixel((5, 5)) == (40, 40, 40)
    assert svc.watermark_text_for(world.shop_a) == "甲店"  # empty setting → the shop name
    update_settings(None, world.shop_a, {"catalog.watermark_text": "青禾原创"})
    assert svc.watermark_text_for(world.shop_a) == "青禾原创"
    image = svc.upload_image(None, product, upload(png_bytes(200, 120, (40, 40, 40))), "detail")
    with Image.open(image.file.path) as img:
        corner = img.crop((100, 80, 200, 120)).convert("L")
        assert max(corner.tobytes()) > 90  # light watermark text on the dark photo


def test_prod4_cjk_font_found():
    assert svc.font_path() is not None and svc.font_path().endswith(".ttc")


def test_prod4_files_named_style_code_and_sequence(world, product, media):
    first = svc.upload_image(None, product, upload(png_bytes()), "main")
    second = svc.upload_image(None, product, upload(png_bytes(), name="x.jpeg"), "detail")
    third = svc.upload_image(None, product, upload(png_bytes()), "detail")
    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert first.file.name == "catalog/images/QH24S-0012-01.jpg"
    assert third.file.name == "catalog/images/QH24S-0012-03.jpg"
    assert first.original.name == "catalog/originals/QH24S-0012-01.png"
    assert (media / "catalog/images/QH24S-0012-03.jpg").is_file()


def test_prod4_original_kept_byte_identical_and_exif_stripped(world, product):
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0110] = "GPS-Phone"  # Model
    data = png_bytes(64, 48, fmt="JPEG", exif=exif.tobytes())
    image = svc.upload_image(None, product, upload(data, "p.jpg", "image/jpeg"), "main")
    with open(image.original.path, "rb") as fh:
        assert fh.read() == data
    with Image.open(image.file.path) as img:
        assert not dict(img.getexif())
    with open(image.file.path, "rb") as fh:
        assert b"SecretCam" not in fh.read()


@pytest.mark.parametrize(
    "data,name,content_type",
    [
        (b"just some text, not an image", "notes.txt", "text/plain"),
        (b"<html><script>alert(1)</script></html>", "photo.jpg", "image/jpeg"),  # HTML disguised as .jpg
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "a.svg", "image/svg+xml"),
        (b"GIF89a" + b"\x00" * 20 + b"<script>alert(1)</script>", "a.gif", "image/gif"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 50, "broken.jpg", "image/jpeg"),  # JPEG header, no image
        (b"", "empty.png", "image/png"),
    ],
)
def test_prod4_non_images_rejected_in_chinese(world, product, data, name, content_type):
    with pytest.raises(DomainError) as exc:
        svc.upload_image(None, product, upload(data, name, content_type), "detail")
    assert exc.value.field == "file"
    assert "图片" in exc.value.message or "空" in exc.value.message
    assert not ProductImage.objects.exists()


def test_prod4_real_gif_refused_only_jpeg_png_webp(world, product):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(DomainError, match="JPEG、PNG 或 WebP"):
        svc.upload_image(None, product, upload(out.getvalue(), "a.gif", "image/gif"), "detail")
    webp = svc.upload_image(None, product, upload(png_bytes(fmt="WEBP"), "a.webp", "image/webp"), "detail")
    assert webp.original.name.endswith(".webp")


def test_prod4_too_large_refused(world, product, settings):
    settings.UPLOAD_LIMITS_MB = {**settings.UPLOAD_LIMITS_MB, "catalog_image": 1}
    with pytest.raises(DomainError, match="图片太大"):
        svc.upload_image(None, product, upload(png_bytes(60, 60, (1, 2, 3)) + b"\x00" * (1024 * 1024)), "detail")


def test_prod4_upload_recorded_and_photographed_on_set(world, product):
    svc.upload_image(world.people["designer"], product, upload(png_bytes()), "main")
    product.refresh_from_db()
    assert product.photographed_on is not None
    event = Event.objects.get(kind="image_uploaded")
    assert event.to_state == "QH24S-0012-01.jpg" and event.actor == world.people["designer"]


def test_prod4_sold_out_variant_marked_and_restored(world, product):
    Sku.objects.create(product=product, code="QH-R-S", colour="红色", size="S", sold_out=True)
    Sku.objects.create(product=product, code="QH-R-M", colour="红色", size="M", sold_out=True)
    Sku.objects.create(product=product, code="QH-B-S", colour="蓝色", size="S", sold_out=False)
    red = svc.upload_image(None, product, upload(png_bytes(120, 90, (250, 250, 250))), "detail", variant="红色")
    with open(red.file.path, "rb") as fh:
        before = fh.read()
    assert svc.sold_out_variants(product) == {"红色", "M"}  # not S: 蓝色/S is still in stock
    with pytest.raises(DomainError, match="没有售罄"):
        svc.mark_sold_out(None, product, "蓝色")
    checklist = {i.key: i for i in svc.image_checklist(product)}
    assert not checklist["sold_out"].ok
    assert svc.mark_sold_out(world.people["designer"], product, "红色") == 1
    with open(red.file.path, "rb") as fh:
        marked = fh.read()
    assert marked != before
    with Image.open(io.BytesIO(marked)) as img:
        assert img.getpixel((2, 45))[0] < 150  # the dark banner across the middle (left of the text)
    assert svc.is_marked_sold_out(red)
    assert {i.key: i for i in svc.image_checklist(product)}["sold_out"].ok
    assert svc.mark_sold_out(None, product, "红色") == 0  # idempotent
    assert svc.unmark_sold_out(None, product, "红色") == 1
    with open(red.file.path, "rb") as fh:
        assert fh.read() == before


def test_prod4_prod5_checklist(world, product):
    today = dt.date(2026, 11, 20)
    product.arrived_on = dt.date(2026, 11, 10)
    product.save()
    items = {i.key: i for i in svc.image_checklist(product, today=today)}
    assert items["timely"].state == "overdue" and "逾期" in items["timely"].detail
    assert not items["main"].ok and not items["details"].ok and not items["size_chart"].ok
    assert not items["detail_page"].ok and items["sold_out"].ok
    svc.upload_image(None, product, upload(png_bytes()), "main")
    for _ in range(5):
        svc.upload_image(None, product, upload(png_bytes()), "detail", annotated=True)
    svc.upload_image(None, product, upload(png_bytes()), "size_chart")
    svc.set_detail_parts(
        world.people["editor"], product, detail_intro=True, detail_spec=True, detail_angles=True, detail_aftersales=True
    )
    product.refresh_from_db()
    product.photographed_on = product.first_listed_on = dt.date(2026, 11, 12)
    product.save()
    items = svc.image_checklist(product, today=today)
    assert all(i.ok for i in items), [(i.key, i.detail) for i in items if not i.ok]
    assert Event.objects.filter(kind="detail_parts").exists()


def test_prod4_checklist_four_annotated_is_not_enough(world, product):
    for _ in range(4):
        svc.upload_image(None, product, upload(png_bytes()), "detail", annotated=True)
    svc.upload_image(None, product, upload(png_bytes()), "detail", annotated=False)
    details = {i.key: i for i in svc.image_checklist(product)}["details"]
    assert not details.ok and details.detail == "4/5"


def test_prod4_delete_removes_files(world, product, media, django_capture_on_commit_callbacks):
    image = svc.upload_image(None, product, upload(png_bytes()), "detail")
    with django_capture_on_commit_callbacks(execute=True):
        svc.delete_image(None, image)
    assert not (media / "catalog/images/QH24S-0012-01.jpg").exists()
    assert not (media / "catalog/originals/QH24S-0012-01.png").exists()


# ---------------------------------------------------------------------------------------------------------------
# Pages and serving
# ---------------------------------------------------------------------------------------------------------------


def test_prod4_image_view_content_type_nosniff_inline(world, product, client_for):
    image = svc.upload_image(None, product, upload(png_bytes()), "main")
    resp = client_for(world.people["cs"]).get(reverse("catalog:image_file", args=[image.pk]))
    assert resp.status_code == 200
    assert resp["Content-Type"] == "image/jpeg"
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert resp["Content-Disposition"].startswith("inline")
    body = b"".join(resp.streaming_content)
    assert body.startswith(b"\xff\xd8")


def test_prod4_original_only_for_roles_that_change_products(world, product, client_for):
    data = png_bytes()
    image = svc.upload_image(None, product, upload(data), "main")
    url = reverse("catalog:image_original", args=[image.pk])
    for role in ("designer", "editor", "manager"):
        resp = client_for(world.people[role]).get(url)
        assert resp.status_code == 200, role
        assert resp["Content-Type"] == "image/png" and resp["X-Content-Type-Options"] == "nosniff"
        assert resp["Content-Disposition"].startswith("attachment")
        assert b"".join(resp.streaming_content) == data
    for role in ("cs", "marketing", "warehouse", "finance"):
        assert client_for(world.people[role]).get(url).status_code == 403, role


def test_prod4_upload_page_per_role(world, product, client_for):
    url = reverse("catalog:image_upload", args=[product.pk])
    form = {"kind": "main", "annotated": "", "variant": ""}
    resp = client_for(world.people["cs"]).post(url, {**form, "file": upload(png_bytes())})
    assert resp.status_code == 403
    resp = client_for(world.people["designer"]).post(url, {**form, "file": upload(png_bytes())})
    assert resp.status_code == 302
    assert product.images.count() == 1
    bad = client_for(world.people["designer"]).post(
        url, {**form, "file": upload(b"<html><script>alert(1)</script>", "evil.jpg", "image/jpeg")}
    )
    assert bad.status_code == 400
    assert "不是有效的图片" in bad.content.decode()
    page = client_for(world.people["warehouse"]).get(reverse("catalog:images", args=[product.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "QH24S-0012-01" in html and "710" in html
    assert 'name="file"' not in html  # no upload form without the right


def test_prod4_delete_page_needs_the_right(world, product, client_for):
    image = svc.upload_image(None, product, upload(png_bytes()), "detail")
    url = reverse("catalog:image_delete", args=[image.pk])
    assert client_for(world.people["cs"]).post(url, {"confirm": "1"}).status_code == 403
    assert client_for(world.people["designer"]).post(url).status_code == 302  # no confirmation: kept
    assert ProductImage.objects.exists()
    assert client_for(world.people["designer"]).post(url, {"confirm": "1"}).status_code == 302
    assert not ProductImage.objects.exists()


def test_prod4_cjk_style_code_served_with_encoded_file_name(world, client_for, media):
    product = Product.objects.create(style_code="春装/连衣裙 01", name="春装")
    image = svc.upload_image(None, product, upload(png_bytes()), "detail")
    assert image.file.name == "catalog/images/春装_连衣裙_01-01.jpg"
    resp = client_for(world.people["cs"]).get(reverse("catalog:image_file", args=[image.pk]))
    assert resp.status_code == 200 and resp["Content-Type"] == "image/jpeg"
    assert resp["Content-Disposition"].startswith("inline") and "filename*=utf-8''" in resp["Content-Disposition"]


def test_prod4_upload_page_refuses_a_script_named_png(world, product, client_for):
    url = reverse("catalog:image_upload", args=[product.pk])
    hostile = upload(b"<svg onload=alert(1)></svg>", "photo.png", "image/png")
    response = client_for(world.people["designer"]).post(url, {"kind": "main", "file": hostile})
    assert response.status_code == 400
    assert "不是有效的图片：只接受 JPEG、PNG 或 WebP 格式的图片文件" in response.content.decode()
    assert not product.images.exists()
