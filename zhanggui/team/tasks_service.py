"""Tasks handed to roles by the system (e.g. PUR-4). One obvious place: `assign_to_roles`, `complete`, `open_for`."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from zhanggui.core import clock
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, register_event_kinds

from .models import Duty, Role, Staff, Task

register_event_kinds({"task_done": "完成待办"})


def assign_to_roles(
    actor, role_codes, *, title: str, detail: str = "", url: str = "", source: str = "", rule: str = "", shop=None
) -> list[Task]:
    """One task per role in `role_codes` (e.g. ["editor", "designer"]); a source already tasked for a role is not
    tasked again (a re-posted document does not flood the list)."""
    roles = list(Role.objects.filter(code__in=role_codes))
    missing = set(role_codes) - {r.code for r in roles}
    if missing:
        raise DomainError("no_role", f"角色不存在：{'、'.join(sorted(missing))}", "role")
    created = []
    with transaction.atomic():
        for role in roles:
            if source and Task.objects.filter(source=source, role=role).exists():
                continue
            created.append(
                Task.objects.create(
                    title=title[:120],
                    detail=detail,
                    role=role,
                    url=url,
                    source=source,
                    rule=rule,
                    shop=shop,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
            )
    return created


def assign_to_duty(actor, role_code: str, duty_title: str, items: list[dict], *, rule: str = "") -> list[Task]:
    """One task per item (dict of title, detail, url, source, shop_id) for the owner of a duty (TEAM-2): the first
    active owner (by 工号) who works for the item's shop, else the duty's role as a whole. A source already tasked is
    not tasked again, so calling twice is harmless. Set-based: three queries and one INSERT for any number."""
    role = Role.objects.filter(code=role_code).first()
    if role is None:
        raise DomainError("no_role", f"角色不存在：{role_code}", "role")
    sources = [item["source"] for item in items if item.get("source")]
    done = set(Task.objects.filter(source__in=sources).values_list("source", flat=True)) if sources else set()
    duty = Duty.objects.filter(role=role, title=duty_title).first()
    owners = list(duty.owners.filter(is_active=True).prefetch_related("shops").order_by("number")) if duty else []
    by = actor if getattr(actor, "is_authenticated", False) else None
    tasks, seen = [], set()
    for item in items:
        source = item.get("source", "")
        if source and (source in done or source in seen):
            continue
        seen.add(source)
        shop_id = item.get("shop_id")
        owner = next((o for o in owners if o.all_shops or shop_id in {s.pk for s in o.shops.all()}), None)
        tasks.append(
            Task(
                title=item["title"][:120],
                detail=item.get("detail", ""),
                role=role,
                assignee=owner,
                url=item.get("url", ""),
                source=source,
                rule=rule,
                shop_id=shop_id,
                created_by=by,
            )
        )
    return Task.objects.bulk_create(tasks)


def open_for(user):
    """The open tasks of `user`: given to them, or to one of their roles."""
    if not getattr(user, "is_authenticated", False):
        return Task.objects.none()
    role_ids = Role.objects.filter(group__in=user.groups.all()).values("pk")
    return (
        Task.objects.filter(done_at__isnull=True).filter(Q(assignee=user) | Q(role__in=role_ids)).select_related("role")
    )


def complete(actor: Staff, task: Task, note: str = "") -> Task:
    if task.done_at is not None:
        raise DomainError("task_done", "该待办已完成", "task")
    if not open_for(actor).filter(pk=task.pk).exists():
        raise DomainError("not_your_task", "这不是你的待办", "task")
    task.done_at, task.done_by = clock.now(), actor
    task.save(update_fields=["done_at", "done_by"])
    record_event(actor, task, "task_done", note=note or task.title)
    return task
