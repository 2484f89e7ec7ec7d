"""Demo catalogue of 杭州青禾服饰: a few hundred women's-wear products with their colour × size SKUs (PROD-1).

Drawn from a fixed seed and created through the bulk product service (so the timeline is real); running it
again creates nothing twice. Called from `workbench.demo.load_demo`.
"""

import datetime as dt
import io
import random

from django.db.models import Min

from zhanggui.core import clock

from .models import Listing, Product, Sku
from .services.combos import create_combo_sku
from .services.products import ProductSpec, create_products

# category → (share of products, cost range in yuan, weight range in g, name pieces, typical sizes)
CATEGORIES = {
    "连衣裙": (
        (60, 150),
        (280, 450),
        [
            "法式碎花",
            "复古方领",
            "V领收腰",
            "小香风",
            "气质垂感",
            "温柔风针织",
            "泡泡袖",
            "茶歇",
            "真丝印花",
            "显瘦A字",
        ],
        ["连衣裙", "长裙", "中长裙", "吊带裙"],
    ),
    "T恤": (
        (35, 60),
        (160, 230),
        ["纯棉宽松", "短款修身", "重磅", "冰丝", "字母印花", "圆领基础", "落肩", "莫代尔"],
        ["短袖T恤", "T恤", "打底衫", "半袖上衣"],
    ),
    "衬衫": (
        (45, 95),
        (180, 260),
        ["雪纺", "法式", "通勤", "条纹", "亚麻", "娃娃领", "垂感", "醋酸缎面"],
        ["衬衫", "长袖衬衫", "防晒衬衫", "衬衣"],
    ),
    "半身裙": (
        (45, 105),
        (220, 380),
        ["高腰A字", "百褶", "开叉包臀", "碎花", "牛仔", "鱼尾", "雪纺", "针织"],
        ["半身裙", "长裙", "短裙"],
    ),
    "外套": (
        (100, 180),
        (550, 950),
        ["双面呢", "小个子", "短款", "廓形", "西装", "风衣式", "牛仔", "羊毛混纺"],
        ["外套", "西装外套", "风衣", "夹克"],
    ),
    "针织衫": (
        (55, 120),
        (260, 420),
        ["慵懒风V领", "镂空", "羊毛", "开衫", "短款", "马海毛", "撞色", "麻花"],
        ["针织衫", "毛衣", "针织开衫", "针织背心"],
    ),
    "裤子": (
        (50, 110),
        (300, 520),
        ["高腰阔腿", "直筒", "垂感西装", "九分烟管", "微喇", "哈伦", "工装", "冰丝"],
        ["裤", "休闲裤", "牛仔裤", "西裤"],
    ),
}
COLOURS = ["黑色", "白色", "米白", "藏青", "雾霾蓝", "卡其", "燕麦色", "灰色", "酒红", "豆沙粉", "牛油果绿", "杏色"]
SIZE_SETS = [["S", "M", "L", "XL"]] * 6 + [["XS", "S", "M", "L", "XL"], ["S", "M", "L", "XL", "XXL"], ["均码"]]
SUPPLIERS = ["广州沙河南城 5F-5032 档口", "杭州四季青服装市场 3 楼", "常熟招商城 A 区 312", "深圳南油服装批发 B 座"]
SEASONS = ["S", "S", "A", "W"]
PRODUCTS = 320


def _ean13(rng: random.Random) -> str:
    body = "69" + "".join(str(rng.randint(0, 9)) for _ in range(10))
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _price(cost: int, rng: random.Random) -> int:
    """List price 2.2–3× cost, ending in 9 yuan (¥239, ¥259) as the shops price."""
    return int(cost * rng.uniform(2.2, 3.0) // 10 * 10 + 9)


def catalog_specs() -> list[ProductSpec]:
    rng = random.Random(20240412)
    specs = []
    names = list(CATEGORIES)
    for n in range(1, PRODUCTS + 1):
        category = names[n % len(names)]
        (cost_low, cost_high), (w_low, w_high), styles, kinds = CATEGORIES[category]
        season = rng.choice(SEASONS if category not in ("外套", "针织衫") else ["A", "W"])
        style_code = f"QH{24 + (n % 2)}{season}-{n:04d}"
        name = rng.choice(styles) + rng.choice(kinds)
        name = ("2025新款" if n % 5 == 0 else "") + name + ("女" if n % 3 == 0 else "")
        colours = rng.sample(COLOURS, rng.choice([1, 2, 2, 3, 3, 3, 4]))
        sizes = rng.choice(SIZE_SETS if category not in ("针织衫", "半身裙") else SIZE_SETS + [["均码"]] * 2)
        cost = rng.randint(cost_low, cost_high) * 100
        price = _price(cost // 100, rng) * 100
        vip = price * 9 // 1000 * 100 if rng.random() < 0.5 else None
        with_barcodes = rng.random() < 0.4
        rows = (
            [{"colour": c, "size": s, "barcode": _ean13(rng)} for c in colours for s in sizes] if with_barcodes else []
        )
        roll = rng.random()
        role = "traffic" if roll < 0.1 else "profit" if roll < 0.25 else "promotion" if roll < 0.3 else ""
        stage = rng.choice(["incubation"] * 5 + ["growth"] * 3 + ["maturity"] * 2)
        dropship = rng.random() < 0.15
        specs.append(
            ProductSpec(
                style_code=style_code,
                name=name,
                colours=colours,
                sizes=sizes,
                category=f"女装/{category}",
                brand="青禾",
                attributes={
                    "季节": {"S": "春夏", "A": "秋季", "W": "冬季"}[season],
                    "版型": rng.choice(["宽松", "修身", "直筒"]),
                },
                sku_defaults={
                    "cost_fen": cost,
                    "list_price_fen": price,
                    "vip_price_fen": vip,
                    "weight_g": rng.randint(w_low, w_high) // 10 * 10,
                },
                rows=rows,
                role=role,
                stage=stage,
                sourcing="dropship" if dropship else "own",
                supplier_name=rng.choice(SUPPLIERS) if dropship else "",
                first_order_sets=3 if stage == "incubation" else None,
            )
        )
    return specs


# Title pieces per platform habit: marketing word + product + modifier, kept within 30 characters (PROD-3).
TITLE_LEADS = ["2025秋冬新款", "新款", "爆款", "2025新款", "特价"]
TITLE_TAILS = ["显瘦百搭", "气质通勤", "宽松休闲", "修身显瘦", "简约百搭"]


def load_listings(actor) -> int:
    """List the catalogue in every shop (idempotent): most products online, fewer in the offline store;
    a few drafts and delisted items so every status tab has rows."""
    from zhanggui.shops.models import Shop

    from .services.listings import create_listings_bulk

    rng = random.Random(4242)
    products = list(Product.objects.filter(is_active=True).select_related("category").order_by("style_code"))
    created = 0
    for shop in Shop.objects.order_by("code"):
        share = 0.3 if shop.platform_id == "own" else 0.8
        chosen = [p for p in products if rng.random() < share]
        prices = dict(
            Sku.objects.filter(product__in=chosen, is_combo=False)
            .values_list("product_id")
            .annotate(low=Min("list_price_fen"))
            .values_list("product_id", "low")
        )
        items = []
        for product in chosen:
            title = f"{rng.choice(TITLE_LEADS)}{product.name}{rng.choice(TITLE_TAILS)}"[:30]
            price = prices.get(product.pk)
            if price:
                status = rng.choices(["listed", "draft", "delisted"], weights=[85, 8, 7])[0]
                items.append((product, title, price, status))
        for status in ("listed", "draft", "delisted"):
            created += create_listings_bulk(
                actor, shop, [(p, t, price) for p, t, price, s in items if s == status], status=status
            )
    if created:
        # Listed over the past week, as a running shop is: relisting times (PROD-11) then spread out too.
        now = clock.now()
        fresh = list(Listing.objects.filter(status=Listing.Status.LISTED, listed_at__gte=now - dt.timedelta(hours=1)))
        for listing in fresh:
            listing.listed_at = now - dt.timedelta(minutes=rng.randint(30, 7 * 24 * 60 - 30))
        Listing.objects.bulk_update(fresh, ["listed_at"], batch_size=500)
    return created


# Swatch colours for the generated demo photos.
SWATCHES = {
    "黑色": (35, 35, 38),
    "白色": (245, 244, 240),
    "米白": (238, 230, 214),
    "藏青": (32, 45, 84),
    "雾霾蓝": (120, 145, 170),
    "卡其": (190, 165, 120),
    "燕麦色": (214, 200, 178),
    "豆沙粉": (205, 150, 150),
}


def demo_photo(colour: str, seed: int) -> bytes:
    """A plain generated 'product photo' (a garment silhouette in the SKU colour on a studio background)."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    fill = SWATCHES.get(colour, (rng.randint(60, 200), rng.randint(60, 200), rng.randint(60, 200)))
    img = Image.new("RGB", (900, 1200), (242, 239, 234))  # 3:4, as shop photos are
    draw = ImageDraw.Draw(img)
    draw.polygon(
        [(330, 200), (670, 200), (820, 420), (730, 470), (700, 1150), (300, 1150), (270, 470), (180, 420)],
        fill=fill,
        outline=(90, 90, 90),
    )
    draw.ellipse((440, 170, 560, 260), fill=(242, 239, 234))
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def load_images(actor, count: int = 24) -> int:
    """Main and detail photos for the first products (idempotent: products with images are skipped)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .models import ProductImage
    from .services.images import upload_image

    done = 0
    with_images = set(ProductImage.objects.values_list("product_id", flat=True))
    for product in Product.objects.order_by("style_code").prefetch_related("skus")[:count]:
        if product.pk in with_images:
            continue
        colours = list(dict.fromkeys(s.colour for s in product.skus.all() if s.colour))[:2] or [""]
        for n, (kind, colour) in enumerate([("main", colours[0])] + [("detail", c) for c in colours]):
            photo = SimpleUploadedFile(f"demo-{n}.jpg", demo_photo(colour, product.pk * 10 + n), "image/jpeg")
            upload_image(actor, product, photo, kind, annotated=kind == "detail", variant=colour)
        done += 1
    return done


def load_catalog(actor) -> dict:
    """The demo catalogue (idempotent): products and SKUs in a few bulk queries, then a few 组合装."""
    specs = catalog_specs()
    existing = set(
        Product.objects.filter(style_code__in=[s.style_code for s in specs]).values_list("style_code", flat=True)
    )
    missing = [s for s in specs if s.style_code not in existing]
    created = create_products(actor, missing) if missing else []

    # Combos (组合装): two T恤 of different colours, the same size — a bundle the shops sell as 两件装.
    tees = list(
        Product.objects.filter(category__name="T恤", is_active=True)
        .order_by("style_code")
        .prefetch_related("skus")[:12]
    )
    combos = 0
    for product in tees:
        skus = [s for s in product.skus.all() if not s.is_combo and s.size == "M"]
        if len(skus) < 2:
            continue
        code = f"{product.style_code}-ZH2"
        if not Sku.objects.filter(code=code).exists():
            create_combo_sku(actor, product, code, [(skus[0], 1), (skus[1], 1)], label="两件装")
        combos += 1
        if combos >= 4:
            break
    load_listings(actor)
    load_images(actor)
    return {"products": Product.objects.count(), "skus": Sku.objects.count(), "created": len(created)}
