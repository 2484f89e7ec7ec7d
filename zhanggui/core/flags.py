"""Order flags as every page shows them (ORD-3): one coloured flag mark — the order list, the order page, 审单, the
print queue, packages, the scan page, a customer's orders. The app that owns the flags (orders) registers their
names and colours from its ready(); pages render `{% flag value %}` (core/_flag.html), JSON answers `flag_html`."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

_LOOKS: dict[str, tuple[str, str]] = {}  # value → (name, colour)


def register_flags(looks: dict[str, tuple[str, str]]) -> None:
    """{flag value: (Chinese name, CSS colour)} — called by the owner of the flags."""
    _LOOKS.update(looks)


def flag_html(value) -> str:
    """The flag mark of `value` ("" for no flag or an unknown one)."""
    look = _LOOKS.get(str(value or ""))
    if look is None:
        return ""
    name, colour = look
    return mark_safe(render_to_string("core/_flag.html", {"value": value, "name": name, "colour": colour}).strip())
