"""Team pages (团队): staff with 工号 and roles, duty chart with unowned duties (TEAM-1, 2, 3)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.core.access import page
from zhanggui.core.errors import DomainError
from zhanggui.core.events import present_event, timeline_for
from zhanggui.core.forms import add_domain_error

from . import services
from .forms import StaffForm
from .models import Duty, Role, Staff
from .selectors import duty_chart, staff_list, unowned_duties


def _visible_staff(request, staff_id):
    scope = None if request.user.all_shops else request.scope.allowed
    return get_object_or_404(staff_list(scope), pk=staff_id)


@page("team.view_staff")
def staff_index(request):
    scope = None if (request.user.all_shops and not request.scope.current) else request.scope.shops
    people = staff_list(scope)
    role = request.GET.get("role")
    if role:
        people = people.filter(groups__role__code=role)
    return render(
        request,
        "team/list.html",
        {
            "people": people,
            "roles": Role.objects.select_related("group"),
            "role": role,
            "unowned_count": unowned_duties().count(),
        },
    )


@page("team.add_staff")
def staff_create(request):
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            staff, password = services.create_staff(
                request.user,
                number=data["number"],
                name=data["name"],
                phone=data["phone"],
                roles=list(data["roles"]),
                shops=data["shops"],
            )
            if data["all_shops"] and not staff.all_shops:
                services.update_staff(request.user, staff, all_shops=True)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return render(request, "team/password.html", {"staff": staff, "password": password})
    return render(request, "team/form.html", {"form": form, "creating": True}, status=400 if form.errors else 200)


@page("team.view_staff")
def staff_detail(request, staff_id: int):
    staff = _visible_staff(request, staff_id)
    form = None
    if request.user.has_perm("team.change_staff"):
        form = StaffForm(
            initial={
                "number": staff.number,
                "name": staff.name,
                "phone": staff.phone,
                "all_shops": staff.all_shops,
                "is_active": staff.is_active,
                "roles": Role.objects.filter(group__in=staff.groups.all()),
                "shops": staff.shops.all(),
            }
        )
        form.fields["number"].disabled = True
    return _render_detail(request, staff, form)


@require_POST
@page("team.change_staff")
def staff_update(request, staff_id: int):
    staff = _visible_staff(request, staff_id)
    form = StaffForm(request.POST)
    form.fields["number"].required = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_staff(
                request.user,
                staff,
                name=data["name"],
                phone=data["phone"],
                roles=list(data["roles"]),
                shops=list(data["shops"]),
                all_shops=data["all_shops"],
                is_active=data["is_active"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved"))
            return redirect("team:detail", staff_id=staff.pk)
    return _render_detail(request, staff, form, status=400)


def _render_detail(request, staff, form, status: int = 200):
    return render(
        request,
        "team/detail.html",
        {
            "staff": staff,
            "form": form,
            "timeline": [present_event(e, request.user) for e in timeline_for(staff)[:50]],
            "locked": services.login_locked(staff),
        },
        status=status,
    )


@require_POST
@page("team.change_staff")
def staff_reset_password(request, staff_id: int):
    staff = _visible_staff(request, staff_id)
    password = services.reset_password(request.user, staff)
    return render(request, "team/password.html", {"staff": staff, "password": password, "reset": True})


@page("team.view_staff")
def duties(request):
    """TEAM-2: every duty with its owners; duties nobody owns are listed first, in red."""
    return render(
        request,
        "team/duties.html",
        {
            "roles": duty_chart(),
            "unowned": unowned_duties(),
            "can_assign": request.user.has_perm("team.change_staff"),
        },
    )


@require_POST
@page("team.change_staff")
def duty_owners(request, duty_id: int):
    duty = get_object_or_404(Duty.objects.select_related("role__group"), pk=duty_id)
    owners = Staff.objects.filter(pk__in=request.POST.getlist("owners"), is_active=True)
    try:
        services.set_duty_owners(request.user, duty, owners)
        messages.success(request, _("Owners of “%(duty)s” saved") % {"duty": duty.title})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("team:duties")


@require_POST
@page("team.change_staff")
def staff_unlock(request, staff_id: int):
    """The manager lifts a 工号's sign-in lock (too many wrong passwords)."""
    staff = _visible_staff(request, staff_id)
    try:
        services.unlock_login(request.user, staff)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Sign-in of %(number)s unlocked") % {"number": staff.number})
    return redirect("team:detail", staff_id=staff.pk)
