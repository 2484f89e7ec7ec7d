"""Order detail panel (being built). `panel(request, order)` adds to the detail page's context; `urls` its routes."""


def panel(request, order) -> dict:
    return {}


urls: list = []
