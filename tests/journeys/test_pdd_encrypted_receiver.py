"""Journey (SHIP-1, TEAM-5): a Pinduoduo order whose receiver the platform encrypts — the 2023 export keeps only
省/市/区/街道, the API sends 密文 and 打码 twins — is imported, flagged in 审单 as needing the platform's own
e-waybill (拼多多电子面单), and never printed on our own label: the print batch and the label document refuse it
in Chinese. The same order from the 2020 export (full receiver) is clean and prints."""

import pytest

from tests.fulfilment.test_packages import package_of
from tests.journeys.floor import shop_floor
from zhanggui.channels import samples, waybills
from zhanggui.core.errors import DomainError
from zhanggui.fulfilment.models import Package
from zhanggui.fulfilment.services import documents, printing, review
from zhanggui.orders.models import Order
from zhanggui.orders.services import imports
from zhanggui.shops.services import create_shop

NEEDS_PDD_WAYBILL = "收件人信息已加密，需用拼多多电子面单打单"


@pytest.fixture
def pdd_shop(world):
    shop_floor(world)
    return create_shop(None, code="pdd-c", platform="pdd", name="丙店")


def import_pdd(world, shop, no: str, version: str) -> Order:
    row = samples.order(no=no, status="待发货", lines=[{"code": "D-黑-S", "qty": 1}], street="文三路 100 号")
    data = samples.pdd_csv([row], version=version)
    imports.import_files(world.people["manager"], shop, [("拼多多订单.csv", data)])
    return Order.objects.get(shop=shop, platform_order_no=no)


def approve(world, order) -> Package:
    review.approve_orders(world.people["manager"], [f"{order.pk}:{order.version}"])
    return package_of(order)


def test_a_pdd_2023_order_is_flagged_in_review_and_never_printed_on_our_label(world, pdd_shop):
    """SHIP-1, TEAM-5: the 2023 export has no receiver name, phone or detailed address: 审单 names the platform
    e-waybill, automatic review leaves it, and after a person approves it neither the print batch nor the label
    document draws it."""
    order = import_pdd(world, pdd_shop, "261207-100000000000001", "2023")
    assert order.state == Order.State.TO_REVIEW and not order.receiver_name and order.province
    assert NEEDS_PDD_WAYBILL in review.reasons([order.pk])[order.pk]
    assert review.auto_review(world.people["manager"], pdd_shop, force=True) == {"approved": 0, "waiting": 1}
    package = approve(world, order)
    with pytest.raises(DomainError) as err:
        printing.print_batch(world.people["manager"], [package.pk])
    assert "请用拼多多电子面单打单" in err.value.details[0] and order.platform_order_no in err.value.details[0]
    package.refresh_from_db()
    assert package.state == Package.State.TO_PRINT and not package.waybill_no
    package.waybill_no = "2680000000999"  # even with a number, our label is never drawn for it
    with pytest.raises(DomainError) as err:
        documents.build_labels([package])
    assert err.value.code == "platform_waybill" and "拼多多电子面单" in err.value.message


def test_a_pdd_order_with_its_full_receiver_prints_on_our_label(world, pdd_shop):
    """The 2020 export carries 收货人, 手机 and 街道: nothing to flag, the label prints."""
    order = import_pdd(world, pdd_shop, "261207-100000000000002", "2020")
    assert order.receiver_name and NEEDS_PDD_WAYBILL not in review.reasons([order.pk])[order.pk]
    package = approve(world, order)
    result = printing.print_batch(world.people["manager"], [package.pk])
    assert [p.pk for p in result.printed] == [package.pk]
    assert documents.build_labels(result.printed)[0].receiver_address.endswith("文三路 100 号")


@pytest.mark.parametrize(
    ("platform", "name", "phone", "province", "detail", "service"),
    [
        ("pdd", "王小明", "13912345678", "浙江省", "文三路 100 号", ""),
        ("pdd", "", "", "浙江省", "", "拼多多电子面单"),  # the 2023 export
        ("pdd", "王*", "139****5678", "浙江省", "文三路**", "拼多多电子面单"),  # the API's 打码 twins
        ("pdd", "~AgAAAAEGwjQFPR0Z~0~", "~AgAAAAEGwjQF~0~", "浙江省", "~AgAAAAEG~0~", "拼多多电子面单"),  # 密文
        ("pdd", "王小明", "13912345678", "****", "文三路 100 号", "拼多多电子面单"),  # 省 masked
        ("taobao", "王*", "139****5678", "浙江省", "文三路 100 号", ""),  # Taobao: not PDD's rule
    ],
)
def test_what_counts_as_an_encrypted_pdd_receiver(platform, name, phone, province, detail, service):
    """platform-formats §1.6, §2.5: missing, masked or ciphertext receiver fields of a PDD order."""
    found = waybills.platform_waybill(platform, name=name, phone=phone, province=province, detail=detail)
    assert found == service
