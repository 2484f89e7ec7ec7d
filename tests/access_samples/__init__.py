"""Samples for the access matrix, one module per area (so areas grow without editing one shared file).

Each module defines `build(world, shared) -> dict` (kwarg name → id of an object; objects of shops belong to
shop_a) and optionally `SHOP_BOUND = {...}`: kwargs whose objects belong to a shop, which the outsider (a
colleague of shop_b) must not reach. `shared` holds what is already built (e.g. "product_id", "warehouse_id").
"""

import importlib
import pkgutil


def modules():
    return [importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__)]


def shop_bound() -> set[str]:
    return {name for module in modules() for name in getattr(module, "SHOP_BOUND", ())}


def build_all(world, shared: dict) -> dict:
    extra = {}
    for module in modules():
        built = module.build(world, {**shared, **extra})
        # Two areas using one kwarg name for different objects would silently test the wrong object.
        clash = set(built) & (set(extra) | set(shared))
        assert not clash, f"{module.__name__} reuses the URL kwarg name(s) {sorted(clash)}: give them their own names"
        extra.update(built)
    return extra
