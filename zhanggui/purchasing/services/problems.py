"""Problems with a purchase (PUR-2): quality, quantity, late, wrong item — reported on the order, and resolved
with what was done and what improves next time. An open problem blocks closing the order."""

from __future__ import annotations

from django.db import transaction

from zhanggui.core import clock
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event

from ..models import Problem
from .orders import State, bump, lock, staff_or_none

PROBLEM_NAMES = {"quality": "质量", "quantity": "数量", "late": "交期延误", "wrong_item": "发错货", "other": "其他"}


def report_problem(actor, order, *, kind: str, description: str, version=None):
    """PUR-2: a problem with the purchase (quality, quantity, late, wrong item); it blocks closing until resolved."""
    description = str(description or "").strip()
    if kind not in Problem.Kind.values:
        raise DomainError("bad_kind", "请选择问题类型", "kind")
    if not description:
        raise DomainError("required", "请描述问题", "description")
    if len(description) > 300:
        raise DomainError("too_long", "问题描述最多 300 个字", "description")
    with transaction.atomic():
        order = lock(order, version)
        if order.state == State.CANCELLED:
            raise DomainError("cancelled", f"采购单 {order.number} 已取消", "state")
        problem = Problem.objects.create(
            order=order, kind=kind, description=description, created_by=staff_or_none(actor)
        )
        bump(order, [])
        record_event(actor, order, "po_problem", to_state=PROBLEM_NAMES[kind], note=description)
    return problem


def resolve_problem(actor, problem, *, resolution: str, version=None):
    """PUR-2: how a problem was solved and what improves next time (required text)."""
    resolution = str(resolution or "").strip()
    if not resolution:
        raise DomainError("required", "请填写解决办法 / 改进措施", "resolution")
    if len(resolution) > 300:
        raise DomainError("too_long", "解决办法最多 300 个字", "resolution")
    with transaction.atomic():
        order = lock(problem.order_id, version)
        problem = order.problems.select_for_update().get(pk=problem.pk)
        if problem.resolved_at:
            raise DomainError("resolved", "这个问题已经解决过了", "resolution")
        problem.resolution, problem.resolved_at = resolution, clock.now()
        problem.save(update_fields=["resolution", "resolved_at"])
        bump(order, [])
        record_event(
            actor,
            order,
            "po_problem",
            from_state=PROBLEM_NAMES.get(problem.kind, problem.kind),
            to_state="已解决",
            note=f"{problem.description} → {resolution}",
        )
    return problem
