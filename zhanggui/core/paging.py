"""Page numbers and page sizes for the lists (ui.md: page numbers and page size, not only 下一页).

`page_size` reads the size a person picked (20 / 50 / 100 / 200) and remembers it in the session per list, so the
next visit — and every link without `size` — shows as many rows. `window` gives the page numbers to show around
the current one: 1 2 … 7 8 [9] 10 11 … 40.
"""

from __future__ import annotations

SIZES = (20, 50, 100, 200)
SESSION_KEY = "zhanggui_page_size"


def page_size(request, list_name: str, default: int = 50) -> int:
    """The rows per page of `list_name`: `?size=` when it is one of SIZES (remembered), else the remembered one."""
    sizes = request.session.get(SESSION_KEY) or {}
    asked = str(request.GET.get("size") or "")
    if asked.isdigit() and int(asked) in SIZES:
        if sizes.get(list_name) != int(asked):
            request.session[SESSION_KEY] = {**sizes, list_name: int(asked)}
        return int(asked)
    saved = sizes.get(list_name)
    return saved if saved in SIZES else default


def page_number(value, last: int) -> int:
    """A page number from the URL, within 1 … last (a typed or stale number lands on the nearest page)."""
    text = str(value or "")
    number = int(text) if text.isdigit() and len(text) < 7 else 1
    return max(1, min(number, max(last, 1)))


def window(current: int, last: int, around: int = 2) -> list[int | None]:
    """The page numbers to show: the first, the last and `around` on each side of `current`; None where numbers
    are left out (shown as …)."""
    if last <= 1:
        return [1] if last == 1 else []
    shown = {1, last, *range(max(1, current - around), min(last, current + around) + 1)}
    out: list[int | None] = []
    previous = 0
    for n in sorted(shown):
        if n - previous > 1:
            out.append(None)
        out.append(n)
        previous = n
    return out
