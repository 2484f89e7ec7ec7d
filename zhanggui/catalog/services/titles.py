"""Title check (PROD-3) with the shop's limits and the product's own words; the editable word lists."""

import json
import re
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event
from zhanggui.core.registry import get_definition
from zhanggui.shops.settings_store import get_setting

from ..models import Listing, Product, Sku, TitleWord
from ..rules_titles import PARTS, TitleCheck, check_title, words_of

SEED_FILE = Path(__file__).resolve().parent.parent / "data" / "title_words.json"
_SPLIT = re.compile(r"[,，、;；/|\s]+")

PART_LABELS = {
    "marketing": _("marketing words"),
    "category": _("category words"),
    "product": _("product words"),
    "attribute": _("attribute words"),
    "modifier": _("modifier words"),
}


def seed_title_words() -> int:
    """Seed the word lists from data/title_words.json (PROD-3), like a data migration that runs once: a kind
    that has no words yet gets the seed words; a kind the editor already has is left exactly as edited (words
    removed stay removed, added words stay). Returns how many words were created."""
    data = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    have = set(TitleWord.objects.values_list("kind", flat=True).distinct())
    new = [
        TitleWord(kind=kind, word=word)
        for kind in TitleWord.Kind.values
        if kind not in have
        for word in dict.fromkeys(data.get(kind, []))
    ]
    TitleWord.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def seed_after_migrate(sender, **kwargs) -> None:
    """post_migrate hook of the catalog app (only when the TitleWord table exists)."""
    from django.db import connection

    if TitleWord._meta.db_table in connection.introspection.table_names():
        seed_title_words()


def word_lists() -> dict[str, list[str]]:
    lists = {k: [] for k in TitleWord.Kind.values}
    for kind, word in TitleWord.objects.values_list("kind", "word"):
        lists[kind].append(word)
    return lists


def add_title_word(actor, kind: str, word: str) -> TitleWord:
    word = (word or "").strip()
    if kind not in TitleWord.Kind.values:
        raise DomainError("invalid_kind", "词类只能是营销词或修饰词", "kind")
    if not word:
        raise DomainError("word_required", "请填写词语", "word")
    if len(word) > 20:
        raise DomainError("word_too_long", "词语最多 20 个字", "word")
    try:
        with transaction.atomic():
            item = TitleWord.objects.create(kind=kind, word=word)
            record_event(actor, item, "created", to_state=f"{item.get_kind_display()}：{word}")
    except IntegrityError as exc:
        raise DomainError("duplicate_word", f"“{word}”已在词库中", "word") from exc
    return item


def delete_title_word(actor, item: TitleWord) -> None:
    with transaction.atomic():
        record_event(actor, item, "deleted", from_state=f"{item.get_kind_display()}：{item.word}")
        item.delete()


def _attribute_values(value) -> list[str]:
    if isinstance(value, dict):
        return [w for v in value.values() for w in _attribute_values(v)]
    if isinstance(value, (list, tuple)):
        return [w for v in value for w in _attribute_values(v)]
    if value is None or isinstance(value, bool):
        return []
    return [w for w in _SPLIT.split(str(value)) if w]


def product_vocabulary(product: Product | None, skus=None) -> dict[str, list[str]]:
    """Category, product and attribute words of a product: its category name (and parent) and their words, the
    words of the product name, attribute values, brand, SKU colours and sizes (`skus`: [(colour, size)])."""
    if product is None:
        return {"category_words": [], "product_words": [], "attribute_words": []}
    category_words: list[str] = []
    category = product.category
    while category is not None and len(category_words) < 20:
        category_words += [category.name, *words_of(category.name)]
        category = category.parent if category.parent_id else None
    if skus is None:
        skus = Sku.objects.filter(product=product).values_list("colour", "size")
    attributes = _attribute_values(product.attributes) + ([product.brand] if product.brand else [])
    for colour, size in skus:
        attributes += [colour, size]
    return {
        "category_words": list(dict.fromkeys(w for w in category_words if w)),
        "product_words": words_of(product.name),
        "attribute_words": list(dict.fromkeys(a for a in attributes if a)),
    }


def limits(shop=None) -> dict[str, int]:
    if shop is None:
        return {
            "max_chars": get_definition("catalog.title_max_chars").default,
            "max_bytes": get_definition("catalog.title_max_bytes").default,
        }
    return {
        "max_chars": int(get_setting(shop, "catalog.title_max_chars")),
        "max_bytes": int(get_setting(shop, "catalog.title_max_bytes")),
    }


def check(title: str, product: Product | None = None, shop=None, words=None) -> TitleCheck:
    """PROD-3: the title check for `title` of `product` in `shop` (default limits without a shop)."""
    words = words if words is not None else word_lists()
    return check_title(
        title,
        marketing=words.get("marketing", []),
        modifiers=words.get("modifier", []),
        **product_vocabulary(product),
        **limits(shop),
    )


def reasons(result: TitleCheck) -> list[str]:
    """Chinese reasons a title breaks a rule (PROD-3), for the batch view and the API."""
    out = []
    if result.too_many_chars:
        out.append(f"超过 {result.max_chars} 个字（{result.chars} 字）")
    if result.too_many_bytes:
        out.append(f"超过 {result.max_bytes} 字节（{result.bytes} 字节）")
    if result.missing:
        out.append("缺少" + "、".join(str(PART_LABELS[p]) for p in result.missing))
    if result.repeats:
        out.append("重复词：" + "、".join(result.repeats))
    return out


def check_listings(listings) -> list[tuple[Listing, TitleCheck]]:
    """PROD-3: the check of every listing of a queryset. Queries: the listings, their SKU colours and sizes, the word
    lists and the settings per shop — not one per listing."""
    rows = list(
        listings.select_related("shop__platform", "product__category__parent").order_by("shop_id", "-created_at")
    )
    skus: dict[int, list[tuple[str, str]]] = {}
    for product_id, colour, size in Sku.objects.filter(product_id__in={r.product_id for r in rows}).values_list(
        "product_id", "colour", "size"
    ):
        skus.setdefault(product_id, []).append((colour, size))
    words = word_lists()
    shop_limits = {}
    vocab = {}
    found = []
    for listing in rows:
        if listing.shop_id not in shop_limits:
            shop_limits[listing.shop_id] = limits(listing.shop)
        if listing.product_id not in vocab:
            vocab[listing.product_id] = product_vocabulary(listing.product, skus.get(listing.product_id, []))
        result = check_title(
            listing.title,
            marketing=words["marketing"],
            modifiers=words["modifier"],
            **vocab[listing.product_id],
            **shop_limits[listing.shop_id],
        )
        found.append((listing, result))
    return found


def title_issues(shops, listings=None) -> list[tuple[Listing, TitleCheck, list[str]]]:
    """PROD-3 batch view: every listing of `shops` whose title breaks a rule, with the reasons (computed now; the
    page reads the stored checks of services/title_checks.py)."""
    qs = listings if listings is not None else Listing.objects.filter(shop__in=shops)
    return [(listing, result, reasons(result)) for listing, result in check_listings(qs) if not result.ok]


__all__ = ["PARTS", "PART_LABELS", "check", "check_listings", "reasons", "seed_title_words", "title_issues"]
