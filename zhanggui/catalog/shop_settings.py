"""Settings of the catalog (rule 6): defaults from the seeds, each with its rule ID."""

from django.utils.translation import gettext_lazy as _

from zhanggui.core.registry import register

LISTING = _("Products and listings")

register(
    "catalog.title_max_chars",
    label=_("Title: maximum characters"),
    kind="int",
    default=30,
    rule="PROD-3",
    group=LISTING,
    min=10,
    max=120,
    unit=" 字",
)
register(
    "catalog.title_max_bytes",
    label=_("Title: maximum bytes"),
    kind="int",
    default=60,
    rule="PROD-3",
    group=LISTING,
    min=20,
    max=240,
    unit=" 字节",
    help=_("A Chinese character counts as two bytes."),
)
register(
    "catalog.peak_windows",
    label=_("Traffic peaks"),
    kind="text",
    default="09:00-12:00,13:00-17:00,20:00-23:00",
    rule="PROD-2",
    group=LISTING,
    help=_("Comma-separated time windows; listings are suggested before them."),
)
register(
    "catalog.list_lead_minutes",
    label=_("List this long before a peak (minutes)"),
    kind="int",
    default=60,
    rule="PROD-2",
    group=LISTING,
    min=0,
    max=240,
    unit=" 分钟",
)
register(
    "catalog.max_listings_per_slot",
    label=_("At most this many listings in one 10-minute slot"),
    kind="int",
    default=5,
    rule="PROD-2",
    group=LISTING,
    min=1,
    max=100,
)
register(
    "catalog.main_image_width",
    label=_("Main image width (px)"),
    kind="int",
    default=710,
    rule="PROD-4",
    group=LISTING,
    min=200,
    max=2000,
    unit=" px",
)
register(
    "catalog.photo_within_days",
    label=_("Photograph and list new goods within (days)"),
    kind="int",
    default=3,
    rule="PROD-4",
    group=LISTING,
    min=1,
    max=30,
    unit=" 天",
)
register(
    "catalog.min_detail_images",
    label=_("Minimum annotated detail images"),
    kind="int",
    default=5,
    rule="PROD-4",
    group=LISTING,
    min=0,
    max=30,
)
register(
    "catalog.watermark_text",
    label=_("Watermark text"),
    kind="text",
    default="",
    rule="PROD-4",
    group=LISTING,
    help=_("Empty: the shop name."),
)
register(
    "catalog.hero_min",
    label=_("Hero items per shop: at least"),
    kind="int",
    default=3,
    rule="PROD-7",
    group=LISTING,
    min=0,
    max=20,
)
register(
    "catalog.hero_max",
    label=_("Hero items per shop: at most"),
    kind="int",
    default=5,
    rule="PROD-7",
    group=LISTING,
    min=1,
    max=20,
)
register(
    "catalog.recommended_max",
    label=_("Shop-recommended items: at most"),
    kind="int",
    default=6,
    rule="PROD-11",
    group=LISTING,
    min=0,
    max=20,
)

PRICING = _("Pricing")
register(
    "pricing.floor_percent",
    label=_("Price floor (percent of list price)"),
    kind="percent",
    default=70,
    rule="PROD-9",
    group=PRICING,
    min=1,
    max=100,
    help=_("Normal sales never below 7折; named events excepted."),
)
register(
    "pricing.floor_exempt_events",
    label=_("Events where the floor does not apply"),
    kind="text",
    default="双11,双12,618",
    rule="PROD-9",
    group=PRICING,
)
register(
    "pricing.min_margin_percent",
    label=_("Warn when the margin over cost is below (percent)"),
    kind="percent",
    default=10,
    rule="PROD-9",
    group=PRICING,
    min=0,
    max=100,
)
register(
    "pricing.group_tiers",
    label=_("Group-buy tiers (pieces)"),
    kind="text",
    default="10-20,20+",
    rule="PROD-9",
    group=PRICING,
)
register(
    "pricing.first_order_max_sets",
    label=_("First order of a new style: at most (sets)"),
    kind="int",
    default=3,
    rule="PROD-10",
    group=PRICING,
    min=1,
    max=1000,
)
