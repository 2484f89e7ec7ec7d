"""The maintained list of after-sales reasons per case type (AS-2). Seeded from data/reasons.json on migrate (a
reason already there is left as the manager left it); the manager adds reasons and retires them. A retired reason
stays on the cases that used it but is no longer offered."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Max

from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, register_event_kinds

from ..models import Case, Reason
from .cases import kind_label

DATA = Path(__file__).resolve().parent.parent / "data" / "reasons.json"
NAME_MAX = 40

register_event_kinds({"reason_added": "新增售后原因", "reason_changed": "售后原因启用/停用"})


def load_reasons() -> int:
    """Create the starting reasons that are missing (idempotent); returns how many were created."""
    spec = json.loads(DATA.read_text(encoding="utf-8"))["reasons"]
    have = set(Reason.objects.values_list("kind", "name"))
    rows = [
        Reason(kind=kind, name=name, position=position)
        for kind, names in spec.items()
        for position, name in enumerate(names, start=1)
        if (kind, name) not in have
    ]
    Reason.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def add_reason(actor, kind: str, name: str) -> Reason:
    """A new reason at the end of the type's list (a retired one with that name comes back into use)."""
    if kind not in Case.Kind.values:
        raise DomainError("bad_kind", "请选择售后类型", "kind")
    name = str(name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise DomainError("bad_reason", f"原因应为 1–{NAME_MAX} 个字", "name")
    with transaction.atomic():
        existing = Reason.objects.filter(kind=kind, name=name).first()
        if existing is not None:
            if existing.is_active:
                raise DomainError("duplicate_reason", f"“{kind_label(kind)}”已有原因“{name}”", "name")
            return set_reason_active(actor, existing, True)
        position = (Reason.objects.filter(kind=kind).aggregate(m=Max("position"))["m"] or 0) + 1
        try:
            with transaction.atomic():
                reason = Reason.objects.create(kind=kind, name=name, position=position)
        except IntegrityError:
            raise DomainError("duplicate_reason", f"“{kind_label(kind)}”已有原因“{name}”", "name") from None
        record_event(actor, reason, "reason_added", to_state=name, note=kind_label(kind))
    return reason


def set_reason_active(actor, reason: Reason, active: bool) -> Reason:
    """Retire a reason (no longer offered) or bring it back."""
    if reason.is_active == bool(active):
        return reason
    Reason.objects.filter(pk=reason.pk).update(is_active=bool(active))
    reason.is_active = bool(active)
    record_event(
        actor,
        reason,
        "reason_changed",
        from_state="停用" if active else "启用",
        to_state="启用" if active else "停用",
        note=f"{kind_label(reason.kind)}：{reason.name}",
    )
    return reason
