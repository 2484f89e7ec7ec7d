"""The benchmarks, in the order `make bench` runs them.

Each name is a module of this package defining ``run() -> Result`` (or a list of them). Modules are imported only after
Django is set up, so this list is also what ``--only`` is checked against before any database is touched.
"""

from dataclasses import dataclass, field

BENCHMARKS = (
    "timeline_write",
    "settings_read",
    "api_customers_list",
    "home_page",
    "catalog_import",
    "catalog_product_list",
    "inventory_reserve",
    "inventory_stock_verify",
    "orders_import",
    "orders_import_xlsx",
    "orders_list",
    "orders_import_facts",
    "analytics_dashboard",
    "fulfilment_labels",
    "fulfilment_review",
    "fulfilment_scan",
    "fulfilment_print",
    "aftersales_refund_import",
    "aftersales_return_scan",
    "reviews_import",
    "aftersales_case_queue",
    "finance_alipay_import",
    "finance_monthly_pnl",
)


@dataclass
class Result:
    """One line of the table and one entry of bench/results.json."""

    name: str
    value: float
    unit: str
    size: str
    baseline: str
    baseline_value: float
    p99: float | None = None  # latency benchmarks: value is the p50, this the p99 (same unit)
    baseline_p99: float | None = None
    notes: list[str] = field(default_factory=list)  # printed only (query counts, checks)
    failed: str = ""  # the benchmark stopped with this error: no figures
    goal: float | None = None  # a rate that should reach this share of its baseline (e.g. 0.5 of the write floor)

    def as_json(self) -> dict:
        entry = {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "size": self.size,
            "baseline": self.baseline,
            "baseline_value": self.baseline_value,
        }
        if self.goal is not None:
            entry["share"] = round(self.value / self.baseline_value, 3) if self.baseline_value else None
            entry["goal"] = self.goal
        if self.failed:
            entry["failed"] = self.failed
        if self.p99 is not None:
            entry["p99"] = self.p99
            entry["baseline_p99"] = self.baseline_p99
        return entry


def load(name: str):
    import importlib

    if name not in BENCHMARKS:
        raise KeyError(name)
    return importlib.import_module(f"bench.{name}")
