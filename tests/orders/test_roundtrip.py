"""ORD-1 property: import → export (our generic XLSX template) → re-import changes nothing.

For generated orders (order numbers, amounts, phones, addresses, lines — matched and unmatched 商家编码), the export
of what was imported imports back with created 0, updated 0, unchanged n, and every stored value of every order and
line is identical afterwards.
"""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhanggui.catalog.services.products import create_product
from zhanggui.channels.samples import generic_xlsx
from zhanggui.orders.models import Order, OrderLine
from zhanggui.orders.services.exports import columns, export_orders
from zhanggui.orders.services.imports import import_files
from zhanggui.shops.services import create_shop

pytestmark = pytest.mark.django_db

PLACES = [
    ("浙江省", "杭州市", "西湖区"),
    ("上海市", "上海市", "浦东新区"),
    ("广东省", "深圳市", "南山区"),
    ("四川省", "成都市", "武侯区"),
    ("新疆维吾尔自治区", "乌鲁木齐市", "天山区"),
]
STATUSES = ["待付款", "已付款", "待发货", "已发货", "已签收", "已完成", "已关闭"]
CODES = ["RT-黑-S", "RT-黑-M", "RT-白-S", "RT-白-M", "OLD-没有这个编码"]  # the last one is unmatched (ORD-9)
TEXT = st.text(alphabet="青禾连衣裙黑白红号楼室路街道幢单元ABCxyz0123456789-#（）", max_size=24).map(str.strip)
BEIJING = dt.timedelta(hours=8)


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _when(moment: dt.datetime) -> str:
    return (moment + BEIJING).strftime("%Y-%m-%d %H:%M:%S")


lines = st.lists(
    st.fixed_dictionaries(
        {
            "code": st.sampled_from(CODES),
            "title": TEXT,
            "props": TEXT,
            "price": st.integers(0, 5_000_000).map(_yuan),
            "qty": st.integers(1, 20),
        }
    ),
    min_size=1,
    max_size=3,
)


@st.composite
def orders(draw):
    numbers = draw(
        st.lists(
            st.from_regex(r"[A-Z]{0,2}[0-9]{6,19}(-[0-9]{1,4})?", fullmatch=True), min_size=1, max_size=6, unique=True
        )
    )
    out = []
    for no in numbers:
        created = draw(st.datetimes(dt.datetime(2019, 1, 1), dt.datetime(2026, 11, 1))).replace(microsecond=0)
        province, city, district = draw(st.sampled_from(PLACES))
        status = draw(st.sampled_from(STATUSES))
        out.append(
            {
                "no": no,
                "own_status": status,
                "created": _when(created),
                "paid_at": ""
                if status == "待付款"
                else _when(created + dt.timedelta(minutes=draw(st.integers(0, 999)))),
                "buyer": draw(TEXT),
                "name": draw(TEXT.filter(bool)),
                "phone": draw(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)),
                "province": province,
                "city": city,
                "district": district,
                "street": draw(TEXT),
                "postage": _yuan(draw(st.integers(0, 5_000))),
                "paid": _yuan(draw(st.integers(0, 10_000_000))),
                "message": draw(TEXT),
                "remark": draw(TEXT),
                "carrier": draw(st.sampled_from(["", "中通快递", "顺丰速运"])),
                "tracking": draw(st.from_regex(r"(|[0-9A-Z]{8,16})", fullmatch=True)),
                "lines": draw(lines),
            }
        )
    return out


def snapshot(shop) -> dict:
    """Every stored value of the shop's orders and lines, except the row ids and the bookkeeping times."""
    skip = {"id", "created_at", "updated_at"}
    names = [f.attname for f in Order._meta.concrete_fields if f.attname not in skip]
    line_names = [f.attname for f in OrderLine._meta.concrete_fields if f.attname not in {"id", "order_id"}]
    out = {}
    for order in Order.objects.filter(shop=shop).prefetch_related("lines"):
        out[order.platform_order_no] = (
            {n: getattr(order, n) for n in names},
            [{n: getattr(line, n) for n in line_names} for line in order.lines.all()],
        )
    return out


def test_ord1_export_columns_are_the_generic_template():
    """ORD-1: the export writes exactly the generic format's columns (data/formats.json), so it reads back."""
    from zhanggui.channels.formats.reader import detect

    headers = [h for _f, h in columns()]
    assert detect("own", headers).layout.name == "generic"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=orders())
def test_ord1_import_export_reimport_changes_nothing(world, data):
    """ORD-1: re-importing the export of what was imported: created 0, updated 0, unchanged n, values identical."""
    with transaction.atomic():
        shop = create_shop(None, code="own-rt", platform="own", name="门店")
        create_product(
            world.people["manager"], style_code="RT", name="往返测试裙", colours=["黑", "白"], sizes=["S", "M"]
        )
        actor = world.people["cs"]
        first = import_files(actor, shop, [("orders.xlsx", generic_xlsx(data))])
        assert (first.created, first.failed) == (len(data), 0)
        before = snapshot(shop)
        assert any(o[0]["exc_unmatched"] for o in before.values()) == any(
            line["code"].startswith("OLD") for o in data for line in o["lines"]
        )

        exported = export_orders(shop, Order.objects.filter(shop=shop))
        again = import_files(actor, shop, [("export.xlsx", exported)])

        assert (again.created, again.updated, again.unchanged, again.failed) == (0, 0, len(data), 0)
        assert snapshot(shop) == before
        transaction.set_rollback(True)
