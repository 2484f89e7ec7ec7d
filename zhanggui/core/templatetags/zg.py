"""Template helpers: money, Beijing time, Bootstrap form fields, event kinds, page numbers, order flags."""

from django import template
from django.forms import CheckboxInput, CheckboxSelectMultiple, RadioSelect, Select, SelectMultiple
from django.utils.html import format_html
from django.utils.timesince import timesince

from zhanggui.core import clock
from zhanggui.core.events import kind_label
from zhanggui.core.flags import flag_html
from zhanggui.core.money import fen_to_yuan, format_fen
from zhanggui.core.paging import SIZES, window
from zhanggui.core.rules import rule_name

register = template.Library()


@register.filter
def fen(value):
    """123450 → ¥1,234.50"""
    return format_fen(value)


@register.filter
def yuan(value):
    """123450 → 1234.50, for form inputs that take yuan."""
    return "" if value is None else f"{fen_to_yuan(value)}"


@register.filter
def when(moment):
    """11-20 15:30 in Beijing time, the full date and seconds on hover."""
    if not moment:
        return "—"
    local = clock.local(moment)
    return format_html('<span title="{}">{}</span>', local.strftime("%Y-%m-%d %H:%M:%S"), local.strftime("%m-%d %H:%M"))


@register.filter
def age(moment):
    """How long ago, in its largest unit (3 天, 5 小时): the age of a queue's oldest item."""
    if not moment:
        return ""
    return timesince(moment, clock.now(), depth=1)


@register.filter
def rule(rule_id):
    """Rule 6: the rule's plain name, its ID (SHIP-3) in the tooltip."""
    if not rule_id:
        return ""
    return format_html('<span class="rule-name" title="{}">{}</span>', rule_id, rule_name(rule_id))


@register.simple_tag
def flag(value):
    """ORD-3: the coloured flag mark of an order's flag (core.flags), the same on every page."""
    return flag_html(value)


@register.filter
def event_kind(kind):
    return kind_label(kind)


@register.inclusion_tag("core/_pager.html")
def pager(page_obj, query=""):
    """Numbered pages (1 … 4 5 6 … 20), the total and the rows-per-page choice under a long list (core.paging)."""
    pages = window(page_obj.number, page_obj.paginator.num_pages)
    return {"page_obj": page_obj, "query": query, "pages": pages, "size": page_obj.paginator.per_page, "sizes": SIZES}


@register.inclusion_tag("core/_field.html")
def field(bound, compact=False):
    widget = bound.field.widget
    if isinstance(widget, CheckboxInput):
        kind = "check"
    elif isinstance(widget, (CheckboxSelectMultiple, RadioSelect)):
        kind = "multi"
    else:
        kind = "input"
        css = (
            "form-select form-select-sm"
            if isinstance(widget, (Select, SelectMultiple))
            else "form-control form-control-sm"
        )
        if bound.errors:
            css += " is-invalid"
        widget.attrs["class"] = css
    return {"f": bound, "kind": kind, "compact": compact}
