"""Catalog pages: images of a product (PROD-4, PROD-5) — grid, upload, delete, sold-out marks, the checklist —
and the permission-checked file views (processed images inline, originals as downloads for product editors).

Files are never served from a public media URL: the views answer with the Content-Type of the file we wrote
(image/jpeg for processed images, the verified format for originals) and `X-Content-Type-Options: nosniff`.
"""

from pathlib import Path

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.core import uploads
from zhanggui.core.access import page
from zhanggui.core.errors import DomainError
from zhanggui.core.events import present_event, timeline_for
from zhanggui.core.forms import add_domain_error

from ..models import Product, ProductImage
from ..services import images as svc

VIEW_IMAGES = "catalog.view_product"
VIEW_ORIGINALS = "catalog.change_product"
IMAGE_EVENT_KINDS = ["image_uploaded", "image_deleted", "image_sold_out", "image_sold_out_cleared", "detail_parts"]


class ImageUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Image file"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=ProductImage.Kind.choices, initial=ProductImage.Kind.DETAIL
    )
    annotated = forms.BooleanField(label=gettext_lazy("Selling points annotated"), required=False)
    variant = forms.CharField(label=gettext_lazy("Colour or size shown"), max_length=30, required=False)
    shop = forms.TypedChoiceField(label=gettext_lazy("Watermark of shop"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, shops=(), variants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].choices = [("", _("First listing's shop"))] + [
            (s.pk, f"{s.platform.name} · {s.name}") for s in shops
        ]
        self.fields["variant"].widget.attrs["list"] = "variant-options"
        self.variants = variants


def _product(product_id):
    return get_object_or_404(Product.objects.select_related("category"), pk=product_id)


def _image(image_id):
    return get_object_or_404(ProductImage.objects.select_related("product"), pk=image_id)


def _variants(product):
    colours = sorted({c for c in product.skus.values_list("colour", flat=True) if c})
    sizes = sorted({s for s in product.skus.values_list("size", flat=True) if s})
    return colours + sizes


def _render_images(request, product, form=None, status=200):
    shops = request.scope.allowed
    form = form or ImageUploadForm(shops=shops)
    images = list(product.images.all())
    for image in images:
        image.marked = bool(image.variant) and svc.is_marked_sold_out(image)
        image.file_name = Path(image.file.name).name
    # Sold-out colours/sizes, and those still marked after their stock came back (to restore).
    sold_out = sorted(svc.sold_out_variants(product) | {i.variant for i in images if i.marked})
    return render(
        request,
        "catalog/images.html",
        {
            "product": product,
            "images": images,
            "form": form,
            "variants": _variants(product),
            "checklist": svc.image_checklist(product),
            "sold_out": [
                (v, any(i.variant == v and i.marked for i in images), any(i.variant == v for i in images))
                for v in sold_out
            ],
            "max_mb": uploads.limit_mb("catalog_image"),
            "timeline": [
                present_event(e, request.user) for e in timeline_for(product).filter(kind__in=IMAGE_EVENT_KINDS)[:20]
            ],
        },
        status=status,
    )


@page(VIEW_IMAGES)
def images_page(request, product_id: int):
    return _render_images(request, _product(product_id))


@require_POST
@page("catalog.add_productimage")
def image_upload(request, product_id: int):
    product = _product(product_id)
    form = ImageUploadForm(request.POST, request.FILES, shops=request.scope.allowed)
    if form.is_valid():
        data = form.cleaned_data
        shop = next((s for s in request.scope.allowed if s.pk == data["shop"]), None) if data["shop"] else None
        try:
            image = svc.upload_image(
                request.user,
                product,
                data["file"],
                data["kind"],
                annotated=data["annotated"],
                variant=data["variant"],
                shop=shop,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Uploaded %(name)s (%(w)d×%(h)d px)")
                % {"name": Path(image.file.name).name, "w": image.width, "h": image.height},
            )
            return redirect("catalog:images", product_id=product.pk)
    return _render_images(request, product, form, status=400)


@require_POST
@page("catalog.delete_productimage")
def image_delete(request, image_id: int):
    image = _image(image_id)
    product_id = image.product_id
    if request.POST.get("confirm") != "1":  # the form's confirmation, not a stray POST
        messages.error(request, _("Confirm the deletion on the images page"))
        return redirect("catalog:images", product_id=product_id)
    svc.delete_image(request.user, image)
    messages.success(request, _("Image deleted"))
    return redirect("catalog:images", product_id=product_id)


@require_POST
@page("catalog.change_productimage")
def image_sold_out(request, product_id: int):
    """Mark (or restore) the images of a sold-out colour or size (PROD-4)."""
    product = _product(product_id)
    variant = request.POST.get("variant", "")
    try:
        if request.POST.get("action") == "restore":
            count = svc.unmark_sold_out(request.user, product, variant)
            messages.success(request, _("%(n)d images restored") % {"n": count})
        else:
            count = svc.mark_sold_out(request.user, product, variant)
            messages.success(request, _("%(n)d images marked sold out") % {"n": count})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("catalog:images", product_id=product.pk)


@require_POST
@page("catalog.change_product")
def detail_parts(request, product_id: int):
    """PROD-5 toggles: introduction, specification, multi-angle images, after-sales promise, size chart."""
    product = _product(product_id)
    changed = svc.set_detail_parts(request.user, product, **{k: k in request.POST for k in svc.DETAIL_PARTS})
    messages.success(request, _("Saved: %(n)d fields changed") % {"n": len(changed)})
    return redirect("catalog:images", product_id=product.pk)


def _serve(field_file, content_type: str, disposition: str, filename: str):
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle, content_type=content_type, as_attachment=disposition == "attachment", filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=300"
    return response


@page(VIEW_IMAGES)
def image_file(request, image_id: int):
    """The processed image: always the JPEG we encoded ourselves."""
    image = _image(image_id)
    name = Path(image.file.name).name
    return _serve(
        image.file, svc.CONTENT_TYPES.get(Path(name).suffix.lstrip(".").lower(), "image/jpeg"), "inline", name
    )


@page(VIEW_ORIGINALS)
def image_original(request, image_id: int):
    """The original upload, byte for byte, as a download for the roles that can change products."""
    image = _image(image_id)
    name = Path(image.original.name).name
    ext = Path(name).suffix.lstrip(".").lower()
    if ext not in svc.CONTENT_TYPES:  # only what check_upload accepted ever gets here
        raise Http404
    return _serve(image.original, svc.CONTENT_TYPES[ext], "attachment", name)


urls = [
    path("<int:product_id>/images/", images_page, name="images"),
    path("<int:product_id>/images/upload/", image_upload, name="image_upload"),
    path("<int:product_id>/images/sold-out/", image_sold_out, name="image_sold_out"),
    path("<int:product_id>/images/detail-parts/", detail_parts, name="image_detail_parts"),
    path("images/<int:image_id>/file/", image_file, name="image_file"),
    path("images/<int:image_id>/original/", image_original, name="image_original"),
    path("images/<int:image_id>/delete/", image_delete, name="image_delete"),
]
