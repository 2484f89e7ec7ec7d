"""Page numbers and page sizes for the lists (ui.md: page numbers and page size, not only 下一页).

`page_size` reads the size a person picked (20 / 50 / 100 / 200) and remembers it in the session per list, so the
next visit — and every link without `size` — shows as many rows. `window` gives the page numbers to show around
the current one: 1 2 … 7 8 [9] 10 11 … 40. `paginate` and `{% pager %}` put them together for a list paged by
number.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator

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


class _Counted(Paginator):
    """A paginator whose total is already known (a tab count), so it does not run COUNT(*) again."""

    def __init__(self, items, per_page, total: int):
        super().__init__(items, per_page)
        self._total = total

    @property
    def count(self) -> int:
        return self._total


def paginate(request, items, list_name: str, *, default: int = 50, count: int | None = None) -> Page:
    """The numbered page `?page=` of `items` (a queryset or a list) with `page_size` rows (remembered per list) — for
    the work queues that page by number (审单, print queue, title issues); a number past the end shows the last page.
    `count`: the total when the caller already has it. Pages render `{% pager page_obj query %}` (core/_pager.html)."""
    size = page_size(request, list_name, default)
    paginator = Paginator(items, size) if count is None else _Counted(items, size, count)
    return paginator.get_page(page_number(request.GET.get("page"), paginator.num_pages))
