"""Who may open what: one permission check shared by pages and the API, and the shop scope (SHOP-1, TEAM-1).

Every page view is wrapped in `page(...)` and every API route is declared with `api_route(...)`;
both record the permission they require, so the access-matrix test can walk the URL configuration
and the OpenAPI schema and fail for any page or route that forgot its check.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import shop_model

LOGIN_ONLY = "login"  # any signed-in staff member (own profile, own tokens, own jobs)


@dataclass(frozen=True)
class Access:
    perm: str
    shop_scoped: bool = False


def allowed_shops(user):
    """The shops a person may work on: every shop for all-shop roles, else their assigned shops."""
    Shop = shop_model()
    if not user or not user.is_authenticated:
        return Shop.objects.none()
    qs = Shop.objects.select_related("platform")
    if user.is_superuser or user.all_shops:
        return qs
    return qs.filter(staff=user)


def has_access(user, perm: str) -> bool:
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return perm == LOGIN_ONLY or user.has_perm(perm)


def page(perm: str = LOGIN_ONLY, *, shop_scoped: bool = False):
    """Decorate a page view: signed in, holding `perm`; anonymous → login page, others → 403."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_access(request.user, perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.access = Access(perm, shop_scoped)
        return wrapper

    return decorate


def public(view):
    """Mark a view as deliberately open to everyone (login page, health check)."""
    view.access = Access("public")
    return view


def allowed_shop_or_404(user, shop_id: int):
    """One of the user's shops by id, or 404 (like scoped_get, for the shop itself)."""
    shop = allowed_shops(user).filter(pk=shop_id).first()
    if shop is None:
        raise Http404
    return shop


def scoped_get(queryset, user, shop_field: str = "shop", **lookup):
    """Fetch one object within the user's shops, or 404 (not 403: other shops' objects do not exist for them)."""
    shops = allowed_shops(user)
    try:
        return queryset.filter(**{f"{shop_field}__in": shops}).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None


class ShopScope:
    """The shop switcher: all allowed shops, or one of them; every list filters through `shops`.

    `?shop=<code>` in any page's URL selects that shop for the request (a shared link shows what its sender saw,
    without changing the reader's own choice, which stays in the session). A code the user may not see — another
    team's shop, a typo — is not an error page: the view falls back to the session's choice and `refused` holds
    the code, so the page says so above its content (base.html) and nothing of that shop is shown."""

    SESSION_KEY = "zhanggui_shop"

    def __init__(self, request):
        self.request = request
        self._allowed = None
        self._current = False
        self._refused = ""

    @property
    def allowed(self):
        if self._allowed is None:
            self._allowed = list(allowed_shops(self.request.user))
        return self._allowed

    @property
    def current(self):
        """The selected shop, or None for 全部店铺."""
        if self._current is False:
            asked = str(self.request.GET.get("shop") or "").strip()
            found = next((s for s in self.allowed if s.code == asked), None) if asked else None
            if asked and found is None:
                self._refused = asked[:32]
            if found is None:
                saved = self.request.session.get(self.SESSION_KEY)
                found = next((s for s in self.allowed if s.code == saved), None)
            self._current = found
        return self._current

    @property
    def refused(self) -> str:
        """The `?shop=` code of this request that is not one of the user's shops ("" when none was refused)."""
        _ = self.current
        return self._refused

    def query(self) -> dict:
        """{"shop": code} of the shop in view, for the links a list builds (tabs, pages, exports): shared, they show
        the same shop; {} for all shops."""
        return {"shop": self.current.code} if self.current else {}

    @property
    def shops(self):
        """Shops the current view covers (a list of Shop)."""
        return [self.current] if self.current else self.allowed

    def select(self, code: str | None) -> None:
        if code and not any(s.code == code for s in self.allowed):
            raise Http404
        self.request.session[self.SESSION_KEY] = code or ""
        self._current = False
