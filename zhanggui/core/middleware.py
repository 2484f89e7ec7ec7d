from django.shortcuts import render

from .access import ShopScope


class ShopScopeMiddleware:
    """Attach the shop switcher state to every request (request.scope)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = ShopScope(request)
        return self.get_response(request)


class MethodNotAllowedPageMiddleware:
    """A page address typed with the wrong method (a POST-only action opened in the address bar) answers with the
    site's own Chinese 405 page instead of the browser's bare one; the API keeps its JSON answers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and not request.path.startswith("/api/"):
            page = render(request, "405.html", status=405)
            if response.has_header("Allow"):
                page["Allow"] = response["Allow"]
            return page
        return response
