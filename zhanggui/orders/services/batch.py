"""The order list's batch actions (ORD-3, ORD-7): flag, approve (审单) and hold many ticked orders at once, all or
nothing — set-based like the 审单 page (states.approve_many / states.hold_many: a fixed number of queries whatever
the count). One refused order (wrong state, changed by someone else meanwhile, another shop's) undoes all, and the
refusal lists every refused order with its reason (DomainError.details)."""

from __future__ import annotations

from django.db import transaction

from zhanggui.core.errors import DomainError

from ..models import Order
from . import remarks, states

ACTIONS = {"flag", "approve", "hold"}


def batch(actor, shops, picked, action: str, *, flag="", note="", carrier="", reason="") -> int:
    """Run `action` on the picked orders [(id, version seen or None)] of `shops` in ONE transaction."""
    if not picked:
        raise DomainError("no_orders", "请先勾选订单", "order")
    if action not in ACTIONS:
        raise DomainError("bad_action", "未知的批量操作", "action")
    versions = dict(picked)
    with transaction.atomic():
        if Order.objects.filter(pk__in=list(versions), shop__in=shops).count() != len(versions):
            raise DomainError("no_order", "部分订单不存在或不在当前店铺，请刷新", "order")
        if action == "flag":
            done, problems = _flag(actor, versions, flag, note, carrier)
        elif action == "approve":
            done, problems = states.approve_many(actor, list(versions), note, versions=versions)
        else:
            done, problems = states.hold_many(actor, list(versions), reason or note, versions=versions)
        if problems:
            transaction.set_rollback(True)
            raise DomainError(
                "batch_refused", f"{len(problems)} 个订单无法处理，全部未执行：{problems[0]}", "order", details=problems
            )
    return len(done)


def _flag(actor, versions: dict, flag, note, carrier) -> tuple[list[Order], list[str]]:
    """ORD-3: colour and remark line on every order (remarks.flag_orders), after the versions seen are checked."""
    orders = list(Order.objects.select_for_update(of=("self",)).filter(pk__in=list(versions)).order_by("pk"))
    problems = []
    for order in orders:
        try:
            states.check_version(order, versions[order.pk])
        except DomainError as exc:
            problems.append(exc.message)
    if not problems:
        remarks.flag_orders(actor, orders, flag, note, carrier)
    return orders, problems
