"""Review import and reply templates (AS-7): /aftersales/reviews/import/ (upload the platform's export or our XLSX
template into a shop of the user's scope; bad rows listed by line and reason), the template download, and
/aftersales/reviews/templates/ where the manager writes the reply templates. Also the rates panels the product and
shop pages show (registered in apps.py through core.navigation: catalog and shops never import aftersales)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.core import uploads
from zhanggui.core.access import allowed_shops, page
from zhanggui.core.actions import posted_object, run_action
from zhanggui.core.errors import DomainError

from .. import review_selectors as rs
from ..models import ReplyTemplate
from ..services import review_imports, reviews
from .reviews import ADD, TEMPLATES, VIEW

PURPOSE = "review_import"
ACCEPT = (uploads.XLSX, uploads.CSV, uploads.TXT)


def _shops(request):
    return sorted(request.scope.allowed, key=lambda s: s.code)


@page(ADD)
def import_view(request):
    result = None
    shops = _shops(request)
    chosen = request.POST.get("shop", "") if request.method == "POST" else ""
    if request.method == "POST":
        shop = next((s for s in shops if s.code == chosen), None)
        files = request.FILES.getlist("file")
        try:
            if shop is None:
                raise DomainError("shop_required", "请选择要导入评价的店铺", "shop")
            if not files:
                raise DomainError("file_required", "请选择要上传的评价文件", "file")
            contents = []
            for f in files[:10]:
                uploads.check_upload(f, PURPOSE, ACCEPT)
                contents.append((f.name, f.read()))
            result = review_imports.import_files(request.user, shop, contents)
            messages.success(
                request,
                _("Reviews imported: %(c)s new, %(u)s updated, %(n)s unchanged, %(f)s failed.")
                % {"c": result.created, "u": result.updated, "n": result.unchanged, "f": result.failed},
            )
        except DomainError as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "aftersales/reviews/import.html",
        {"shops": shops, "chosen": chosen, "result": result, "max_mb": uploads.limit_mb(PURPOSE)},
    )


@page(ADD)
def template_file(request):
    """Our XLSX template (AS-7): the headers the import reads, one example row."""
    from zhanggui.channels.formats.reviews import TEMPLATE_HEADERS
    from zhanggui.channels.samples import xlsx_bytes

    example = ["R0001", "3456789012345678", "D-黑-M", "碎花连衣裙", "差评", "起球了", "tb_买家", "2026-11-20 10:00",
               "", ""]  # fmt: skip
    response = HttpResponse(
        xlsx_bytes(list(TEMPLATE_HEADERS), [example]),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E8%AF%84%E4%BB%B7%E5%AF%BC%E5%85%A5.xlsx"
    return response


@page(VIEW)
def templates_view(request):
    return render(
        request,
        "aftersales/reviews/templates.html",
        {
            "templates": ReplyTemplate.objects.filter(is_active=True),
            "can_edit": request.user.has_perm(TEMPLATES),
            "variables": reviews.VARIABLES,
        },
    )


def _save(request):
    pk = request.POST.get("template", "")
    template = None
    if pk:
        template = posted_object(ReplyTemplate.objects.all(), request, "template", "模板已被删除，请刷新页面")
    return reviews.save_template(
        request.user, name=request.POST.get("name", ""), text=request.POST.get("text", ""), template=template
    )


@require_POST
@page(TEMPLATES)
def template_save(request):
    run_action(request, lambda: _save(request), gettext_lazy("Reply template saved."))
    return redirect("aftersales:review_templates")


@require_POST
@page(TEMPLATES)
def template_retire(request):
    def retire():
        found = posted_object(ReplyTemplate.objects.all(), request, "template", "模板已被删除，请刷新页面")
        reviews.retire_template(request.user, found)

    run_action(request, retire, gettext_lazy("Reply template retired."))
    return redirect("aftersales:review_templates")


# ---- rates panels (core.navigation.register_object_panel) --------------------------------------------------------


def product_panel(request, product) -> str:
    """AS-7: the product's good/neutral/bad counts and rates per month over the user's shops."""
    rows = rs.rates(shops=allowed_shops(request.user), product_id=product.pk)
    return render_to_string(
        "aftersales/reviews/_rates.html",
        {"rows": rows, "days": rs.default_positive_days(), "panel": "product"},
        request=request,
    )


def shop_panel(request, shop) -> str:
    if not allowed_shops(request.user).filter(pk=shop.pk).exists():
        return ""
    rows = rs.rates(shops=[shop.pk])
    return render_to_string(
        "aftersales/reviews/_rates.html",
        {"rows": rows, "days": rs.default_positive_days(), "panel": "shop", "shop": shop},
        request=request,
    )


urls = [
    path("reviews/import/", import_view, name="review_import"),
    path("reviews/import/template/", template_file, name="review_import_template"),
    path("reviews/templates/", templates_view, name="review_templates"),
    path("reviews/templates/save/", template_save, name="review_template_save"),
    path("reviews/templates/retire/", template_retire, name="review_template_retire"),
]
