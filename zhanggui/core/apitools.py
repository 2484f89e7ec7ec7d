"""API plumbing shared by every router: token auth, permission-checked routes, Chinese errors."""

import hashlib
import logging
import secrets
from datetime import timedelta
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, DataError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyHeader, HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from .access import LOGIN_ONLY, has_access
from .errors import DomainError
from .models import ApiToken

TOKEN_PREFIX = "zg_"
log = logging.getLogger(__name__)


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_token_key() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(30)


def user_for_token(key: str):
    if not key or not key.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=hash_token(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if not token.last_used_at or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class RoutePermission:
    """Refuse (403) a signed-in caller whose role lacks the route's permission right after authentication,
    before the path, query and body are validated: without the right you learn nothing about the route."""

    def __init__(self, perm: str = LOGIN_ONLY, **kwargs):
        self.perm = perm
        super().__init__(**kwargs)

    def __call__(self, request):
        user = super().__call__(request)
        if user and not has_access(user, self.perm):
            raise PermissionDenied
        return user


class PersonalToken(RoutePermission):
    """A personal API token acts as its owner: request.user becomes that person."""

    def authenticate(self, request, key):
        user = user_for_token(key)
        if user:
            request.user = user
        return user


class BearerToken(PersonalToken, HttpBearer):
    """Authorization: Bearer zg_…"""


class HeaderToken(PersonalToken, APIKeyHeader):
    """X-API-Key: zg_… (for tools that cannot set Authorization)."""

    param_name = "X-API-Key"


class SessionAuth(RoutePermission, NinjaSessionAuth):
    """The signed-in browser session (CSRF-checked)."""


def auth_for(perm: str = LOGIN_ONLY) -> list:
    return [BearerToken(perm), HeaderToken(perm), SessionAuth(perm)]


AUTH = auth_for()


def api_route(method, path: str, *, perm: str, **kwargs):
    """Declare an API route with the permission it requires (checked here, shown in the OpenAPI schema).

    The check runs right after authentication (403 before any validation), and again around the handler.

    Usage: ``@api_route(router.get, "/shops", perm="shops.view_shop", response=list[ShopOut])``
    """
    extra = {**kwargs.pop("openapi_extra", {}), "x-permission": perm}
    kwargs.setdefault("auth", auth_for(perm))

    def decorate(handler):
        @wraps(handler)
        def checked(request, *args, **kw):
            if not has_access(request.user, perm):
                raise PermissionDenied
            return handler(request, *args, **kw)

        return method(path, openapi_extra=extra, **kwargs)(checked)

    return decorate


def sku_fields(sku) -> dict:
    """The SKU columns of a document line (stocktake, stock-in slip, dropship order): one shape in every answer,
    so a script reads them all the same way. The caller loads sku__product."""
    return {
        "sku_id": sku.pk,
        "sku_code": sku.code,
        "product_name": sku.product.name,
        "colour": sku.colour,
        "size": sku.size,
    }


_PYDANTIC_MESSAGES = {
    "missing": "必填",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文本",
    "string_too_long": "太长",
    "string_too_short": "太短",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式应为 ISO 8601",
    "literal_error": "不是允许的取值",
    "enum": "不是允许的取值",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "json_invalid": "不是有效的 JSON",
    "model_attributes_type": "请求体应为 JSON 对象",
    "greater_than_equal": "太小",
    "less_than_equal": "太大",
    "greater_than": "太小",
    "less_than": "太大",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "too_long": "项目太多",
    "too_short": "项目太少",
    "string_pattern_mismatch": "格式不正确",
    "uuid_parsing": "格式不正确",
    "extra_forbidden": "不是允许的字段",
    "url_parsing": "不是有效的网址",
    "url_scheme": "网址只能以 http:// 或 https:// 开头",
    "value_error": "无效",
}
# The limit pydantic names in its context, said in Chinese (never its English text).
_PYDANTIC_LIMITS = {
    "greater_than_equal": ("ge", "应不小于 {}"),
    "less_than_equal": ("le", "应不大于 {}"),
    "greater_than": ("gt", "应大于 {}"),
    "less_than": ("lt", "应小于 {}"),
    "string_too_long": ("max_length", "太长（最多 {} 个字符）"),
    "too_long": ("max_length", "项目太多（最多 {} 项）"),
}


def _pydantic_reason(err: dict) -> str:
    """One pydantic error in Chinese: our own validators' messages (value_error) as written, else by type."""
    kind, ctx = err.get("type", ""), err.get("ctx") or {}
    if kind == "value_error" and isinstance(ctx.get("error"), Exception) and str(ctx["error"]):
        return str(ctx["error"])
    if kind in _PYDANTIC_LIMITS and _PYDANTIC_LIMITS[kind][0] in ctx:
        key, text = _PYDANTIC_LIMITS[kind]
        return text.format(ctx[key])
    return _PYDANTIC_MESSAGES.get(kind, "无效")


# django-ninja's own errors (raised before our handlers run) in Chinese, by the start of their English text.
_NINJA_MESSAGES = {
    "Cannot parse request body": ("invalid_json", "请求体不是有效的 JSON"),
    "CSRF check Failed": ("csrf_failed", "CSRF 校验失败：请刷新页面后重试，脚本请使用 API 令牌"),
}


def install_error_handlers(api) -> None:
    """Every error answers {"code", "message", "field"/"errors"} in Chinese with a 4xx status, never a 500."""

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        body = exc.as_dict()
        if getattr(exc, "errors", None):
            body["errors"] = exc.errors
        return api.create_response(request, body, status=exc.status)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        errors = []
        for err in exc.errors:
            loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload", "form")]
            reason = _pydantic_reason(err)
            errors.append({"field": ".".join(loc), "message": f"{'.'.join(loc) or '请求'}：{reason}"})
        message = "；".join(e["message"] for e in errors) or "请求无效"
        return api.create_response(request, {"code": "invalid", "message": message, "errors": errors}, status=422)

    @api.exception_handler(OverflowError)
    @api.exception_handler(DataError)
    def out_of_range(request, exc):
        """A number or text past what the column holds (≥ 2^31 on PostgreSQL, ≥ 2^63 on SQLite; a NUL byte in
        text on PostgreSQL): the input is wrong, not the server."""
        log.warning("API input refused by the database: %s", exc)
        return api.create_response(
            request, {"code": "out_of_range", "message": "输入的数值超出允许范围，或含有无效字符"}, status=422
        )

    @api.exception_handler(DatabaseError)
    def database_down(request, exc):
        """The database unreachable or failing: JSON like every other answer of the API, never an HTML page."""
        log.error("API request failed in the database: %s", exc)
        return api.create_response(
            request, {"code": "database_unavailable", "message": "数据库暂时无法访问，请稍后重试"}, status=503
        )

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return api.create_response(
            request, {"code": "unauthenticated", "message": _("Sign in or send a valid API token")}, status=401
        )

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return api.create_response(
            request, {"code": "forbidden", "message": _("Your role does not allow this")}, status=403
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, {"code": "not_found", "message": _("Not found")}, status=404)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        text = str(exc)
        code, message = next(
            ((c, m) for prefix, (c, m) in _NINJA_MESSAGES.items() if text.startswith(prefix)), ("error", text)
        )
        return api.create_response(request, {"code": code, "message": message}, status=exc.status_code)


__all__ = ["AUTH", "LOGIN_ONLY", "api_route", "install_error_handlers", "sku_fields"]
