"""Document references shown by their name, never by their internal key (INV-2: the ledger names its document).

A lower app stores a reference to a higher app's document as "<kind>:<key>" (a reservation of an order is
"order:2406"); the app that owns the kind registers a resolver here, so a page of the lower app can show the
order number, linked, without importing the higher app. Plain references (slip numbers, waybill numbers) are shown
as they are.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# kind → resolver(user, keys) → {key: (label, url or "")}; one call per kind and page
_RESOLVERS: dict[str, Callable[[object, list[str]], dict[str, tuple[str, str]]]] = {}


@dataclass(frozen=True)
class Shown:
    label: str
    url: str = ""


def register(kind: str, resolver: Callable[[object, list[str]], dict[str, tuple[str, str]]]) -> None:
    _RESOLVERS[kind] = resolver


def present(user, references: Iterable[str]) -> dict[str, Shown]:
    """{reference: Shown(label, url)} for every reference given; a registered kind is resolved in one batch."""
    refs = {r for r in references if r}
    by_kind: dict[str, list[str]] = defaultdict(list)
    for ref in refs:
        kind, sep, key = ref.partition(":")
        if sep and kind in _RESOLVERS:
            by_kind[kind].append(key)
    shown = {ref: Shown(ref) for ref in refs}
    for kind, keys in by_kind.items():
        for key, (label, url) in _RESOLVERS[kind](user, keys).items():
            shown[f"{kind}:{key}"] = Shown(label, url)
    return shown


def annotate(user, rows, attrs=("document",)) -> None:
    """Set `<attr>_shown` (a Shown, or None when empty) on each row for each attr holding a reference."""
    rows = list(rows)
    shown = present(user, (getattr(r, a) for r in rows for a in attrs))
    for row in rows:
        for attr in attrs:
            value = getattr(row, attr)
            setattr(row, f"{attr}_shown", shown.get(value) if value else None)
