"""Read models of the workbench (工作台): a home page per role (ui.md "Home per role") — real figures from the
database for the shops in view (SHOP-1), nothing invented.

Each role opens on what it must do now: the manager on the day's sales per shop beside every queue
(workbench.selectors.manager), the others on their own queues (workbench.selectors.work). A person with several
roles (TEAM-2) sees the union, each queue once; a figure whose page the person may not open is not shown."""

from __future__ import annotations

from zhanggui.core import clock
from zhanggui.core.access import has_access
from zhanggui.team.models import Role
from zhanggui.team.tasks_service import open_for

from . import manager, work
from .blocks import Block, visible

MANAGER = "manager"
# The blocks of each role's home besides 我的待办 (everyone): which questions the role answers every day.
WORK_BLOCKS = {
    "warehouse": lambda user, scope, roles, today: work.warehouse(scope.shops),
    "finance": lambda user, scope, roles, today: work.finance(scope.shops, today),
    "editor": lambda user, scope, roles, today: work.editor(scope.shops),
    "designer": lambda user, scope, roles, today: work.designer(scope.shops, scope.current),
    "marketing": lambda user, scope, roles, today: work.marketing(scope.shops),
    "cs": lambda user, scope, roles, today: work.aftersales(user, scope.shops),  # AS-6: the 售后 queues
}


def roles_of(user) -> set[str]:
    """The codes of the person's roles (TEAM-1); an administrator without a role sees the manager's home."""
    codes = set(Role.objects.filter(group__in=user.groups.all()).values_list("code", flat=True))
    if user.is_superuser and not codes:
        codes = {MANAGER}
    return codes


def home_context(user, scope) -> dict:
    """Everything the home page shows for `user` over the shops of `scope` (the shop switcher)."""
    shops = scope.shops
    today = clock.today()
    roles = roles_of(user)
    seen: set[str] = set()
    context = {"roles": sorted(roles), "calendar_missing": calendar_missing(user, today)}

    sales = None
    tiles: list[Block] = []
    side: list[Block] = []
    if MANAGER in roles:
        if has_access(user, manager.ORDERS):
            sales = manager.sales(shops, today)
            tiles.append(manager.sales_tiles(sales))
        side = [manager.order_queues(shops), manager.at_risk(shops), manager.duties(), manager.checklists(shops)]
        context["activity"] = manager.activity(user, shops, today)
    tiles = visible(user, tiles, seen)
    side = visible(user, side, seen)

    work_blocks = []
    if roles - {MANAGER} and has_access(user, manager.ORDERS):
        work_blocks.append(work.my_orders(user, shops, roles))
    work_blocks += [build(user, scope, roles, today) for code, build in WORK_BLOCKS.items() if code in roles]
    tiles += visible(user, work_blocks, seen)

    tasks = open_for(user)
    context.update(
        {
            "sales": sales,
            "tiles": tiles,
            "side": side,
            # 我的待办 (PUR-4, SHIP-2 missing goods …): the five newest open ones, the count links to all.
            "my_tasks": list(tasks.order_by("-created_at", "-pk")[:5]),
            "my_tasks_count": tasks.count(),
        }
    )
    return context


def calendar_missing(user, today) -> int | None:
    """The year whose official holidays are unknown (this year, or the coming one from November, when the State
    Council has usually published it), for the manager who can enter them; None when all is known."""
    if not has_access(user, "core.change_company_settings"):
        return None
    for year in (today.year, today.year + 1 if today.month >= 11 else None):
        if year and not clock.calendar_known(year):
            return year
    return None
