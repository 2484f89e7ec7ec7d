"""reviews_import: a realistic Taobao 评价管理 export of 20,000 reviews (GBK CSV, ~30 % 中差评, a third of them on
orders of the shop, the rest on orders not imported) imported end to end (`import_files`: read, check, match orders
and lines, upsert in batches of 1,000 with the timeline entries of the 中差评) → rows/s, beside a bare bulk_create
of the same 20,000 Review rows (no reading, no matching, no events) measured in the same run. Re-importing the same
file (every row unchanged) is printed as a note. What the benchmark writes (评价 ID BR-…) is deleted afterwards."""

import random
import time

from zhanggui.aftersales.models import Review
from zhanggui.aftersales.services.review_imports import import_files
from zhanggui.core import clock
from zhanggui.core.models import Event
from zhanggui.orders.models import Order

from . import data, harness
from .registry import Result

ROWS = 20_000
HEADER = ["评价ID", "评价时间", "评价结果", "评价内容", "会员名", "宝贝标题", "订单编号", "商家编码", "解释内容"]
TEXTS = ["质量很好，好评", "物流很快", "颜色有色差", "起球了，不满意", "尺码偏小", "", "第二次回购"]


def _rows(shop) -> list[list[str]]:
    rng = random.Random(7)
    orders = list(Order.objects.filter(shop=shop).prefetch_related("lines").order_by("pk")[:2000])
    rows = []
    for n in range(ROWS):
        order = orders[n % len(orders)] if orders and n % 3 == 0 else None
        line = next(iter(order.lines.all()), None) if order else None
        rating = rng.choices(["好评", "中评", "差评"], weights=[70, 12, 18])[0]
        rows.append(
            [
                f"BR-{n:07d}",
                f"2026-{1 + n % 11:02d}-{1 + n % 28:02d} {n % 24:02d}:{n % 60:02d}:00",
                rating,
                TEXTS[n % len(TEXTS)],
                f"tb_buyer{n % 5000}",
                line.title if line else f"2026新款连衣裙{n % 300}",
                order.platform_order_no if order else f"{3_900_000_000_000_000 + n}",
                line.outer_code if line else f"BR-SKU-{n % 300}",
                "感谢亲的支持" if n % 10 == 0 else "",
            ]
        )
    return rows


def _csv(rows) -> bytes:
    out = [",".join(HEADER)] + [",".join(r) for r in rows]
    return ("\r\n".join(out) + "\r\n").encode("gb18030")


def cleanup() -> None:
    ids = list(Review.objects.filter(platform_review_id__startswith="BR-").values_list("pk", flat=True))
    Event.objects.filter(
        content_type__app_label="aftersales", content_type__model="review", object_id__in=[str(i) for i in ids]
    ).delete()
    Review.objects.filter(pk__in=ids).delete()


def _bare(shop, rows) -> float:
    now = clock.now()
    objs = [
        Review(
            shop=shop,
            platform_review_id=r[0],
            rating="good",
            first_rating="good",
            text=r[3],
            buyer_nick=r[4],
            item_title=r[5],
            platform_order_no=r[6],
            outer_code=r[7],
            reviewed_at=now,
        )
        for r in rows
    ]
    t0 = time.perf_counter()
    Review.objects.bulk_create(objs, batch_size=1000)
    return time.perf_counter() - t0


def run() -> Result:
    company = data.company()
    shop = next(s for s in company.shops if s.platform_id == "taobao")
    cleanup()
    rows = _rows(shop)
    path = harness.BENCH_VAR_DIR / "reviews_import_gbk.csv"
    harness.BENCH_VAR_DIR.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_csv(rows))
    size = f"{ROWS:,} reviews, {path.stat().st_size / 1048576:.1f} MB GBK CSV"

    t0 = time.perf_counter()
    result = import_files(company.manager, shop, [(path.name, path)])
    seconds = time.perf_counter() - t0
    assert (result.created, result.failed) == (ROWS, 0), result.summary()
    matched = Review.objects.filter(platform_review_id__startswith="BR-", order__isnull=False).count()
    t0 = time.perf_counter()
    again = import_files(company.manager, shop, [(path.name, path)])
    again_s = time.perf_counter() - t0
    assert again.unchanged == ROWS and again.created == 0, again.summary()
    cleanup()
    bare_s = _bare(shop, rows)
    cleanup()
    return Result(
        name="reviews_import",
        value=round(ROWS / seconds),
        unit="rows/s",
        size=size,
        baseline="bare bulk_create of the same rows",
        baseline_value=round(ROWS / bare_s),
        notes=[
            f"end to end {seconds:.1f} s; {matched:,} matched to orders",
            f"re-import unchanged: {ROWS / again_s:,.0f} rows/s ({again_s:.1f} s)",
        ],
    )
