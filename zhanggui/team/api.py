"""API for the team: staff with 工号 and roles, duties without owners (TEAM-1, 2, 3)."""

from django.http import Http404
from ninja import Router, Schema, Status

from zhanggui.core.access import allowed_shops
from zhanggui.core.apitools import api_route

from . import services
from .models import Role
from .selectors import staff_list, unowned_duties

router = Router(tags=["team"])


class StaffOut(Schema):
    id: int
    number: str
    name: str
    is_active: bool
    all_shops: bool
    roles: list[str]
    shops: list[str]

    @staticmethod
    def resolve_roles(obj):
        return sorted(g.name for g in obj.groups.all())

    @staticmethod
    def resolve_shops(obj):
        return sorted(s.code for s in obj.shops.all())


class StaffIn(Schema):
    number: str
    name: str
    roles: list[str]
    shops: list[str] = []
    phone: str = ""


class StaffCreated(Schema):
    staff: StaffOut
    password: str


class RoleOut(Schema):
    code: str
    name: str
    permissions: list[str]

    @staticmethod
    def resolve_permissions(obj):
        return sorted(f"{p.content_type.app_label}.{p.codename}" for p in obj.group.permissions.all())


class DutyOut(Schema):
    id: int
    title: str
    role: str

    @staticmethod
    def resolve_role(obj):
        return obj.role.name


def _scope(user):
    return None if user.all_shops else list(allowed_shops(user))


@api_route(router.get, "/staff", perm="team.view_staff", response=list[StaffOut])
def list_staff(request):
    return list(staff_list(_scope(request.user)))


@api_route(router.get, "/staff/{staff_id}", perm="team.view_staff", response=StaffOut)
def get_staff(request, staff_id: int):
    staff = staff_list(_scope(request.user)).filter(pk=staff_id).first()
    if staff is None:
        raise Http404
    return staff


@api_route(router.post, "/staff", perm="team.add_staff", response={201: StaffCreated})
def create_staff(request, payload: StaffIn):
    """Creates a staff member; the first password is returned once."""
    shops = list(allowed_shops(request.user).filter(code__in=payload.shops))
    staff, password = services.create_staff(
        request.user, number=payload.number, name=payload.name, roles=payload.roles, shops=shops, phone=payload.phone
    )
    return Status(201, {"staff": staff, "password": password})


@api_route(router.get, "/roles", perm="team.view_staff", response=list[RoleOut])
def list_roles(request):
    return list(Role.objects.select_related("group").prefetch_related("group__permissions__content_type"))


@api_route(router.get, "/duties/unowned", perm="team.view_staff", response=list[DutyOut])
def list_unowned_duties(request):
    return list(unowned_duties())
