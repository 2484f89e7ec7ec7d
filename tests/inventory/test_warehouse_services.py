"""Warehouses and bins (INV-4): the services."""

import pytest

from zhanggui.core.errors import DomainError
from zhanggui.core.events import timeline_for
from zhanggui.inventory.models import Bin, StockLevel, Warehouse
from zhanggui.inventory.services import warehouses as svc

from .test_stock import make_skus


@pytest.fixture
def keeper(world):
    return world.people["warehouse"]


def test_inv4_first_warehouse_is_default_and_a_new_default_replaces_it(keeper):
    main = svc.create_warehouse(keeper, code="MAIN", name="主仓")
    assert main.is_default
    event = timeline_for(main).get()
    assert event.kind == "created" and event.actor_number == keeper.number
    second = svc.create_warehouse(keeper, code="B2", name="二号仓", is_default=True)
    main.refresh_from_db()
    assert second.is_default and not main.is_default
    with pytest.raises(DomainError) as err:
        svc.create_warehouse(keeper, code="MAIN", name="重复")
    assert err.value.code == "duplicate_code" and err.value.field == "code"
    with pytest.raises(DomainError) as err:
        svc.create_warehouse(keeper, code="bad code!", name="x")
    assert err.value.code == "invalid_code"
    with pytest.raises(DomainError) as err:
        svc.update_warehouse(keeper, second, is_active=False)
    assert err.value.code == "default_inactive"
    assert svc.update_warehouse(keeper, main, is_default=True, address="杭州市余杭区") == ["is_default", "address"]
    assert Warehouse.objects.get(is_default=True) == main


def test_inv4_bins_in_one_insert_all_or_nothing(keeper, django_assert_max_num_queries):
    main = svc.create_warehouse(keeper, code="MAIN", name="主仓")
    rows = [{"code": f"A-01-{n}", "category": "连衣裙", "size_band": "S-M", "position": n} for n in range(30)]
    with django_assert_max_num_queries(8):
        created = svc.create_bins(keeper, main, rows)
    assert len(created) == 30 and Bin.objects.filter(warehouse=main).count() == 30
    for bad, code in [
        ([{"code": "B-1"}, {"code": "b-1"}], "duplicate_bin"),
        ([{"code": "B-2"}, {"code": "A-01-3"}], "bin_exists"),
        ([{"code": "B 3"}], "invalid_code"),
        ([], "required"),
    ]:
        with pytest.raises(DomainError) as err:
            svc.create_bins(keeper, main, bad)
        assert err.value.code == code
    assert Bin.objects.filter(warehouse=main).count() == 30  # nothing of a refused batch was written


def test_inv4_home_bin_of_a_sku(keeper):
    main = svc.create_warehouse(keeper, code="MAIN", name="主仓")
    other = svc.create_warehouse(keeper, code="B2", name="二号仓")
    a_bin, far_bin = (
        svc.create_bins(keeper, main, [{"code": "A-1"}])[0],
        svc.create_bins(keeper, other, [{"code": "Z-9"}])[0],
    )
    (sku,) = make_skus("HB", 1)
    level = svc.set_home_bin(keeper, sku, main, a_bin)
    assert level.home_bin == a_bin and (level.on_hand, level.reserved) == (0, 0)
    assert StockLevel.objects.get(sku=sku, warehouse=main).home_bin == a_bin
    assert timeline_for(main).first().kind == "home_bin"
    with pytest.raises(DomainError) as err:
        svc.set_home_bin(keeper, sku, main, far_bin)
    assert err.value.code == "bin_other_warehouse"
    svc.set_home_bin(keeper, sku, main, None)
    assert StockLevel.objects.get(sku=sku, warehouse=main).home_bin is None
