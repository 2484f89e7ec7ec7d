"""Crawl the pages a person reaches from the home page and read their visible text (no scripts, no attributes),
to look for internal codes that should have reached the page as Chinese labels (rule 9, rule 6)."""

import collections
import re
from html.parser import HTMLParser

from django.apps import apps
from django.urls import Resolver404, resolve

SKIP_LINKS = ("/api", "/admin", "/static", "/media", "/logout")
SKIP_ENDINGS = (".pdf", ".xlsx", ".csv", "/download/", "/file/", "/original/")
CODE_WORD = re.compile(r"^[a-z][a-z_]{2,}$")
REFERENCE = re.compile(r"(?<![\w/.-])[a-z][a-z-]+:\d+\b")  # order:2406, demo-sale:1
BARE_FEN = re.compile(r"^\d{5,}$")  # a money amount in fen on the timeline (1000000 → 500000)
RULE_ID = re.compile(r"\b(?:SHOP|TEAM|PROD|INV|PUR|ORD|SHIP|CRM|DATA|MKT|SVC|AS|FIN|CS|SALE)-\d+\b")


class VisibleText(HTMLParser):
    """Text a person reads; `fromto` collects the timeline's before → after values."""

    def __init__(self):
        super().__init__()
        self.hidden = 0
        self.parts, self.links, self.fromto = [], [], []
        self._fromto_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "template") or "d-none" in (attrs.get("class") or "").split():
            self.hidden += 1 if tag in ("script", "style", "template") else 0
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in ("del", "ins") and self._fromto_depth == 0:
            self._fromto_depth = 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self.hidden -= 1
        if tag in ("del", "ins"):
            self._fromto_depth = 0

    def handle_data(self, data):
        if self.hidden:
            return
        self.parts.append(data)
        if self._fromto_depth:
            self.fromto.append(data.strip())


def stored_codes() -> set[str]:
    """Every code our models store through `choices`, plus the label maps of free code fields."""
    from zhanggui.fulfilment.models.carriers import WAYBILL_SERVICES
    from zhanggui.fulfilment.models.shipping import TRACKING_SOURCES
    from zhanggui.fulfilment.models.waybills import PROVIDERS
    from zhanggui.orders.models import PAYMENT_METHODS
    from zhanggui.shops.models import Platform
    from zhanggui.shops.views import STATUS_LABELS

    codes = set(PAYMENT_METHODS) | set(PROVIDERS) | set(WAYBILL_SERVICES) | set(TRACKING_SOURCES)
    codes |= set(STATUS_LABELS) | set(Platform.objects.values_list("code", flat=True))
    for model in apps.get_models():
        if not model.__module__.startswith("zhanggui."):
            continue
        for field in model._meta.concrete_fields:
            codes |= {str(value) for value, _label in field.flatchoices if isinstance(value, str)}
    return {c for c in codes if CODE_WORD.match(c)}


def crawl(client, starts=("/",), *, per_view=3, limit=400):
    """[(url, VisibleText)] of the HTML pages reachable from `starts`, at most `per_view` per URL name."""
    seen = collections.Counter()
    queue, visited, pages = list(starts), set(), []
    while queue and len(visited) < limit:
        url = queue.pop(0)
        if url in visited:
            continue
        visited.add(url)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        text = VisibleText()
        text.feed(response.content.decode())
        pages.append((url, text))
        for href in text.links:
            if not href.startswith("/") or href.startswith(SKIP_LINKS) or href.split("?")[0].endswith(SKIP_ENDINGS):
                continue
            try:
                match = resolve(href.split("?")[0].split("#")[0])
            except Resolver404:
                continue
            key = (match.view_name, "?" in href)
            if seen[key] < per_view:
                seen[key] += 1
                queue.append(href.split("#")[0])
    return pages


def codes_shown(pages, codes) -> dict[str, set[str]]:
    """{code or reference found: urls}. Words are matched whole, in the visible text only."""
    found = collections.defaultdict(set)
    for url, text in pages:
        visible = " ".join(text.parts)
        for word in re.findall(r"(?<![\w@./:-])[a-z][a-z_]{2,}(?![\w@:-])", visible):
            if word in codes:
                found[word].add(url)
        for ref in REFERENCE.findall(visible):
            found[ref].add(url)
        for value in text.fromto:
            if BARE_FEN.match(value):
                found[f"{value} (fen on the timeline)"].add(url)
    return found


def rule_ids_shown(pages) -> dict[str, set[str]]:
    """{rule ID: {"url: …text around it…"}} for rule IDs in the visible text."""
    found = collections.defaultdict(set)
    for url, text in pages:
        visible = " ".join(" ".join(text.parts).split())
        for match in RULE_ID.finditer(visible):
            found[match.group(0)].add(f"{url}: …{visible[max(0, match.start() - 40) : match.end() + 10]}…")
    return found
