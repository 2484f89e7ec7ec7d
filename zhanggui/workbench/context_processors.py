"""The page shell: the module menu (from the navigation registry in core) and the shop switcher."""

from django.urls import NoReverseMatch, reverse

from zhanggui.core.access import has_access
from zhanggui.core.navigation import registered_modules


def navigation(user, current_path: str) -> list[dict]:
    """The menu entries this person sees, in menu order; a module without pages yet is shown greyed out."""
    items = []
    for module in registered_modules():
        try:
            url = reverse(module.url_name)
        except NoReverseMatch:
            url = None  # the module arrives in a later release
        if url and not has_access(user, module.perm):
            continue
        # A module is active on every page under its first path segment (/customers/12/ → 客户).
        section = "/" + url.strip("/").split("/", 1)[0] + "/" if url else None
        items.append(
            {
                "label": module.label,
                "icon": module.icon,
                "url": url,
                "active": bool(url) and current_path.startswith(section),
            }
        )
    return items


def shell(request):
    """What the page shell (base.html) needs: the navigation and the shop switcher."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    scope = request.scope
    return {
        "nav": navigation(request.user, request.path),
        "scope_shops": scope.allowed,
        "scope_current": scope.current,
        "scope_refused": scope.refused,
    }
