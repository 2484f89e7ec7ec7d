"""ORD-6 search, more ways in: the waybill number of a package (fulfilment), pinyin initials of the buyer's or
receiver's name (stored when saved or imported, never computed while searching) and of a product title — also on
the listing and stock searches."""

import importlib
import re

import pytest
from django.apps import apps

from zhanggui.catalog.models import Listing, Product
from zhanggui.core.pinyin import person_initials
from zhanggui.fulfilment.models import Package
from zhanggui.orders.models import Order
from zhanggui.orders.services import edits, manual, states

from .pages_setup import orders_world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def listed(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-order="(\d+)"', response.content.decode())]


def test_person_initials_read_family_names_as_names():
    assert person_initials("张三丰") == "zsf"
    assert person_initials("单田芳") == "stf"  # 单 as a family name is shàn (data/surname_initials.json)
    assert person_initials("tb_王小") == "tbwx"
    assert person_initials("Lily") == ""  # nothing Chinese: searched as it is


def test_imported_orders_carry_the_initials_of_buyer_and_receiver(orders_world):
    order = orders_world.orders["100000000000003"]  # buyer tb_张三, receiver 张三
    assert (order.receiver_initials, order.buyer_initials) == ("zs", "tbzs")


def test_ord6_search_by_pinyin_initials_of_receiver_and_buyer(orders_world, client_for):
    w = orders_world
    c = client_for(w.people["cs"])
    assert listed(c.get("/orders/?q=zs")) == [w.orders["100000000000003"].pk]  # 张三
    assert listed(c.get("/orders/?q=WX")) == [w.orders["100000000000001"].pk]  # 王小, any case
    assert listed(c.get("/orders/?q=tble")) == [w.orders["100000000000002"].pk]  # buyer tb_李二
    assert listed(c.get("/orders/?q=qq")) == []
    assert listed(c.get("/orders/?q=sh")) == []  # two letters are a person, not inside a title (碎花连衣裙 → shlyq)


def test_ord6_search_by_pinyin_initials_of_a_product_title(orders_world, client_for):
    w = orders_world
    assert Product.objects.get(style_code="D").name_initials == "shlyq"  # 碎花连衣裙, stored by the catalog
    found = listed(client_for(w.people["cs"]).get("/orders/?q=lyq"))
    assert sorted(found) == sorted([w.orders["100000000000001"].pk, w.orders["100000000000002"].pk])


def test_ord6_search_by_the_waybill_number_of_a_package(orders_world, client_for):
    w = orders_world
    order = w.orders["100000000000001"]
    states.approve(w.people["cs"], order)  # 审单 creates the package (fulfilment)
    package = Package.objects.get(order=order)
    Package.objects.filter(pk=package.pk).update(waybill_no="YT7700112233")
    c = client_for(w.people["cs"])
    assert listed(c.get("/orders/?q=YT7700112233")) == [order.pk]
    assert listed(client_for(w.outsider).get("/orders/?q=YT7700112233")) == []  # another team's shop


def test_manual_orders_and_address_edits_keep_the_initials(orders_world):
    w = orders_world
    sku = Product.objects.get(style_code="D").skus.order_by("code").first()
    order = manual.create_manual_order(
        w.people["cs"],
        w.shop_a,
        receiver_name="单田芳",
        receiver_phone="13800001111",
        address="浙江省杭州市西湖区文三路 1 号",
        buyer_nick="曾小贤",
        lines=[(sku, 1, 9900)],
    )
    assert (order.receiver_initials, order.buyer_initials) == ("stf", "zxx")
    edits.change_address(
        w.people["cs"], order, name="欧阳娜娜", phone="13800001111", address="浙江省杭州市西湖区文三路 2 号"
    )
    order.refresh_from_db()
    assert order.receiver_initials == "oynn"


def test_the_migration_fills_the_initials_of_stored_orders(orders_world):
    Order.objects.update(receiver_initials="", buyer_initials="")
    migration = importlib.import_module("zhanggui.orders.migrations.0007_name_initials")
    migration.backfill(apps, None)
    order = Order.objects.get(pk=orders_world.orders["100000000000002"].pk)
    assert (order.receiver_initials, order.buyer_initials) == ("le", "tble")


def test_listing_search_takes_pinyin_initials_of_the_product_title(orders_world, client_for):
    w = orders_world
    dress = Product.objects.get(style_code="D")
    listing = Listing.objects.create(shop=w.shop_a, product=dress, title="夏季新款女装", price_fen=9900)
    c = client_for(w.people["manager"])
    html = c.get("/products/listings/?q=lyq").content.decode()
    assert f'data-listing="{listing.pk}"' in html
    assert f'data-listing="{listing.pk}"' not in c.get("/products/listings/?q=xyz").content.decode()


def test_stock_search_takes_pinyin_initials_of_the_product_title(orders_world, client_for):
    w = orders_world
    c = client_for(w.people["manager"])
    html = c.get("/stock/?q=shlyq").content.decode()
    assert len(re.findall(r'data-level="\d+"', html)) == 4  # the dress's four SKUs in the main warehouse
    assert not re.findall(r'data-level="\d+"', c.get("/stock/?q=xyz").content.decode())
