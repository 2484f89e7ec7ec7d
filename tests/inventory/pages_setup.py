"""A small stock world shared by the page and API tests: two warehouses, bins, six SKUs in known states.

Levels in 主仓 (default): D-黑-S 20 (5 reserved), D-黑-M 3 (low), D-黑-L 0 (home bin only: out of stock),
D-白-S 12, D-白-M 5 (low, at the threshold), D-白-L 40; 分仓: D-黑-S 7. A T恤 product adds T-灰-M 2 (low).
"""

from dataclasses import dataclass

import pytest

from zhanggui.catalog.services.products import create_product
from zhanggui.inventory.services import stock as svc
from zhanggui.inventory.services import warehouses as wh_svc


@dataclass
class StockWorld:
    keeper: object
    main: object
    branch: object
    skus: dict
    tee: object
    bins: dict


@pytest.fixture
def stock_world(world):
    keeper = world.people["warehouse"]
    main = wh_svc.create_warehouse(keeper, code="MAIN", name="主仓", is_default=True)
    branch = wh_svc.create_warehouse(keeper, code="SUB", name="分仓")
    bins = {
        b.code: b
        for b in wh_svc.create_bins(
            keeper,
            main,
            [
                {"code": "A-01", "category": "连衣裙", "size_band": "S-M", "position": 10},
                {"code": "A-02", "category": "连衣裙", "size_band": "L-XL", "position": 20},
            ],
        )
    }
    dress = create_product(
        keeper, style_code="D", name="碎花连衣裙", colours=["黑", "白"], sizes=["S", "M", "L"], category="女装/连衣裙"
    )
    skus = {s.code: s for s in dress.skus.all()}
    for code, qty in {"D-黑-S": 20, "D-黑-M": 3, "D-白-S": 12, "D-白-M": 5, "D-白-L": 40}.items():
        svc.receive_stock(keeper, skus[code], main, qty, document="QC-1", reason="opening")
    wh_svc.set_home_bin(keeper, skus["D-黑-L"], main, bins["A-02"])  # a level at 0
    svc.receive_stock(keeper, skus["D-黑-S"], branch, 7, document="RK-9", reason="receipt")
    svc.reserve("order-line:1", [(skus["D-黑-S"], 5)], warehouse=main, actor=keeper)
    tee_product = create_product(keeper, style_code="T", name="纯棉T恤", colours=["灰"], sizes=["M"], category="T恤")
    tee = tee_product.skus.get()
    svc.receive_stock(keeper, tee, main, 2, document="QC-1", reason="opening")
    return StockWorld(keeper=keeper, main=main, branch=branch, skus=skus, tee=tee, bins=bins)
