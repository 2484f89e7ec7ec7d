"""The INV-6 reminder banner: {% stocktake_reminder %} on the stock list and the stocktake list."""

from django import template

from zhanggui.core import clock

from ..services.stocktake_window import due_reminders

register = template.Library()


@register.inclusion_tag("inventory/_stocktake_reminder.html", takes_context=True)
def stocktake_reminder(context):
    """Warehouses whose monthly stocktake window is near or open with nothing planned (INV-6); shown to those who
    see stocktakes, with a button to plan one for those who may."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("inventory.view_stocktake"):
        return {"reminders": []}
    return {
        "reminders": due_reminders(clock.today()),
        "may_plan": user.has_perm("inventory.add_stocktake"),
    }
