from .access import ShopScope


class ShopScopeMiddleware:
    """Attach the shop switcher state to every request (request.scope)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = ShopScope(request)
        return self.get_response(request)
