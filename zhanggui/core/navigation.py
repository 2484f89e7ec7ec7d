"""The shell's navigation registry: each app registers its module (a menu entry) from its AppConfig.ready();
the workbench renders the menu. Like the settings registry, this is code, not data: nothing in the database.

A module whose pages do not exist yet is registered by the workbench as a placeholder and shown greyed out
(its URL name does not reverse yet); the app that brings the pages registers the same entry and the
placeholder goes.
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Module:
    url_name: str  # the module's main page, e.g. "orders:list"
    label: Any  # a lazy translation
    icon: str  # Font Awesome class
    perm: str  # the permission needed to see the entry
    position: int  # place in the menu, top to bottom


_MODULES: dict[str, Module] = {}


def register_module(url_name: str, *, label, icon: str, perm: str, position: int) -> Module:
    definition = Module(url_name=url_name, label=label, icon=icon, perm=perm, position=position)
    existing = _MODULES.get(url_name)
    if existing and existing != definition:
        raise ValueError(f"module {url_name!r} registered twice with different definitions")
    taken = next((m for m in _MODULES.values() if m.position == position and m.url_name != url_name), None)
    if taken:
        raise ValueError(f"modules {taken.url_name!r} and {url_name!r} both want menu position {position}")
    _MODULES[url_name] = definition
    return definition


def registered_modules() -> list[Module]:
    """Every registered module in menu order (whether the user may see it is the shell's business)."""
    return sorted(_MODULES.values(), key=lambda m: m.position)


# ---- links on a lower app's page to a higher app's page ----------------------------------------------------------


@dataclass(frozen=True)
class ObjectLink:
    """A button on the page of a `target` object ("orders.order") that opens a higher app's page about it, e.g.
    发起售后 on the order page → aftersales:new?order=<pk>. The higher app registers it in its ready(); the lower
    app's template renders whatever is registered ({% object_links order %}) without importing the higher app."""

    target: str  # "<app_label>.<model_name>" of the object whose page shows the button
    url_name: str  # the page it opens
    label: Any  # a lazy translation
    icon: str  # Font Awesome class
    perm: str  # the permission needed to see the button
    param: str  # the query parameter carrying the object's pk
    position: int = 100
    visible: Any = None  # optional visible(user, obj) -> bool: show the button only when it leads somewhere


_LINKS: dict[tuple[str, str], ObjectLink] = {}


def register_object_link(
    target: str, url_name: str, *, label, icon: str, perm: str, param: str, position=100, visible=None
):
    link = ObjectLink(target, url_name, label, icon, perm, param, position, visible)
    _LINKS[(target, url_name)] = link
    return link


def object_links(target: str) -> list[ObjectLink]:
    """The links registered for pages of `target`, in order."""
    return sorted((link for (t, _u), link in _LINKS.items() if t == target), key=lambda link: link.position)


# ---- panels on a lower app's page contributed by a higher app ---------------------------------------------------


@dataclass(frozen=True)
class ObjectPanel:
    """A block on the page of a `target` object ("catalog.product") filled by a higher app, e.g. the review rates
    (AS-7) on the product page. `render(request, obj)` returns safe HTML (or "" to show nothing); the lower app's
    template renders whatever is registered ({% object_panels product %}) without importing the higher app."""

    target: str
    key: str
    render: Any  # callable(request, obj) -> str
    perm: str
    position: int = 100


_PANELS: dict[tuple[str, str], ObjectPanel] = {}


def register_object_panel(target: str, key: str, *, render, perm: str, position: int = 100) -> ObjectPanel:
    panel = ObjectPanel(target, key, render, perm, position)
    _PANELS[(target, key)] = panel
    return panel


def object_panels(target: str) -> list[ObjectPanel]:
    return sorted((p for (t, _k), p in _PANELS.items() if t == target), key=lambda p: p.position)


# ---- columns in a lower app's list (and its export) contributed by a higher app ------------------------------------


@dataclass(frozen=True)
class ListColumn:
    """A column in the list of `target` objects ("orders.order") filled by a higher app, e.g. the gross profit
    (FIN-1) in the order list and its export. `values(pks)` returns {pk: (text shown, value exported)} for a whole
    page in one go (set-based); the lower app renders whatever is registered without importing the higher app."""

    target: str
    key: str
    header: Any  # a lazy translation
    values: Any  # callable(list of pks) -> {pk: (text, export value)}
    perm: str
    position: int = 100


_COLUMNS: dict[tuple[str, str], ListColumn] = {}


def register_list_column(target: str, key: str, *, header, values, perm: str, position: int = 100) -> ListColumn:
    column = ListColumn(target, key, header, values, perm, position)
    _COLUMNS[(target, key)] = column
    return column


def list_columns(target: str, user=None) -> list[ListColumn]:
    """The columns registered for lists of `target`, in order — only those `user` may see when a user is given."""
    columns = sorted((c for (t, _k), c in _COLUMNS.items() if t == target), key=lambda c: c.position)
    if user is None:
        return columns
    return [c for c in columns if user.is_authenticated and user.has_perm(c.perm)]


def column_cells(columns: list[ListColumn], pks: list) -> list[dict]:
    """[{pk: (text, export value)}] per column, for the pks of one page."""
    return [c.values(list(pks)) if pks else {} for c in columns]
