"""Export-file builders for the tests: the one generator lives in the package (zhanggui/orders/exportgen.py), so
the demo and the benchmark import files exactly like the tests do (ORD-1)."""

from zhanggui.orders.exportgen import (  # noqa: F401 — the names the tests use
    GENERIC,
    JD_2016,
    JD_2019,
    LINE_DEFAULT,
    PDD_2020,
    PDD_2023,
    TAOBAO_2017,
    TAOBAO_2020,
    TAOBAO_DETAIL,
    TAOBAO_LITE,
    generic_xlsx,
    jd_csv,
    order,
    pdd_csv,
    taobao_pair,
    xlsx_bytes,
)
