"""The demo company's sales facts (DATA-2): filled from its orders, as `zhanggui facts-rebuild` does."""

from .services import facts


def load_analytics() -> dict:
    """The daily facts of every shop from the orders the demo imported and worked (cells that exist keep their unit
    cost, FIN-1: a second load changes nothing)."""
    return {"shop_days": facts.rebuild()}
