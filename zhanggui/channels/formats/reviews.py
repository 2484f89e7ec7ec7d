"""Reading the platforms' review exports (AS-7) into plain `ParsedReview` values: no database access here (the
import service aftersales/services/review_imports.py writes what this reads).

Layouts, by the headers of the first row (tolerant of the variants the seller centres used over the years):
- Taobao/Tmall 评价管理 → 来自买家的评价 → 导出: 评价结果 好评/中评/差评, 评价内容, 买家昵称 or 会员名, 宝贝标题,
  订单编号 (子订单编号 in newer exports), 评价时间, 解释内容 (the seller's reply);
- JD 商家后台 → 评价管理 → 导出: 评论ID, 订单号, 商品名称, 商品编号, 评分 (1–5 星), 评价内容, 用户昵称, 评价时间,
  商家回复;
- PDD 商家后台 → 评价管理 → 导出: 评价ID, 订单编号, 商品名称, 描述相符 (1–5 星) or 评价星级, 评价内容, 用户昵称,
  评价时间, 商家回复;
- our own XLSX template (TEMPLATE_HEADERS): 评价ID, 订单编号, 商家编码, 商品名称, 评价结果, 评价内容, 买家昵称,
  评价时间, 商家回复, 回复时间.
platform-formats.md does not describe review exports; the header names above follow the seller centres' screens
and are kept as data (ALIASES), so a renamed column is one line here.

Stars → rating: JD's own rule (1 星 差评, 2–3 星 中评, 4–5 星 好评); PDD has no 中差评 labels, the same bands are
assumed. A row without a review id gets a stable one from its order number and item (`derived_id`), so re-importing
the same export (or a later one where the buyer changed the rating) finds the same review.

`parse_traderates(payload)` reads the JSON of taobao.traderates.get (trade_rates.trade_rate[]: tid, oid, result
good/neutral/bad, content, nick, created, reply, item_title, num_iid) for the connector.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from zhanggui.core import clock

# canonical field → header variants (first found wins)
ALIASES: dict[str, tuple[str, ...]] = {
    "review_id": ("评价ID", "评价id", "评价编号", "评论ID", "评论id", "评论编号", "评价Id"),
    "order_no": ("订单编号", "订单号", "子订单编号", "主订单编号", "订单ID", "订单id"),
    "outer_code": ("商家编码", "商品编码", "商家货号", "SKU编码", "外部编码", "商品编号", "商品ID", "宝贝ID"),
    "item_title": ("宝贝标题", "宝贝名称", "商品名称", "商品标题", "商品"),
    "rating": ("评价结果", "评价等级", "评价类型", "评价", "评分", "评价星级", "描述相符", "商品评分", "星级"),
    "text": ("评价内容", "评论内容", "初评内容", "内容"),
    "buyer": ("买家昵称", "会员名", "用户昵称", "买家", "评价人", "用户名"),
    "reviewed_at": ("评价时间", "评论时间", "创建时间", "评价日期"),
    "reply": ("解释内容", "商家回复", "回复内容", "卖家回复", "商家解释"),
    "replied_at": ("回复时间", "解释时间"),
}
REQUIRED = ("rating", "reviewed_at")
TEMPLATE_HEADERS = ("评价ID", "订单编号", "商家编码", "商品名称", "评价结果", "评价内容", "买家昵称", "评价时间",
                    "商家回复", "回复时间")  # fmt: skip
# headers only one platform's export has: a file with them imported into another platform's shop is refused
SIGNATURES: dict[str, tuple[str, ...]] = {
    "taobao": ("会员名", "宝贝标题", "解释内容"),
    "jd": ("评论ID", "商品评分"),
    "pdd": ("描述相符",),
}
PLATFORM_FAMILY = {"taobao": "taobao", "tmall": "taobao", "jd": "jd", "pdd": "pdd"}
PLATFORM_NAMES = {"taobao": "淘宝/天猫", "jd": "京东", "pdd": "拼多多"}
RATING_WORDS = {
    "好评": "good", "好": "good", "good": "good", "positive": "good",
    "中评": "neutral", "中": "neutral", "neutral": "neutral",
    "差评": "bad", "差": "bad", "bad": "bad", "negative": "bad",
}  # fmt: skip
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d")
MAX_TEXT = 2000


@dataclass
class ParsedReview:
    line: int
    review_id: str
    order_no: str
    outer_code: str
    item_title: str
    rating: str  # good / neutral / bad
    text: str
    buyer: str
    reviewed_at: dt.datetime
    reply: str = ""
    replied_at: dt.datetime | None = None


@dataclass
class BadRow:
    line: int
    message: str


class FormatError(ValueError):
    """The file is not a review export (no rating or time column) or belongs to another platform."""


def columns(header: list[str]) -> dict[str, int]:
    """{canonical field: column index} of a header row (names stripped of spaces and BOM)."""
    names = [str(h or "").replace("\ufeff", "").strip() for h in header]
    found: dict[str, int] = {}
    for field, variants in ALIASES.items():
        for variant in variants:
            if variant in names:
                found[field] = names.index(variant)
                break
    return found


def check_header(header: list[str], platform: str) -> dict[str, int]:
    """The columns of a review export for a shop of `platform`, or FormatError in Chinese."""
    cols = columns(header)
    missing = [ALIASES[f][0] for f in REQUIRED if f not in cols]
    if missing:
        raise FormatError(f"不是评价导出文件：缺少“{'、'.join(missing)}”列")
    if "review_id" not in cols and "order_no" not in cols:
        raise FormatError("不是评价导出文件：缺少“评价ID”或“订单编号”列")
    names = {str(h or "").strip() for h in header}
    family = PLATFORM_FAMILY.get(platform, platform)
    for other, marks in SIGNATURES.items():
        if other != family and any(m in names for m in marks):
            raise FormatError(
                f"这是{PLATFORM_NAMES[other]}的评价导出，不能导入到{PLATFORM_NAMES.get(family, '本')}店铺"
            )
    return cols


def rating_of(value, platform: str) -> str | None:
    """好评/中评/差评 (or good/neutral/bad), or 1–5 stars (JD's bands: 1 差评, 2–3 中评, 4–5 好评)."""
    text = str(value or "").strip().lower().replace("星", "").replace("分", "")
    if text in RATING_WORDS:
        return RATING_WORDS[text]
    try:
        stars = float(text)
    except ValueError:
        return None
    if stars != int(stars) or not 1 <= stars <= 5:
        return None
    return "bad" if stars <= 1 else "neutral" if stars <= 3 else "good"


def time_of(value) -> dt.datetime | None:
    """An export time (Beijing time without zone) or an Excel datetime → aware UTC."""
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = str(value or "").strip()
        moment = None
        for fmt in TIME_FORMATS:
            try:
                moment = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if moment is None:
            try:
                moment = dt.datetime.fromisoformat(text)
            except ValueError:
                return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=clock.SHANGHAI)
    return moment.astimezone(dt.UTC)


def derived_id(order_no: str, outer_code: str, item_title: str) -> str:
    """A stable review id for exports without one: the order number and the item (the rating and text may change)."""
    item = outer_code or hashlib.sha1(item_title.encode()).hexdigest()[:12]
    return f"{order_no}#{item}"[:64]


def _cell(cells: list, cols: dict[str, int], field: str) -> str:
    index = cols.get(field)
    if index is None or index >= len(cells):
        return ""
    value = cells[index]
    # exports prefix long numbers with a tab or ="…" so Excel keeps them as text
    text = str(value if value is not None else "").strip()
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1]
    return text.replace("\x00", "").strip()


def parse_row(line: int, cells: list, cols: dict[str, int], platform: str) -> ParsedReview | BadRow:
    """One data row → a ParsedReview, or a BadRow saying in Chinese what is wrong (line as the user sees it)."""
    get = lambda field: _cell(cells, cols, field)  # noqa: E731
    rating = rating_of(get("rating"), platform)
    if rating is None:
        raw = get("rating")
        why = f"评价结果“{raw[:20]}”无法识别（应为好评/中评/差评或 1–5 星）" if raw else "缺少评价结果"
        return BadRow(line, f"第 {line} 行：{why}")
    reviewed = cells[cols["reviewed_at"]] if cols["reviewed_at"] < len(cells) else ""
    reviewed_at = time_of(reviewed)
    if reviewed_at is None:
        return BadRow(line, f"第 {line} 行：评价时间“{str(reviewed)[:20]}”无法识别（应为 2026-11-23 15:30）")
    order_no, outer, title = get("order_no")[:64], get("outer_code")[:64], get("item_title")[:200]
    review_id = get("review_id")[:64]
    if not review_id:
        if not order_no:
            return BadRow(line, f"第 {line} 行：缺少评价ID和订单编号，无法识别是哪条评价")
        review_id = derived_id(order_no, outer, title)
    replied = get("replied_at")
    replied_at = time_of(cells[cols["replied_at"]]) if replied else None
    if replied and replied_at is None:
        return BadRow(line, f"第 {line} 行：回复时间“{replied[:20]}”无法识别")
    reply = get("reply")[:MAX_TEXT]
    return ParsedReview(
        line=line,
        review_id=review_id,
        order_no=order_no,
        outer_code=outer,
        item_title=title,
        rating=rating,
        text=get("text")[:MAX_TEXT],
        buyer=get("buyer")[:100],
        reviewed_at=reviewed_at,
        reply=reply,
        replied_at=replied_at or (reviewed_at if reply else None),
    )


def parse_traderates(payload: dict) -> tuple[list[ParsedReview], list[BadRow]]:
    """taobao.traderates.get's answer ({"traderates_get_response": {"trade_rates": {"trade_rate": [...]}}} or the
    inner object) → reviews; a rate without oid/tid, result or created is a BadRow numbered from 1."""
    inner = payload.get("traderates_get_response", payload) if isinstance(payload, dict) else {}
    rates = ((inner or {}).get("trade_rates") or {}).get("trade_rate") or []
    good, bad = [], []
    for n, rate in enumerate(rates if isinstance(rates, list) else [], start=1):
        if not isinstance(rate, dict):
            bad.append(BadRow(n, f"第 {n} 条：格式不正确"))
            continue
        tid, oid = str(rate.get("tid") or "").strip(), str(rate.get("oid") or "").strip()
        rating = RATING_WORDS.get(str(rate.get("result") or "").strip().lower())
        created = time_of(rate.get("created"))
        if not (tid or oid) or rating is None or created is None:
            bad.append(BadRow(n, f"第 {n} 条：缺少订单号、评价结果或评价时间"))
            continue
        reply = str(rate.get("reply") or "").strip()[:MAX_TEXT]
        good.append(
            ParsedReview(
                line=n,
                review_id=(oid or tid)[:64],
                order_no=tid[:64],
                outer_code=str(rate.get("outer_iid") or "")[:64],
                item_title=str(rate.get("item_title") or "")[:200],
                rating=rating,
                text=str(rate.get("content") or "")[:MAX_TEXT],
                buyer=str(rate.get("nick") or "")[:100],
                reviewed_at=created,
                reply=reply,
                replied_at=created if reply else None,
            )
        )
    return good, bad
