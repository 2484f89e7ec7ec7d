"""FIN-1 commission rates as data: per platform and category (blank = the platform's default), in basis points,
each with its source. A platform with no row uses its facts (shops.Platform.fees: commission + payment fee)."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from zhanggui.catalog.models import Category
from zhanggui.core.errors import DomainError
from zhanggui.shops.models import Platform

from ..models import CommissionRate
from .profit import Rates


def parse_percent(raw) -> int:
    """'5' / '5.5' / '5.5%' → basis points (550), or a Chinese error naming the field."""
    text = str(raw or "").strip().rstrip("%").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or value < 0 or value > 100 or value * 100 != int(value * 100):
        raise DomainError("bad_rate", _("Rate: enter a percentage from 0 to 100 with at most two decimals"), "rate")
    return int(value * 100)


def save_rate(actor, platform_code: str, category_id, rate, source: str) -> CommissionRate:
    platform = Platform.objects.filter(code=str(platform_code or "").strip()).first()
    if platform is None:
        raise DomainError("bad_platform", _("Platform: choose one of the list"), "platform")
    category = None
    if str(category_id or "").strip():
        category = Category.objects.filter(pk=int(category_id) if str(category_id).isdigit() else 0).first()
        if category is None:
            raise DomainError("bad_category", _("Category: choose one of the list"), "category")
    bp = rate if isinstance(rate, int) else parse_percent(rate)
    source = str(source or "").strip()[:200]
    if not source:
        raise DomainError(
            "no_source", _("Source: name where the rate comes from (a platform page, a contract)"), "source"
        )
    row, _created = CommissionRate.objects.update_or_create(
        platform=platform, category=category, defaults={"rate_bp": bp, "source": source, "updated_by": actor}
    )
    return row


def table() -> list[dict]:
    """Each platform's default rate in force and where it comes from."""
    rates = Rates()
    return [
        {"platform": p, "rate_bp": rates.default(p.code), "source": rates.source(p.code)}
        for p in Platform.objects.all()
    ]
