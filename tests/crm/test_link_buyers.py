"""CRM-1: orders create or link their buyers' customers in sets (crm.services.link_buyers)."""

import pytest
from django.db import connection

from zhanggui.crm import services
from zhanggui.crm.models import Customer
from zhanggui.crm.services import Buyer, link_buyers


def _buyer(nick: str, **fields) -> Buyer:
    return Buyer(key=f"nick:{nick}", buyer_nick=nick, **fields)


@pytest.mark.django_db
def test_new_buyers_are_created_and_known_ones_linked(world):
    known = Customer.objects.create(shop=world.shop_a, buyer_key="nick:老客", buyer_nick="老客", name="王五")
    found = link_buyers(world.shop_a.pk, [_buyer("老客", name="改名"), _buyer("新客", name="张三", city="杭州市")])
    assert found["nick:老客"] == known.pk
    new = Customer.objects.get(pk=found["nick:新客"])
    assert (new.shop_id, new.buyer_nick, new.name, new.city) == (world.shop_a.pk, "新客", "张三", "杭州市")
    known.refresh_from_db()
    assert known.name == "王五"  # an existing customer keeps its own data


@pytest.mark.django_db
def test_a_buyer_created_meanwhile_by_another_import_is_linked_not_duplicated(world, monkeypatch):
    """The race: a concurrent import inserts the buyer between our SELECT and our INSERT; the conflict is ignored
    and the other import's customer is the one linked."""
    real_insert = services._insert_new

    def racing(shop_id, buyers):
        Customer.objects.create(shop_id=shop_id, buyer_key="nick:抢先", buyer_nick="抢先")
        return real_insert(shop_id, buyers)

    monkeypatch.setattr(services, "_insert_new", racing)
    found = link_buyers(world.shop_a.pk, [_buyer("抢先"), _buyer("其他")])
    assert Customer.objects.filter(shop=world.shop_a, buyer_key="nick:抢先").count() == 1
    assert found["nick:抢先"] == Customer.objects.get(shop=world.shop_a, buyer_key="nick:抢先").pk
    assert found["nick:其他"] == Customer.objects.get(shop=world.shop_a, buyer_key="nick:其他").pk


@pytest.mark.django_db
def test_long_values_are_cut_to_the_columns(world):
    found = link_buyers(world.shop_a.pk, [_buyer("长", address="路" * 500, city="市" * 50)])
    customer = Customer.objects.get(pk=found["nick:长"])
    assert len(customer.address) == 200 and len(customer.city) == 20


@pytest.mark.django_db
def test_statements_do_not_grow_with_the_number_of_buyers(world, django_assert_max_num_queries):
    many = [_buyer(f"买家{n}") for n in range(500)]
    with django_assert_max_num_queries(3 if connection.vendor == "postgresql" else 4):
        found = link_buyers(world.shop_a.pk, many)
    assert len(found) == 500
