"""Product role (PROD-7) and lifecycle stage (PROD-8): suggestions from sales, applied by a person.

The computation is pure (`catalog.rules_lifecycle`) over plain input: product id → daily units of the last two
windows (28 days by default), price and cost (and visits when known), with the thresholds of the company settings
(`thresholds()`, "lifecycle.*" in catalog/shop_settings.py, PROD-7 / PROD-8).

Where the sales come from — a registered provider. The sales are order lines, and orders sit ABOVE the catalog
(rule 2 of the house: the catalog never imports orders). A domain event would not fit: the page needs the sales
of a period on demand, not news of a change. So the orders app hands over a function at start-up
(`register_sales_source(orders.services.sales.product_sales)` in its AppConfig.ready()) and `sales_input()` calls
it; without the orders app (or before it registers) there are no sales and the page says so.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from zhanggui.core.company_settings import get_company_settings
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, register_event_kinds

from .. import rules_lifecycle as rules
from ..models import Product

register_event_kinds({"stage_changed": "生命周期阶段", "role_changed": "商品角色"})

SalesSource = Callable[[int], dict[int, rules.ProductSales]]  # days → {product id: sales of those days}
_source: list[SalesSource] = []  # at most one: the orders app's


def register_sales_source(source: SalesSource) -> None:
    """Called by the app that knows the sales (orders, in its ready()): `source(days)` returns the daily units of
    the last `days` days per product (oldest first), with the average price and cost. A second call replaces it."""
    _source[:] = [source]


def thresholds() -> rules.Thresholds:
    """PROD-7 / PROD-8 thresholds and windows as the manager set them (company settings, one query)."""
    v = get_company_settings(
        "lifecycle.window_days",
        "lifecycle.maturity_top",
        "lifecycle.growth_top",
        "lifecycle.stable_drop_percent",
        "lifecycle.rising_percent",
        "lifecycle.steady_days",
        "lifecycle.core_share_percent",
    )
    return rules.Thresholds(
        window=int(v["lifecycle.window_days"]),
        maturity_top=int(v["lifecycle.maturity_top"]),
        growth_top=int(v["lifecycle.growth_top"]),
        stable_drop=int(v["lifecycle.stable_drop_percent"]) / 100,
        rising=int(v["lifecycle.rising_percent"]) / 100,
        steady_days=int(v["lifecycle.steady_days"]),
        core_share=int(v["lifecycle.core_share_percent"]) / 100,
    )


def sales_input(t: rules.Thresholds | None = None) -> dict[int, rules.ProductSales]:
    """Sales of the last two windows per product, from the registered source (the orders' lines); {} without one."""
    if not _source:
        return {}
    t = t or thresholds()
    return _source[0](t.days)


def _as_sales(value) -> rules.ProductSales:
    if isinstance(value, rules.ProductSales):
        return value
    return rules.ProductSales(
        daily_units=list(value.get("daily_units") or value.get("units") or []),
        price_fen=int(value.get("price_fen") or 0),
        cost_fen=int(value.get("cost_fen") or 0),
        visits=value.get("visits"),
    )


def normalise(sales: dict) -> dict[int, rules.ProductSales]:
    """Accept ProductSales or plain dicts ({"daily_units": [...], "price_fen", "cost_fen", "visits"})."""
    return {int(pid): _as_sales(v) for pid, v in (sales or {}).items()}


@dataclass
class LifecycleRow:
    product: Product
    suggestion: rules.StageSuggestion | None
    share: rules.RoleShare | None

    @property
    def suggested_stage(self) -> str:
        return self.suggestion.stage if self.suggestion else ""

    @property
    def differs(self) -> bool:
        return bool(self.suggestion) and self.suggestion.stage != self.product.stage

    @property
    def trend_text(self) -> str:
        trend = self.suggestion.trend if self.suggestion else None
        if trend is None:
            return "—"
        return "新出单" if trend == float("inf") else f"{trend * 100:+.0f}%"

    @property
    def traffic_text(self) -> str:
        return f"{self.share.traffic_share * 100:.1f}%" if self.share else "—"

    @property
    def profit_text(self) -> str:
        return f"{self.share.profit_share * 100:.1f}%" if self.share else "—"

    @property
    def role_mismatch(self) -> bool:
        """Marked as one role while the numbers say another (PROD-7)."""
        return bool(self.share and self.share.role and self.product.role and self.share.role != self.product.role)


def suggest_stages(sales: dict, products=None, t: rules.Thresholds = rules.DEFAULT) -> list[LifecycleRow]:
    """PROD-7/PROD-8 for the given sales input: one row per product (those in `products`, default: every active
    product), with the suggested stage and the real traffic/profit role; products without data get None."""
    clean = normalise(sales)
    suggestions = rules.suggest_stages(clean, t) if clean else {}
    shares = rules.actual_roles(clean, t) if clean else {}
    if products is None:
        products = Product.objects.filter(is_active=True).select_related("category").order_by("style_code")
    rows = [LifecycleRow(p, suggestions.get(p.pk), shares.get(p.pk)) for p in products]
    rows.sort(key=lambda r: (r.suggestion is None, r.suggestion.rank or 10**9 if r.suggestion else 0))
    return rows


def apply_stage(actor, product: Product, stage: str) -> bool:
    """Set the lifecycle stage (培育期 → 成长期 → 成熟期, PROD-8), usually to the suggested one; on the timeline."""
    if stage not in Product.Stage.values:
        raise DomainError("invalid_stage", "生命周期阶段不正确", "stage")
    return _change_choice(actor, product, "stage", stage, Product.Stage, "stage_changed")


def set_role(actor, product: Product, role: str) -> bool:
    """Mark the product as 引流款 / 利润款 / 活动款 (or none), PROD-7; on the timeline."""
    role = role or ""
    if role not in Product.Role.values:
        raise DomainError("invalid_role", "商品角色不正确", "role")
    return _change_choice(actor, product, "role", role, Product.Role, "role_changed")


def _change_choice(actor, product: Product, field: str, value: str, choices, kind: str) -> bool:
    """Set one choice field under a row lock and record the change by its labels; False when nothing changed."""
    with transaction.atomic():
        locked = Product.objects.select_for_update().get(pk=product.pk)
        old = getattr(locked, field)
        if old == value:
            return False
        setattr(locked, field, value)
        locked.save(update_fields=[field, "updated_at"])
        setattr(product, field, value)
        record_event(actor, locked, kind, from_state=choices(old).label, to_state=choices(value).label)
    return True
