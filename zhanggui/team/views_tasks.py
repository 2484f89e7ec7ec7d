"""我的待办: tasks the system handed to the user's roles or to the user (e.g. PUR-4: a restock differs from the
earlier batch, so the editor and the designer update images, description and price). Everyone signed in sees their
own; marking one done goes through team.tasks_service.complete (which refuses other people's tasks)."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.core.access import page
from zhanggui.core.errors import DomainError

from .models import Role, Task
from .tasks_service import complete, open_for


def _mine(user):
    """Open or done tasks of the user's roles or of the user."""
    role_ids = Role.objects.filter(group__in=user.groups.all()).values("pk")
    return Task.objects.filter(Q(assignee=user) | Q(role__in=role_ids)).select_related("role", "created_by", "done_by")


@page()
def task_list(request):
    """PUR-4 receivers: open tasks first (newest first), the last 50 done ones under their own tab."""
    tab = "done" if request.GET.get("tab") == "done" else "open"
    open_tasks = open_for(request.user).select_related("created_by").order_by("-created_at", "-pk")
    done = _mine(request.user).filter(done_at__isnull=False).order_by("-done_at", "-pk")
    return render(
        request,
        "team/tasks.html",
        {
            "tab": tab,
            "tasks": list(open_tasks[:200]) if tab == "open" else list(done[:50]),
            "open_count": open_tasks.count(),
        },
    )


@require_POST
@page()
def task_done(request, task_id: int):
    """Mark one of my tasks done; someone else's task does not exist for me (404)."""
    task = _mine(request.user).filter(pk=task_id).first()
    if task is None:
        raise Http404
    try:
        complete(request.user, task, note=(request.POST.get("note") or "").strip()[:200])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Task done: %(title)s") % {"title": task.title})
    return redirect("team:tasks")
