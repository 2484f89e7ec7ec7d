"""Importing reviews (AS-7): the platforms' review exports and our XLSX template (read by
channels/formats/reviews.py through core.sheets: CSV or XLSX, UTF-8 with or without BOM, GBK), and the parsed
answer of taobao.traderates.get (`import_parsed`, for the connector).

Idempotent: a review is keyed by (shop, platform review id); the same file twice creates and changes nothing. A
re-import where the buyer changed the rating updates the review and moves it (timeline, no 工号 needed):
中评/差评 → 好评 while being handled (or not yet) = 已改评; 好评 → 中评/差评 = 待联系 again. Text, reply and times
follow the file; what our people recorded (owner, reason, state, our reply once recorded here) is never cleared.

Matching: the order by its platform number within the shop, the order line by 商家编码 (or the SKU's code, or the
title, or the only line), hence the SKU and product, which the rates per product need.

Bad rows (no rating, a rating not understood, no time, no id nor order) are reported in Chinese by line and reason;
the good rows are kept. Rows are written in batches of BATCH, each batch in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from zhanggui.channels.formats import reviews as fmt
from zhanggui.core import clock, sheets
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_events
from zhanggui.orders.models import Order, OrderLine

from ..models import Review
from . import reviews as svc

BATCH = 1000
MAX_ROWS = 200_000
MAX_BYTES = 100 * 1048576
Rating, State = Review.Rating, Review.State
UPDATABLE = ("rating", "text", "buyer_nick", "reviewed_at", "item_title", "outer_code", "state", "closed_at")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged, "failed": self.failed,
                "errors": self.errors[:200]}  # fmt: skip


class ReviewFileError(DomainError):
    status = 422


def read_file(name: str, data, platform: str, result: ImportResult):
    """Parsed reviews of one file (a generator); bad rows go to `result`. A file that is not a review export, or
    another platform's, is a ReviewFileError naming the file."""
    try:
        rows = sheets.read_rows(name, data, max_rows=MAX_ROWS, max_bytes=MAX_BYTES)
        header = None
        for line, cells in rows:
            if header is None:
                if not any(str(c).strip() for c in cells):
                    continue
                header = fmt.check_header(cells, platform)
                continue
            if not any(str(c).strip() for c in cells):
                continue
            parsed = fmt.parse_row(line, cells, header, platform)
            if isinstance(parsed, fmt.BadRow):
                result.failed += 1
                result.errors.append(f"{name} {parsed.message}")
            else:
                yield parsed
        if header is None:
            raise ReviewFileError("empty_file", f"{name}：文件是空的", "file")
    except fmt.FormatError as exc:
        raise ReviewFileError("not_reviews", f"{name}：{exc}", "file") from None
    except sheets.SheetError as exc:
        raise ReviewFileError(exc.code, f"{name}：{exc.message}", "file") from None


def import_files(actor, shop, files, *, batch: int = BATCH) -> ImportResult:
    """AS-7: import review files [(name, bytes or path)] into `shop`. Every file's header is checked before any row
    is written (a wrong file changes nothing)."""
    result = ImportResult()
    platform = shop.platform_id
    for name, data in files:  # headers first: refuse a wrong file before writing anything
        _check_header(name, data, platform)
    for name, data in files:
        import_parsed(actor, shop, read_file(name, data, platform, result), result=result, batch=batch)
    return result


def _check_header(name, data, platform) -> None:
    try:
        for _line, cells in sheets.read_rows(name, data, max_rows=MAX_ROWS, max_bytes=MAX_BYTES):
            if any(str(c).strip() for c in cells):
                fmt.check_header(cells, platform)
                return
    except fmt.FormatError as exc:
        raise ReviewFileError("not_reviews", f"{name}：{exc}", "file") from None
    except sheets.SheetError as exc:
        raise ReviewFileError(exc.code, f"{name}：{exc.message}", "file") from None
    raise ReviewFileError("empty_file", f"{name}：文件是空的", "file")


def import_parsed(actor, shop, parsed, *, result: ImportResult | None = None, batch: int = BATCH) -> ImportResult:
    """Write parsed reviews (an iterable of fmt.ParsedReview) of `shop` in batches; a later row with the same id
    wins over an earlier one of the same file."""
    result = result or ImportResult()
    chunk: dict[str, fmt.ParsedReview] = {}
    for row in parsed:
        if row.review_id in chunk:
            result.unchanged += 1  # counted once: the later row replaces it
        chunk[row.review_id] = row
        if len(chunk) >= batch:
            _write(actor, shop, list(chunk.values()), result)
            chunk = {}
    if chunk:
        _write(actor, shop, list(chunk.values()), result)
    return result


def _match_lines(shop, rows) -> dict[str, tuple[Order, list[OrderLine]]]:
    numbers = {r.order_no for r in rows if r.order_no}
    if not numbers:
        return {}
    orders = {
        o.pk: o for o in Order.objects.filter(shop=shop, platform_order_no__in=numbers).only("pk", "platform_order_no")
    }
    lines: dict[int, list[OrderLine]] = {pk: [] for pk in orders}
    for ln in (
        OrderLine.objects.filter(order_id__in=orders)
        .select_related("sku")
        .only("pk", "order_id", "outer_code", "title", "sku__code", "sku__product_id")
        .order_by("order_id", "line_no")
    ):
        lines[ln.order_id].append(ln)
    return {o.platform_order_no: (o, lines[o.pk]) for o in orders.values()}


def _pick_line(lines: list[OrderLine], row) -> OrderLine | None:
    if row.outer_code:
        for ln in lines:
            if ln.outer_code == row.outer_code or (ln.sku_id and ln.sku.code == row.outer_code):
                return ln
    if row.item_title:
        for ln in lines:
            if ln.title and (ln.title == row.item_title or ln.title in row.item_title or row.item_title in ln.title):
                return ln
    return lines[0] if len(lines) == 1 else None


def _fill(review: Review, row, matched) -> None:
    review.platform_order_no = row.order_no
    review.item_title, review.outer_code = row.item_title, row.outer_code
    review.text, review.buyer_nick, review.reviewed_at = row.text, row.buyer, row.reviewed_at
    if matched and review.order_id is None:
        order, lines = matched
        review.order = order
        line = _pick_line(lines, row)
        if line is not None:
            review.order_line = line
            review.sku_id = line.sku_id
            review.product_id = line.sku.product_id if line.sku_id else None


def _write(actor, shop, rows: list, result: ImportResult) -> None:
    matches = _match_lines(shop, rows)
    with transaction.atomic():
        existing = {
            r.platform_review_id: r
            for r in Review.objects.select_for_update(of=("self",)).filter(
                shop=shop, platform_review_id__in=[r.review_id for r in rows]
            )
        }
        new, changed, events = [], [], []
        for row in rows:
            matched = matches.get(row.order_no)
            review = existing.get(row.review_id)
            if review is None:
                review = Review(
                    shop=shop,
                    platform_review_id=row.review_id,
                    rating=row.rating,
                    first_rating=row.rating,
                    state=svc.state_for(row.rating),
                    source=Review.Source.IMPORT,
                )
                _fill(review, row, matched)
                if row.reply:
                    review.reply_text, review.replied_at = row.reply, row.replied_at
                new.append(review)
                continue
            before = {f: getattr(review, f) for f in (*UPDATABLE, "order_id", "reply_text")}
            _fill(review, row, matched)
            if row.reply and row.reply != review.reply_text:
                review.reply_text, review.replied_at = row.reply, row.replied_at
            if row.rating != review.rating:
                events.append(_rerated(review, row.rating))
            after = {f: getattr(review, f) for f in before}
            if after == before:
                result.unchanged += 1
                continue
            review.version += 1
            changed.append(review)
        Review.objects.bulk_create(new, batch_size=BATCH)
        if changed:
            Review.objects.bulk_update(
                changed,
                [
                    *UPDATABLE,
                    "platform_order_no",
                    "order",
                    "order_line",
                    "sku",
                    "product",
                    "reply_text",
                    "replied_at",
                    "version",
                ],
                batch_size=BATCH,
            )
        opened = [
            (r, "review_imported", "", svc.state_label(r.state), svc.rating_label(r.rating)) for r in new if r.state
        ]
        record_events(actor, opened + [(r, *rest) for r, *rest in events if r is not None])
    result.created += len(new)
    result.updated += len(changed)


def _rerated(review: Review, rating: str) -> tuple:
    """AS-7: the buyer changed the rating: 中差评 → 好评 closes the review as 已改评; 好评 → 中差评 opens it."""
    old, old_state = review.rating, review.state
    review.rating = rating
    if (
        rating == Rating.GOOD
        and old != Rating.GOOD
        and review.state in (State.TO_CONTACT, State.CONTACTED, State.UNCHANGEABLE)
    ):
        review.state, review.closed_at = State.CHANGED, clock.now()
    elif rating != Rating.GOOD and review.state in (State.NONE, State.CHANGED):
        review.state, review.closed_at = State.TO_CONTACT, None
    note = f"{svc.rating_label(old)} → {svc.rating_label(rating)}"
    return (review, "review_rating", svc.state_label(old_state), svc.state_label(review.state), note)
