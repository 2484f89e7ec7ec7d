"""Access-matrix samples for returns received (INV-5): an unclaimed return of shop_a with one photo (served only to
staff of shop_a; the outsider of shop_b must get 404 for both)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from zhanggui.aftersales.services import unclaimed

SHOP_BOUND = {"unclaimed_id", "unclaimed_photo_id"}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (60, 160, 60)).save(out, "PNG")
    return out.getvalue()


def build(world, shared) -> dict:
    kept = unclaimed.keep(
        world.people["manager"],
        world.shop_a,
        "AMRT000001",
        note="矩阵无主退件",
        files=[SimpleUploadedFile("u.png", _png())],
    )
    return {"unclaimed_id": kept.pk, "unclaimed_photo_id": kept.photos.get().pk}
