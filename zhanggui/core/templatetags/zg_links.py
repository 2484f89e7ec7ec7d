"""{% object_links obj %}: the buttons higher apps registered for the page of `obj` (core.navigation.ObjectLink),
those the signed-in person may use — so a lower app's page links up without importing the higher app."""

from urllib.parse import urlencode

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html_join

from zhanggui.core.navigation import object_links as registered

register = template.Library()


@register.simple_tag(takes_context=True)
def object_links(context, obj):
    request = context.get("request")
    user = getattr(request, "user", None)
    if obj is None or user is None or not user.is_authenticated:
        return ""
    target = f"{obj._meta.app_label}.{obj._meta.model_name}"
    buttons = []
    for link in registered(target):
        if not user.has_perm(link.perm) or (link.visible is not None and not link.visible(user, obj)):
            continue
        try:
            url = reverse(link.url_name) + "?" + urlencode({link.param: obj.pk})
        except NoReverseMatch:
            continue
        buttons.append((url, link.url_name, link.icon, str(link.label)))
    if not buttons:
        return ""
    return format_html_join(
        "",
        '<a class="btn btn-sm btn-outline-primary" href="{}" data-link="{}"><i class="fa-solid {}"></i> {}</a>',
        buttons,
    )


@register.simple_tag(takes_context=True)
def object_panels(context, obj):
    """{% object_panels obj %}: the blocks higher apps registered for the page of `obj` (core.navigation)."""
    from django.utils.safestring import mark_safe

    from zhanggui.core.navigation import object_panels as panels

    request = context.get("request")
    user = getattr(request, "user", None)
    if obj is None or user is None or not user.is_authenticated:
        return ""
    target = f"{obj._meta.app_label}.{obj._meta.model_name}"
    parts = [str(p.render(request, obj) or "") for p in panels(target) if user.has_perm(p.perm)]
    return mark_safe("".join(parts))  # each panel renders through a Django template (escaped)
