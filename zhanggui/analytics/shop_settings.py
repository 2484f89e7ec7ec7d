"""Settings of the shop diagnosis (DATA-4, rule 6): each rule's threshold, with its rule ID."""

from django.utils.translation import gettext_lazy as _

from zhanggui.core.registry import register_all

register_all(
    _("Data"),
    [
        (
            "analytics.min_pages_per_visit_x10",
            _("Diagnosis: pages per visit below (×0.1)"),
            "int",
            25,
            "DATA-4",
            {"min": 1, "max": 200, "help": _("25 = 2.5 pages per visitor; under it the shop visuals need work.")},
        ),
        (
            "analytics.uv_flat_pct",
            _("Diagnosis: visitors count as flat within (%)"),
            "percent",
            5,
            "DATA-4",
            {"min": 0, "max": 100, "help": _("Visitors changed less than this after paid traffic started.")},
        ),
        (
            "analytics.paid_started_pct",
            _("Diagnosis: paid traffic counts as running from a share of (%)"),
            "percent",
            20,
            "DATA-4",
            {"min": 1, "max": 100},
        ),
        (
            "analytics.max_paid_pct",
            _("Diagnosis: paid traffic share above (%)"),
            "percent",
            50,
            "DATA-4",
            {"min": 1, "max": 100},
        ),
        (
            "analytics.min_free_pct",
            _("Diagnosis: free traffic (search and in-platform) share below (%)"),
            "percent",
            40,
            "DATA-4",
            {"min": 1, "max": 100},
        ),
    ],
)
