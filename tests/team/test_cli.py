"""`zhanggui staff add` (TEAM-1, TEAM-3): roles by code or Chinese name, a first password that works."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from zhanggui.team.models import Staff
from zhanggui.team.services import sync_roles


@pytest.fixture
def roles(db):
    sync_roles()


def run(*args):
    out = io.StringIO()
    call_command("staff", *args, stdout=out)
    return out.getvalue()


def test_staff_add_prints_a_first_password_that_logs_in_TEAM_3(roles):
    call_command(
        "shop", "add", "--code", "tb-main", "--platform", "taobao", "--name", "我的淘宝店", stdout=io.StringIO()
    )
    output = run("add", "--number", "B001", "--name", "李娜", "--role", "客服", "--role", "美工", "--shop", "tb-main")
    staff = Staff.objects.get(number="B001")
    assert set(staff.groups.values_list("role__code", flat=True)) == {"cs", "designer"}
    assert [s.code for s in staff.shops.all()] == ["tb-main"]
    assert "B001" in output
    password = re.search(r"：(\S+)\s*$", output.strip().splitlines()[-1]).group(1)
    assert staff.check_password(password)
    client = Client(HTTP_HOST="127.0.0.1")
    response = client.post("/login/", {"username": "B001", "password": password})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_staff_add_with_an_unknown_role_lists_the_roles_TEAM_1(roles):
    with pytest.raises(CommandError) as info:
        run("add", "--number", "B002", "--name", "某人", "--role", "老板")
    assert "老板" in str(info.value)
    assert "店长" in str(info.value)
    assert not Staff.objects.filter(number="B002").exists()


def test_staff_add_with_an_unknown_shop_is_refused(roles):
    with pytest.raises(CommandError) as info:
        run("add", "--number", "B003", "--name", "某人", "--role", "cs", "--shop", "nope")
    assert "nope" in str(info.value)
    assert not Staff.objects.filter(number="B003").exists()


def test_staff_add_with_a_duplicate_number_is_refused_TEAM_3(roles):
    run("add", "--number", "B004", "--name", "某人", "--role", "finance")
    with pytest.raises(CommandError) as info:
        run("add", "--number", "B004", "--name", "别人", "--role", "cs")
    assert "B004" in str(info.value)
    assert Staff.objects.get(number="B004").name == "某人"
