"""What finance shows on other apps' pages (FIN-1): the profit panel on the order page and the profit column in the
order list and its export — registered in apps.ready() through core.navigation, so orders never imports finance."""

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from zhanggui.core.money import fen_to_yuan, format_fen

from .services import profit


def order_panel(request, order) -> str:
    p = profit.order_profit(order)
    if p is None:
        return ""
    rates = profit.Rates()
    return render_to_string(
        "finance/_order_profit.html",
        {"p": p, "order": order, "source": rates.source(order.shop.platform_id)},
        request=request,
    )


def profit_cells(pks) -> dict:
    """{order pk: (text, export value)}: ¥ profit, 成本缺失 when a cost is missing, empty for unpaid orders."""
    out = {}
    for pk, p in profit.order_profits(pks).items():
        if p.cost_missing:
            out[pk] = (_("Cost missing"), _("Cost missing"))
        else:
            out[pk] = (format_fen(p.profit_fen), fen_to_yuan(p.profit_fen))
    return out
