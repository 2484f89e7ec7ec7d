"""Product images (PROD-4, PROD-5): checked uploads, originals kept, 710 px main images, own watermark,
files named 货号 + sequence number, sold-out colours/sizes marked, and the per-product image checklist.

Uploads are never trusted: the bytes must open *and* verify as JPEG, PNG or WebP with Pillow (extension and
Content-Type are ignored), the processed file is re-encoded by us (no EXIF, no foreign payload), and files are
served only through permission-checked views with our own Content-Type and `nosniff`.
"""

import datetime as dt
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from PIL import Image, ImageDraw, ImageFont, ImageOps

from zhanggui.core import clock, pdf, uploads
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, register_event_kinds
from zhanggui.core.registry import get_definition

from ..models import Product, ProductImage, Sku

MAX_PIXELS = 40_000_000  # refuse decompression bombs long before Pillow's own limit
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
SOLD_OUT_TEXT = "已售罄"
UNMARKED_DIR = "catalog/images/unmarked/"  # the version before the sold-out banner, to restore it
JPEG_QUALITY = 90

register_event_kinds(
    {
        "image_uploaded": "上传图片",
        "image_deleted": "删除图片",
        "image_sold_out": "图片标记售罄",
        "image_sold_out_cleared": "图片取消售罄标记",
        "detail_parts": "详情页内容",
    }
)


# ---------------------------------------------------------------------------------------------------------------
# Settings per shop (the first listing's shop when none is given; the registered default without any shop)
# ---------------------------------------------------------------------------------------------------------------


def shop_for(product: Product, shop=None):
    if shop is not None:
        return shop
    listing = product.listings.select_related("shop").order_by("pk").first()
    return listing.shop if listing else None


def setting(shop, key: str):
    if shop is None:
        return get_definition(key).default
    from zhanggui.shops.settings_store import get_setting

    return get_setting(shop, key)


def watermark_text_for(shop) -> str:
    text = (setting(shop, "catalog.watermark_text") or "").strip()
    return text or (shop.name if shop is not None else "")


# ---------------------------------------------------------------------------------------------------------------
# Checking and processing
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class CheckedUpload:
    data: bytes
    ext: str  # jpg / png / webp, from what Pillow found in the bytes
    width: int
    height: int


def check_upload(uploaded_file) -> CheckedUpload:
    """PROD-4: only real JPEG/PNG/WebP images up to the catalog_image size limit (core.uploads checks size and
    signature); then Pillow decodes it fully, so a truncated or forged image is refused in Chinese too."""
    if uploaded_file is None:
        raise DomainError("image_required", "请选择要上传的图片", "file")
    uploads.check_upload(uploaded_file, "catalog_image", uploads.IMAGES)
    limit = uploads.limit_bytes("catalog_image")
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:  # the declared size was wrong
        raise DomainError("file_too_large", f"图片太大，上限 {uploads.limit_mb('catalog_image')} MB", "file")
    refused = DomainError("image_invalid", "不是有效的图片：只接受 JPEG、PNG 或 WebP 格式的图片文件", "file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS)) as probe:
                fmt = probe.format
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise DomainError("image_too_big", f"图片像素太多（{width}×{height}），请缩小后再上传", "file")
                probe.verify()
            with Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS)) as full:
                full.load()  # verify() does not decode the pixels; a truncated file fails here
    except DomainError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DomainError("image_too_big", "图片像素太多，请缩小后再上传", "file") from None
    except Exception:
        raise refused from None
    if fmt not in ALLOWED_FORMATS:
        raise refused
    return CheckedUpload(data, ALLOWED_FORMATS[fmt], width, height)


def font_path() -> str | None:
    """The CJK font of the watermarks: the one of printed documents (`core.pdf`); None → Pillow's default."""
    try:
        return str(pdf.font_path())
    except pdf.NoCjkFont:
        return None


def _font(size: int):
    path = font_path()
    if path:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            pass
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # very old Pillow
        return ImageFont.load_default()


def _to_rgb(img: Image.Image) -> Image.Image:
    """Flatten transparency onto white (the processed image is a JPEG)."""
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        img = img.convert("RGBA")
        background = Image.new("RGB", img.size, (255, 255, 255))
        background.paste(img, mask=img.getchannel("A"))
        return background
    return img.convert("RGB")


def resize_to_width(img: Image.Image, width: int) -> Image.Image:
    """Exactly `width` px wide, aspect kept (PROD-4: main image 710 px)."""
    if img.width == width:
        return img
    height = max(1, (img.height * width * 2 + img.width) // (img.width * 2))  # rounded half up
    return img.resize((width, height), Image.Resampling.LANCZOS)


def add_watermark(img: Image.Image, text: str) -> Image.Image:
    """The shop's own watermark: semi-transparent text in the lower right corner (PROD-4)."""
    if not text:
        return img
    base = img.convert("RGBA")
    overlay = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    size = max(12, base.width // 18)
    font = _font(size)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font, stroke_width=max(1, size // 16))
    margin = max(6, base.width // 40)
    x = max(0, base.width - (right - left) - margin)
    y = max(0, base.height - (bottom - top) - margin)
    draw.text(
        (x - left, y - top),
        text,
        font=font,
        fill=(255, 255, 255, 150),
        stroke_width=max(1, size // 16),
        stroke_fill=(0, 0, 0, 90),
    )
    return Image.alpha_composite(base, overlay).convert("RGB")


def add_sold_out_banner(img: Image.Image) -> Image.Image:
    """PROD-4: a sold-out colour or size is marked on its image — a dark band with 已售罄 across the middle."""
    base = img.convert("RGBA")
    overlay = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    band = max(24, base.height // 7)
    top = (base.height - band) // 2
    draw.rectangle([0, top, base.width, top + band], fill=(30, 30, 30, 170))
    font = _font(max(12, int(band * 0.6)))
    left, t, right, b = draw.textbbox((0, 0), SOLD_OUT_TEXT, font=font)
    draw.text(
        ((base.width - (right - left)) / 2 - left, top + (band - (b - t)) / 2 - t),
        SOLD_OUT_TEXT,
        font=font,
        fill=(255, 255, 255, 235),
    )
    return Image.alpha_composite(base, overlay).convert("RGB")


def _encode_jpeg(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)  # no exif= → no EXIF, no GPS, no thumbnail
    return out.getvalue()


def process(checked: CheckedUpload, kind: str, *, main_width: int, watermark: str) -> tuple[bytes, int, int]:
    """Re-encode as JPEG without EXIF (orientation applied first); main images to `main_width`; watermark."""
    with Image.open(io.BytesIO(checked.data)) as src:
        img = ImageOps.exif_transpose(src)
        img = _to_rgb(img)
    if kind == ProductImage.Kind.MAIN:
        img = resize_to_width(img, main_width)
    img = add_watermark(img, watermark)
    return _encode_jpeg(img), img.width, img.height


def safe_code(style_code: str) -> str:
    """货号 as a file name: letters, digits, CJK, - and _ kept; anything else becomes _."""
    return re.sub(r"[^0-9A-Za-z\u4e00-\u9fff_-]+", "_", style_code).strip("._") or "product"


def image_name(product: Product, seq: int) -> str:
    """PROD-4: files named 货号 + sequence number, e.g. QH24S-0012-03.jpg."""
    return f"{safe_code(product.style_code)}-{seq:02d}"


# ---------------------------------------------------------------------------------------------------------------
# Writes
# ---------------------------------------------------------------------------------------------------------------


def _store(field_file, name: str, data: bytes) -> None:
    """Save under the field's folder with exactly this name (a stale file of the same name is replaced)."""
    path = field_file.field.generate_filename(field_file.instance, name)
    if field_file.storage.exists(path):
        field_file.storage.delete(path)
    field_file.save(name, ContentFile(data), save=False)


def upload_image(
    actor, product: Product, uploaded_file, kind: str, annotated: bool = False, variant: str = "", shop=None
):
    """PROD-4: check, keep the original byte for byte, process (710 px main image, own watermark, no EXIF),
    name it 货号-序号 and record it on the product's timeline. `shop` picks the settings (default: the shop of the
    product's first listing, else the registered defaults)."""
    if kind not in ProductImage.Kind.values:
        raise DomainError("invalid_kind", f"图片类型不正确：“{kind}”", "kind")
    variant = (variant or "").strip()[:30]
    checked = check_upload(uploaded_file)
    shop = shop_for(product, shop)
    main_width = int(setting(shop, "catalog.main_image_width"))
    data, width, height = process(checked, kind, main_width=main_width, watermark=watermark_text_for(shop))
    with transaction.atomic():
        locked = Product.objects.select_for_update().get(pk=product.pk)
        seq = (locked.images.aggregate(m=Max("seq"))["m"] or 0) + 1
        name = image_name(locked, seq)
        image = ProductImage(
            product=locked,
            kind=kind,
            seq=seq,
            width=width,
            height=height,
            annotated=bool(annotated),
            variant=variant,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        _store(image.original, f"{name}.{checked.ext}", checked.data)
        _store(image.file, f"{name}.jpg", data)
        try:
            image.save()
        except Exception:
            image.original.delete(save=False)
            image.file.delete(save=False)
            raise
        if locked.photographed_on is None:  # the first photo of the product
            locked.photographed_on = clock.today()
            locked.save(update_fields=["photographed_on", "updated_at"])
            product.photographed_on = locked.photographed_on
        record_event(
            actor,
            locked,
            "image_uploaded",
            to_state=Path(image.file.name).name,
            note=f"{ProductImage.Kind(kind).label} {width}×{height}"
            + (f"，{variant}" if variant else "")
            + ("，已标注卖点" if annotated else ""),
            shop=shop,
        )
    return image


def delete_image(actor, image: ProductImage) -> None:
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=image.product_id)
        name = Path(image.file.name).name
        files = [image.file.name, image.original.name, _unmarked_path(image)]
        image.delete()
        record_event(actor, product, "image_deleted", from_state=name)

        def remove():
            for path in files:
                if path and default_storage.exists(path):
                    default_storage.delete(path)

        transaction.on_commit(remove)


def _unmarked_path(image: ProductImage) -> str:
    return UNMARKED_DIR + Path(image.file.name).name


def is_marked_sold_out(image: ProductImage) -> bool:
    return default_storage.exists(_unmarked_path(image))


def sold_out_variants(product: Product) -> set[str]:
    """Colours or sizes whose every active SKU is sold out (PROD-4: marked on their images)."""
    skus = list(
        Sku.objects.filter(product=product, is_active=True, is_combo=False).values("colour", "size", "sold_out")
    )
    result = set()
    for attr in ("colour", "size"):
        values: dict[str, list[bool]] = {}
        for sku in skus:
            if sku[attr]:
                values.setdefault(sku[attr], []).append(sku["sold_out"])
        result |= {v for v, flags in values.items() if all(flags)}
    return result


def mark_sold_out(actor, product: Product, variant: str) -> int:
    """PROD-4: put a 已售罄 banner on every image showing `variant` (a sold-out colour or size); the unmarked
    version is kept to restore. Returns the number of images marked."""
    variant = (variant or "").strip()
    if variant not in sold_out_variants(product):
        raise DomainError("not_sold_out", f"“{variant}”没有售罄：只有全部 SKU 都售罄的颜色或尺码才能标记", "variant")
    marked = 0
    with transaction.atomic():
        locked = Product.objects.select_for_update().get(pk=product.pk)
        for image in locked.images.filter(variant=variant):
            if is_marked_sold_out(image):
                continue
            with image.file.open("rb") as fh:
                current = fh.read()
            default_storage.save(_unmarked_path(image), ContentFile(current))
            with Image.open(io.BytesIO(current)) as img:
                banner = _encode_jpeg(add_sold_out_banner(img))
            with default_storage.open(image.file.name, "wb") as fh:
                fh.write(banner)
            marked += 1
        if marked:
            record_event(actor, locked, "image_sold_out", to_state=variant, note=f"{marked} 张图片标记“已售罄”")
    return marked


def unmark_sold_out(actor, product: Product, variant: str) -> int:
    """Restore the images of `variant` to their version before the sold-out banner (stock came back)."""
    variant = (variant or "").strip()
    restored = 0
    with transaction.atomic():
        locked = Product.objects.select_for_update().get(pk=product.pk)
        for image in locked.images.filter(variant=variant):
            path = _unmarked_path(image)
            if not default_storage.exists(path):
                continue
            with default_storage.open(path, "rb") as fh:
                data = fh.read()
            with default_storage.open(image.file.name, "wb") as fh:
                fh.write(data)
            default_storage.delete(path)
            restored += 1
        if restored:
            record_event(actor, locked, "image_sold_out_cleared", from_state=variant, note=f"{restored} 张图片恢复")
    return restored


DETAIL_PARTS = ("detail_intro", "detail_spec", "detail_angles", "detail_aftersales", "has_size_chart")


def set_detail_parts(actor, product: Product, **flags) -> list[str]:
    """PROD-5: tick the detail-page parts (introduction, specification, multi-angle images, after-sales promise)
    and the measured size chart. Returns the changed fields."""
    unknown = set(flags) - set(DETAIL_PARTS)
    if unknown:
        raise DomainError("invalid_field", f"未知的详情页内容：{'、'.join(sorted(unknown))}")
    with transaction.atomic():
        locked = Product.objects.select_for_update().get(pk=product.pk)
        changed = [k for k, v in flags.items() if getattr(locked, k) != bool(v)]
        for key in changed:
            setattr(locked, key, bool(flags[key]))
            setattr(product, key, bool(flags[key]))
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
            labels = [f"{Product._meta.get_field(k).verbose_name}：{'是' if flags[k] else '否'}" for k in changed]
            record_event(actor, locked, "detail_parts", note="；".join(labels))
    return changed


# ---------------------------------------------------------------------------------------------------------------
# The checklist (PROD-4, PROD-5)
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class CheckItem:
    key: str
    label: str
    ok: bool
    detail: str = ""
    state: str = ""  # ok / todo / overdue / na
    parts: list = field(default_factory=list)


def image_checklist(product: Product, shop=None, today: dt.date | None = None) -> list[CheckItem]:
    """The per-product image and detail-page checklist (PROD-4, PROD-5), with the shop's settings."""
    shop = shop_for(product, shop)
    today = today or clock.today()
    days = int(setting(shop, "catalog.photo_within_days"))
    min_detail = int(setting(shop, "catalog.min_detail_images"))
    width = int(setting(shop, "catalog.main_image_width"))
    images = list(product.images.all())
    items = []

    # 1. Photographed and listed within N days of arrival.
    if product.arrived_on is None:
        items.append(CheckItem("timely", f"到货 {days} 天内拍照并上架", False, "未填写到货日期", "todo"))
    else:
        due = product.arrived_on + dt.timedelta(days=days)
        photo, listed = product.photographed_on, product.first_listed_on
        done = photo is not None and listed is not None
        late = [n for n, d in (("拍照", photo), ("上架", listed)) if d is not None and d > due]
        missing = [n for n, d in (("拍照", photo), ("上架", listed)) if d is None]
        if done and not late:
            items.append(CheckItem("timely", f"到货 {days} 天内拍照并上架", True, f"期限 {due:%Y-%m-%d}，已完成", "ok"))
        elif late:
            items.append(
                CheckItem(
                    "timely",
                    f"到货 {days} 天内拍照并上架",
                    False,
                    f"{'、'.join(late)}晚于期限 {due:%Y-%m-%d}",
                    "overdue",
                )
            )
        elif today > due:
            overdue_days = (today - due).days
            items.append(
                CheckItem(
                    "timely",
                    f"到货 {days} 天内拍照并上架",
                    False,
                    f"已逾期 {overdue_days} 天（期限 {due:%Y-%m-%d}），未{'、'.join(missing)}",
                    "overdue",
                )
            )
        else:
            items.append(
                CheckItem(
                    "timely",
                    f"到货 {days} 天内拍照并上架",
                    False,
                    f"期限 {due:%Y-%m-%d}，未{'、'.join(missing)}",
                    "todo",
                )
            )

    # 2. Main image present and exactly the main width.
    mains = [i for i in images if i.kind == ProductImage.Kind.MAIN]
    good_mains = [i for i in mains if i.width == width]
    if good_mains:
        items.append(CheckItem("main", f"主图 {width} px 宽", True, f"{len(good_mains)} 张", "ok"))
    elif mains:
        items.append(CheckItem("main", f"主图 {width} px 宽", False, f"主图宽度不是 {width} px，请重新上传", "todo"))
    else:
        items.append(CheckItem("main", f"主图 {width} px 宽", False, "还没有主图", "todo"))

    # 3. At least N annotated detail images.
    annotated = sum(1 for i in images if i.kind == ProductImage.Kind.DETAIL and i.annotated)
    items.append(
        CheckItem(
            "details",
            f"至少 {min_detail} 张标注卖点的细节图",
            annotated >= min_detail,
            f"{annotated}/{min_detail}",
            "ok" if annotated >= min_detail else "todo",
        )
    )

    # 4. Measured size chart.
    charts = sum(1 for i in images if i.kind == ProductImage.Kind.SIZE_CHART)
    has_chart = product.has_size_chart or charts > 0
    items.append(
        CheckItem(
            "size_chart",
            "实测尺码表（误差 ≤ 1 cm）",
            has_chart,
            f"{charts} 张尺码表图" if charts else ("已确认" if product.has_size_chart else "缺少"),
            "ok" if has_chart else "todo",
        )
    )

    # 5. Detail page parts (PROD-5).
    parts = [
        ("detail_intro", "商品介绍", product.detail_intro),
        ("detail_spec", "规格参数", product.detail_spec),
        ("detail_angles", "多角度图", product.detail_angles),
        ("detail_aftersales", "售后承诺", product.detail_aftersales),
    ]
    done_parts = sum(1 for p in parts if p[2])
    items.append(
        CheckItem(
            "detail_page",
            "详情页：介绍、规格、多角度图、售后承诺",
            done_parts == len(parts),
            f"{done_parts}/{len(parts)}",
            "ok" if done_parts == len(parts) else "todo",
            parts=parts,
        )
    )

    # 6. Sold-out colours/sizes marked on their images.
    sold_out = sorted(sold_out_variants(product))
    with_images = [v for v in sold_out if any(i.variant == v for i in images)]
    unmarked = [v for v in with_images if any(i.variant == v and not is_marked_sold_out(i) for i in images)]
    if not with_images:
        items.append(CheckItem("sold_out", "售罄的颜色/尺码已在图上标记", True, "没有需要标记的图片", "na"))
    else:
        items.append(
            CheckItem(
                "sold_out",
                "售罄的颜色/尺码已在图上标记",
                not unmarked,
                ("未标记：" + "、".join(unmarked)) if unmarked else "已标记：" + "、".join(with_images),
                "ok" if not unmarked else "todo",
                parts=unmarked,
            )
        )
    return items
