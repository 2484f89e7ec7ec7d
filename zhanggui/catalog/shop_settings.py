"""Settings of the catalog (rule 6): defaults from the seeds, each with its rule ID."""

from django.utils.translation import gettext_lazy as _

from zhanggui.core.registry import register_all

from .rules_lifecycle import DEFAULT as LIFECYCLE

# PROD-7 / PROD-8: the thresholds and windows of the role and stage suggestions. Company-wide: products and their
# sales ranks belong to the company, not to one shop. Defaults: rules_lifecycle.Thresholds (the documented values).
_COMPANY = {"scope": "company"}

register_all(
    _("Products and listings"),
    [
        (
            "catalog.title_max_chars",
            _("Title: maximum characters"),
            "int",
            30,
            "PROD-3",
            {"min": 10, "max": 120, "unit": " 字"},
        ),
        (
            "catalog.title_max_bytes",
            _("Title: maximum bytes"),
            "int",
            60,
            "PROD-3",
            {"min": 20, "max": 240, "unit": " 字节", "help": _("A Chinese character counts as two bytes.")},
        ),
        (
            "catalog.peak_windows",
            _("Traffic peaks"),
            "text",
            "09:00-12:00,13:00-17:00,20:00-23:00",
            "PROD-2",
            {"help": _("Comma-separated time windows; listings are suggested before them.")},
        ),
        (
            "catalog.list_lead_minutes",
            _("List this long before a peak (minutes)"),
            "int",
            60,
            "PROD-2",
            {"min": 0, "max": 240, "unit": " 分钟"},
        ),
        (
            "catalog.max_listings_per_slot",
            _("At most this many listings in one 10-minute slot"),
            "int",
            5,
            "PROD-2",
            {"min": 1, "max": 100},
        ),
        (
            "catalog.main_image_width",
            _("Main image width (px)"),
            "int",
            710,
            "PROD-4",
            {"min": 200, "max": 2000, "unit": " px"},
        ),
        (
            "catalog.photo_within_days",
            _("Photograph and list new goods within (days)"),
            "int",
            3,
            "PROD-4",
            {"min": 1, "max": 30, "unit": " 天"},
        ),
        ("catalog.min_detail_images", _("Minimum annotated detail images"), "int", 5, "PROD-4", {"min": 0, "max": 30}),
        ("catalog.watermark_text", _("Watermark text"), "text", "", "PROD-4", {"help": _("Empty: the shop name.")}),
        ("catalog.hero_min", _("Hero items per shop: at least"), "int", 3, "PROD-7", {"min": 0, "max": 20}),
        ("catalog.hero_max", _("Hero items per shop: at most"), "int", 5, "PROD-7", {"min": 1, "max": 20}),
        ("catalog.recommended_max", _("Shop-recommended items: at most"), "int", 6, "PROD-11", {"min": 0, "max": 20}),
        (
            "lifecycle.window_days",
            _("Lifecycle: days of one sales window"),
            "int",
            LIFECYCLE.window,
            "PROD-8",
            {"min": 3, "max": 90, "unit": " 天", **_COMPANY},
        ),
        (
            "lifecycle.maturity_top",
            _("Lifecycle: maturity is the top"),
            "int",
            LIFECYCLE.maturity_top,
            "PROD-8",
            {"min": 1, "max": 100, **_COMPANY},
        ),
        (
            "lifecycle.growth_top",
            _("Lifecycle: growth aims at the top"),
            "int",
            LIFECYCLE.growth_top,
            "PROD-8",
            {"min": 1, "max": 200, **_COMPANY},
        ),
        (
            "lifecycle.stable_drop_percent",
            _("Lifecycle: a drop below this still counts as stable (percent)"),
            "percent",
            round(LIFECYCLE.stable_drop * 100),
            "PROD-8",
            {"min": 0, "max": 100, **_COMPANY},
        ),
        (
            "lifecycle.rising_percent",
            _("Lifecycle: clearly rising from (percent)"),
            "percent",
            round(LIFECYCLE.rising * 100),
            "PROD-8",
            {"min": 1, "max": 1000, **_COMPANY},
        ),
        (
            "lifecycle.steady_days",
            _("Lifecycle: days with sales in the window for steady sales"),
            "int",
            LIFECYCLE.steady_days,
            "PROD-8",
            {"min": 1, "max": 90, "unit": " 天", **_COMPANY},
        ),
        (
            "lifecycle.core_share_percent",
            _("Roles: share making up the core (percent)"),
            "percent",
            round(LIFECYCLE.core_share * 100),
            "PROD-7",
            {"min": 1, "max": 100, **_COMPANY},
        ),
    ],
)
register_all(
    _("Pricing"),
    [
        (
            "pricing.floor_percent",
            _("Price floor (percent of list price)"),
            "percent",
            70,
            "PROD-9",
            {"min": 1, "max": 100, "help": _("Normal sales never below 7折; named events excepted.")},
        ),
        (
            "pricing.floor_exempt_events",
            _("Events where the floor does not apply"),
            "text",
            "双11,双12,618",
            "PROD-9",
            {
                "help": _(
                    "Each event allows it only on its own days (双11: 20 Oct – 11 Nov, 双12: 1–12 Dec, 618: 20 May – "
                    "18 Jun, holidays: the official days off); give another event its days as 店庆:09-01~09-07."
                )
            },
        ),
        (
            "pricing.min_margin_percent",
            _("Warn when the margin over cost is below (percent)"),
            "percent",
            10,
            "PROD-9",
            {"min": 0, "max": 100},
        ),
        ("pricing.group_tiers", _("Group-buy tiers (pieces)"), "text", "10-20,20+", "PROD-9", {}),
        (
            "pricing.first_order_max_sets",
            _("First order of a new style: at most (sets)"),
            "int",
            3,
            "PROD-10",
            # company-wide: a style's first batch is bought from the factory for every shop at once
            {"min": 1, "max": 1000, "scope": "company"},
        ),
    ],
)
