"""Roles as permission groups (TEAM-1), several roles per person and an owner for every duty (TEAM-2), staff with
a 工号 recorded on every write (TEAM-3)."""

import json
import re

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission

from zhanggui.core.errors import DomainError
from zhanggui.core.events import timeline_for
from zhanggui.core.models import Event
from zhanggui.team import services
from zhanggui.team.models import Duty, Role, Staff
from zhanggui.team.selectors import unowned_duties

CJK = re.compile(r"[\u4e00-\u9fff]")
ROLES = json.loads(services.ROLES_FILE.read_text(encoding="utf-8"))["roles"]
ROLE_CODES = {"manager", "cs", "designer", "editor", "marketing", "warehouse", "finance", "client"}  # client: DATA-6


def own_permissions():
    labels = [c.label for c in apps.get_app_configs() if c.name.startswith("zhanggui.")]
    perms = Permission.objects.filter(content_type__app_label__in=labels).select_related("content_type")
    return {f"{p.content_type.app_label}.{p.codename}" for p in perms}


def duty(role_code, title_part=""):
    return Duty.objects.filter(role__code=role_code, title__contains=title_part).order_by("position").first()


# --- TEAM-1: roles -------------------------------------------------------------------------------------------


def test_sync_roles_creates_the_seven_role_groups_TEAM_1(db):
    Role.objects.all().delete()
    Group.objects.all().delete()
    services.sync_roles()
    services.sync_roles()  # idempotent
    assert set(Role.objects.values_list("code", flat=True)) == ROLE_CODES
    assert Group.objects.count() == 8  # the seven of TEAM-1 and the agency's client login (DATA-6)
    assert set(Group.objects.values_list("name", flat=True)) == {r["name"] for r in ROLES}
    assert list(Role.objects.values_list("code", flat=True)) == [r["code"] for r in ROLES]  # chart order
    for spec in ROLES:
        assert set(Duty.objects.filter(role__code=spec["code"]).values_list("title", flat=True)) == set(spec["duties"])


def test_sync_roles_restores_a_tampered_permission_set_TEAM_1(db):
    services.sync_roles()
    group = Role.objects.get(code="warehouse").group
    group.permissions.add(Permission.objects.get(codename="view_buyer_pii"))
    services.sync_roles()
    assert not group.permissions.filter(codename="view_buyer_pii").exists()


def test_manager_has_every_permission_of_our_apps_TEAM_1(world):
    manager = Staff.objects.get(pk=world.people["manager"].pk)
    perms = own_permissions()
    assert {"crm.view_buyer_pii", "crm.export_buyer_pii", "shops.change_shop_settings", "team.add_staff"} <= perms
    missing = [p for p in perms if not manager.has_perm(p)]
    assert missing == []
    assert manager.all_shops


def test_warehouse_does_not_see_buyer_personal_data_TEAM_1_TEAM_5(world):
    warehouse = world.people["warehouse"]
    assert warehouse.has_perm("crm.view_customer")
    assert not warehouse.has_perm("crm.view_buyer_pii")
    assert not warehouse.has_perm("crm.export_buyer_pii")


@pytest.mark.parametrize("role", ["cs", "designer", "editor", "marketing", "warehouse", "finance"])
def test_only_the_manager_changes_shops_settings_and_staff_TEAM_1(world, role):
    """Each role sees and changes only what its duties need; the team and the shop set-up are the manager's."""
    person = world.people[role]
    for perm in (
        "shops.add_shop",
        "shops.change_shop",
        "shops.change_shop_settings",
        "team.add_staff",
        "team.change_staff",
        "crm.export_buyer_pii",
    ):
        assert not person.has_perm(perm), (role, perm)
    assert person.has_perm("shops.view_shop")
    assert not person.all_shops


def test_only_customer_service_and_the_manager_see_buyer_data_TEAM_5(world):
    holders = {code for code, person in world.people.items() if person.has_perm("crm.view_buyer_pii")}
    assert holders == {"manager", "cs"}


# --- TEAM-3: staff -------------------------------------------------------------------------------------------


def test_create_staff_with_several_roles_TEAM_2_TEAM_3(world):
    manager = world.people["manager"]
    staff, password = services.create_staff(
        manager, number="B001", name="李娜", roles=["cs", "designer"], shops=[world.shop_a], phone=" 13900000001 "
    )
    assert staff.check_password(password)
    assert len(password) >= 8
    assert set(staff.groups.values_list("role__code", flat=True)) == {"cs", "designer"}
    assert list(staff.shops.all()) == [world.shop_a]
    assert staff.phone == "13900000001"
    assert not staff.all_shops
    event = timeline_for(staff).get(kind="created")
    assert event.actor_number == manager.number
    assert "美工" in event.to_state


def test_roles_are_accepted_by_chinese_name_TEAM_1(world):
    staff, _pw = services.create_staff(None, number="B002", name="王五", roles=["店长"])
    assert list(staff.groups.values_list("role__code", flat=True)) == ["manager"]
    assert staff.all_shops  # the manager sees every shop
    staff, _pw = services.create_staff(None, number="B003", name="赵六", roles=["客服", "库管/配送"])
    assert set(staff.groups.values_list("role__code", flat=True)) == {"cs", "warehouse"}
    assert [r.code for r in services.find_roles(["美工", "编辑", "推广", "财务"])] == [
        "designer",
        "editor",
        "marketing",
        "finance",
    ]


def test_duplicate_staff_number_is_refused_TEAM_3(world):
    before = Staff.objects.count()
    with pytest.raises(DomainError) as info:
        services.create_staff(None, number="T001", name="重复", roles=["cs"])
    assert info.value.code == "duplicate_number"
    assert info.value.field == "number"
    assert "T001" in info.value.message
    assert Staff.objects.count() == before


@pytest.mark.parametrize("number", ["", "X", "工号1", "a b", "x" * 17])
def test_invalid_staff_number_is_refused_TEAM_3(world, number):
    with pytest.raises(DomainError) as info:
        services.create_staff(None, number=number, name="某人", roles=["cs"])
    assert info.value.code == "invalid_number"


def test_unknown_role_is_refused_with_the_list_of_roles_TEAM_1(world):
    with pytest.raises(DomainError) as info:
        services.create_staff(None, number="B004", name="某人", roles=["客服", "老板"])
    error = info.value
    assert error.code == "unknown_role"
    assert "老板" in error.message
    for spec in ROLES:
        assert spec["code"] in error.message
        assert spec["name"] in error.message
    assert not Staff.objects.filter(number="B004").exists()


def test_a_staff_member_needs_a_role_and_a_name_TEAM_1(world):
    with pytest.raises(DomainError) as info:
        services.create_staff(None, number="B005", name="某人", roles=[])
    assert info.value.code == "required"
    with pytest.raises(DomainError) as info:
        services.create_staff(None, number="B005", name=" ", roles=["cs"])
    assert info.value.code == "required"
    assert not Staff.objects.filter(number="B005").exists()


def test_update_staff_records_every_change_with_the_actors_number_TEAM_3(world):
    manager = world.people["manager"]
    designer = world.people["designer"]
    services.update_staff(
        manager,
        designer,
        name="测试美工二",
        roles=["designer", "editor"],
        shops=[world.shop_a, world.shop_b],
        is_active=False,
    )
    designer.refresh_from_db()
    assert designer.name == "测试美工二"
    assert not designer.is_active
    kinds = {e.kind: e for e in timeline_for(designer).exclude(kind="created")}
    assert set(kinds) == {"profile_changed", "roles_changed", "shops_changed", "status"}
    assert all(e.actor_number == manager.number for e in kinds.values())
    assert "编辑" in kinds["roles_changed"].to_state
    assert "编辑" not in kinds["roles_changed"].from_state


def test_nobody_deactivates_themselves(world):
    manager = world.people["manager"]
    with pytest.raises(DomainError) as info:
        services.update_staff(manager, manager, is_active=False)
    assert info.value.code == "self_deactivate"
    manager.refresh_from_db()
    assert manager.is_active


def test_password_reset_is_recorded_but_the_password_is_not_TEAM_3(world):
    manager, cs = world.people["manager"], world.people["cs"]
    password = services.reset_password(manager, cs)
    cs.refresh_from_db()
    assert cs.check_password(password)
    event = timeline_for(cs).get(kind="password_reset")
    assert event.actor_number == manager.number
    assert password not in f"{event.note}{event.from_state}{event.to_state}{event.data}"


# --- TEAM-2: duties ------------------------------------------------------------------------------------------


def test_every_duty_without_an_active_owner_is_listed_TEAM_2(world):
    assert set(unowned_duties()) == set(Duty.objects.all())  # nobody owns anything yet


def test_owning_a_duty_takes_it_off_the_list_and_deactivating_the_owner_puts_it_back_TEAM_2(world):
    manager, warehouse = world.people["manager"], world.people["warehouse"]
    shipping = duty("warehouse", "发货")
    services.set_duty_owners(manager, shipping, [warehouse])
    assert shipping not in unowned_duties()
    assert duty("warehouse", "盘点") in unowned_duties()  # the other warehouse duties still need owners

    services.update_staff(manager, warehouse, is_active=False)
    assert shipping in unowned_duties()


def test_a_duty_with_one_of_two_owners_gone_is_still_owned_TEAM_2(world):
    manager = world.people["manager"]
    second, _pw = services.create_staff(manager, number="B010", name="第二库管", roles=["warehouse"])
    shipping = duty("warehouse", "发货")
    services.set_duty_owners(manager, shipping, [world.people["warehouse"], second])
    services.update_staff(manager, second, is_active=False)
    assert shipping not in unowned_duties()


def test_one_person_may_own_duties_of_several_roles_TEAM_2(world):
    manager = world.people["manager"]
    both, _pw = services.create_staff(manager, number="B011", name="兼岗", roles=["designer", "editor"])
    services.set_duty_owners(manager, duty("designer"), [both])
    services.set_duty_owners(manager, duty("editor"), [both])
    assert set(both.duties.all()) == {duty("designer"), duty("editor")}


def test_an_owner_must_hold_the_duties_role_TEAM_2(world):
    manager = world.people["manager"]
    shipping = duty("warehouse", "发货")
    before = Event.objects.count()
    with pytest.raises(DomainError) as info:
        services.set_duty_owners(manager, shipping, [world.people["warehouse"], world.people["cs"]])
    assert info.value.code == "owner_without_role"
    assert world.people["cs"].number in info.value.message
    assert CJK.search(info.value.message)
    assert not shipping.owners.exists()
    assert Event.objects.count() == before


def test_setting_duty_owners_is_on_the_timeline_TEAM_2_TEAM_3(world):
    manager, cs = world.people["manager"], world.people["cs"]
    reception = duty("cs", "售前")
    services.set_duty_owners(manager, reception, [cs])
    services.set_duty_owners(manager, reception, [])
    first, second = timeline_for(reception).order_by("id")
    assert first.actor_number == second.actor_number == manager.number
    assert cs.number in first.to_state
    assert cs.number in second.from_state
    assert reception in unowned_duties()
