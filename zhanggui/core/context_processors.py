from .navigation import navigation


def shell(request):
    """What the page shell needs: the navigation and the shop switcher."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    scope = request.scope
    return {
        "nav": navigation(request.user, request.path),
        "scope_shops": scope.allowed,
        "scope_current": scope.current,
    }
