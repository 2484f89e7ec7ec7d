"""Warehouses and bins (INV-4): bins per category and size in walk order, each SKU's home bin per warehouse.

Changes are recorded on the warehouse's timeline in the same transaction. Setting a home bin never changes a
quantity, so it needs no ledger entry (INV-2 covers quantities only).
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from zhanggui.catalog.models import Sku
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, register_event_kinds

from ..models import Bin, StockLevel, Warehouse

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$")
WAREHOUSE_FIELDS = ("name", "address", "is_default", "is_active")

register_event_kinds({"bins_added": _("bins added"), "home_bin": _("home bin")})


def _check_code(code: str, what: str) -> str:
    code = (code or "").strip()
    if not CODE.match(code):
        raise DomainError("invalid_code", f"{what}编码“{code}”无效：1–20 位字母、数字、- 或 _", "code")
    return code


def create_warehouse(actor, *, code: str, name: str, address: str = "", is_default: bool = False) -> Warehouse:
    """INV-4: a new warehouse. The first warehouse becomes the default one; a new default replaces the old."""
    code = _check_code(code, "仓库")
    name = (name or "").strip()
    if not name:
        raise DomainError("required", "请填写仓库名称", "name")
    try:
        with transaction.atomic():
            first = not Warehouse.objects.exists()
            if is_default:
                Warehouse.objects.filter(is_default=True).update(is_default=False)
            warehouse = Warehouse.objects.create(
                code=code, name=name, address=(address or "").strip(), is_default=bool(is_default) or first
            )
            record_event(actor, warehouse, "created", to_state=warehouse.name, note="新建仓库")
    except IntegrityError:
        raise DomainError("duplicate_code", f"仓库编码“{code}”已存在", "code") from None
    return warehouse


def update_warehouse(actor, warehouse: Warehouse, **fields) -> list[str]:
    """Change name, address, default or active; returns the changed fields (each on the timeline)."""
    unknown = set(fields) - set(WAREHOUSE_FIELDS)
    if unknown:
        raise ValueError(f"unknown warehouse fields {unknown}")
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            raise DomainError("required", "请填写仓库名称", "name")
    changed = [f for f, v in fields.items() if getattr(warehouse, f) != v]
    if not changed:
        return []
    if fields.get("is_active") is False and fields.get("is_default", warehouse.is_default):
        raise DomainError("default_inactive", "默认仓库不能停用，请先设置其他默认仓库", "is_active")
    with transaction.atomic():
        if fields.get("is_default"):
            Warehouse.objects.filter(is_default=True).exclude(pk=warehouse.pk).update(is_default=False)
        before = {f: getattr(warehouse, f) for f in changed}
        for f in changed:
            setattr(warehouse, f, fields[f])
        warehouse.save(update_fields=changed)
        for f in changed:
            record_event(actor, warehouse, "profile_changed", from_state=before[f], to_state=fields[f], note=f)
    return changed


def create_bins(actor, warehouse: Warehouse, rows) -> list[Bin]:
    """INV-4: add bins to a warehouse in one INSERT. rows: dicts {code, category, size_band, position}.

    Refused as a whole (nothing written) when a code is invalid, repeated, or already used in the warehouse.
    """
    bins, seen = [], set()
    for row in rows:
        code = _check_code(row.get("code", ""), "库位")
        if code.upper() in seen:
            raise DomainError("duplicate_bin", f"库位“{code}”重复", "rows")
        seen.add(code.upper())
        position = row.get("position") or 0
        if not isinstance(position, int) or position < 0:
            raise DomainError("invalid_position", f"库位“{code}”的拣货顺序必须是非负整数", "rows")
        bins.append(
            Bin(
                warehouse=warehouse,
                code=code,
                category=(row.get("category") or "").strip()[:60],
                size_band=(row.get("size_band") or "").strip()[:30],
                position=position,
            )
        )
    if not bins:
        raise DomainError("required", "请至少填写一个库位", "rows")
    taken = [c for c in Bin.objects.filter(warehouse=warehouse).values_list("code", flat=True) if c.upper() in seen]
    if taken:
        raise DomainError("bin_exists", f"库位已存在：{'、'.join(sorted(taken))}", "rows")
    try:
        with transaction.atomic():
            created = Bin.objects.bulk_create(bins)
            record_event(actor, warehouse, "bins_added", note="、".join(b.code for b in bins)[:500])
    except IntegrityError:  # another user added one of them meanwhile
        raise DomainError("bin_exists", "库位已存在，请刷新后重试", "rows") from None
    return created


def set_home_bin(actor, sku, warehouse: Warehouse, bin: Bin | None) -> StockLevel:
    """INV-4: the bin where `sku` is kept in `warehouse` (None clears it). Creates an empty stock level if the
    SKU has none there yet."""
    sku = sku if isinstance(sku, Sku) else Sku.objects.get(pk=sku)
    if sku.is_combo:
        raise DomainError("combo_no_stock", f"组合装 {sku.code} 没有自己的库存，不能设置库位", "sku")
    if bin is not None and bin.warehouse_id != warehouse.pk:
        raise DomainError("bin_other_warehouse", f"库位“{bin.code}”不在{warehouse.name}", "bin")
    with transaction.atomic():
        level, _created = StockLevel.objects.get_or_create(sku=sku, warehouse=warehouse)
        before = level.home_bin.code if level.home_bin_id else ""
        if level.home_bin_id == (bin.pk if bin else None):
            return level
        level.home_bin = bin
        level.save(update_fields=["home_bin", "updated_at"])
        record_event(actor, warehouse, "home_bin", from_state=before, to_state=bin.code if bin else "", note=sku.code)
    return level


def set_home_bins(actor, warehouse: Warehouse, assignments: dict) -> int:
    """INV-4 in bulk (a new warehouse, an imported bin plan): {sku or sku id: bin} in one transaction, the same
    rules as `set_home_bin`; one timeline entry per SKU whose bin changed. Returns how many changed."""
    from zhanggui.core.events import record_events

    from .stock import _ensure_levels

    by_id = {getattr(s, "pk", s): b for s, b in assignments.items()}
    skus = {s.pk: s for s in Sku.objects.filter(pk__in=by_id)}
    problems = [f"组合装 {s.code} 没有自己的库存，不能设置库位" for s in skus.values() if s.is_combo]
    problems += [f"库位“{b.code}”不在{warehouse.name}" for b in by_id.values() if b and b.warehouse_id != warehouse.pk]
    if problems:
        raise DomainError("bad_bins", "；".join(problems[:20]), "bins", problems)
    with transaction.atomic():
        level_ids = _ensure_levels(skus, warehouse.pk)
        levels = StockLevel.objects.select_related("home_bin").in_bulk(level_ids.values())
        changed, events = [], []
        for sku_id, level_pk in level_ids.items():
            level, bin = levels[level_pk], by_id[sku_id]
            if level.home_bin_id == (bin.pk if bin else None):
                continue
            before = level.home_bin.code if level.home_bin_id else ""
            level.home_bin = bin
            changed.append(level)
            events.append((warehouse, "home_bin", before, bin.code if bin else "", skus[sku_id].code))
        StockLevel.objects.bulk_update(changed, ["home_bin"], batch_size=500)
        record_events(actor, events)
    return len(changed)
