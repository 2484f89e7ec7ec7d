"""Passwords and sign-in locks (TEAM-3: each person signs in with their own 工号): everyone changes their own
password; the manager lifts a locked 工号; a reset by the manager also lifts the lock and revokes the person's API
tokens (whoever knew the old password may hold one of their keys)."""

import re

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import PASSWORD
from zhanggui.core.events import timeline_for
from zhanggui.core.models import ApiToken
from zhanggui.core.services import create_api_token
from zhanggui.team import services


def browser():
    return Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="10.0.0.9")


def login(client, number, password):
    return client.post("/login/", {"username": number, "password": password})


def lock_out(number):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(browser(), number, "wrong-password")
    assert login(browser(), number, PASSWORD).status_code in (403, 429)


def test_staff_change_their_own_password_and_stay_signed_in_TEAM_3(world, client_for):
    cs = world.people["cs"]
    client = client_for(cs)
    page = client.get("/me/password/")
    assert page.status_code == 200 and 'name="old_password"' in page.content.decode()
    assert 'id="change-password"' in client.get("/").content.decode()  # reachable from every page's header
    url = "/me/password/"
    wrong = client.post(url, {"old_password": "nope", "new_password": "Qinghe-2027!", "confirm_password": "x"})
    assert wrong.status_code == 400 and "当前密码不正确" in wrong.content.decode()
    twice = {"old_password": PASSWORD, "new_password": "Qinghe-2027!", "confirm_password": "Qinghe-2028!"}
    assert "两次输入的新密码不一致" in client.post(url, twice).content.decode()
    weak = client.post(url, {"old_password": PASSWORD, "new_password": "12345678", "confirm_password": "12345678"})
    assert weak.status_code == 400
    cs.refresh_from_db()
    assert cs.check_password(PASSWORD)
    done = client.post(
        url, {"old_password": PASSWORD, "new_password": "Qinghe-2027!", "confirm_password": "Qinghe-2027!"}
    )
    assert done.status_code == 302
    cs.refresh_from_db()
    assert cs.check_password("Qinghe-2027!")
    assert client.get("/").status_code == 200  # still signed in on this browser
    event = timeline_for(cs).get(kind="password_changed")
    assert event.actor_number == cs.number and "Qinghe" not in f"{event.note}{event.data}"
    assert login(browser(), cs.number, "Qinghe-2027!").status_code == 302


def test_the_manager_unlocks_a_locked_staff_number_TEAM_3(world, client_for):
    manager, cs = world.people["manager"], world.people["cs"]
    lock_out(cs.number)
    assert services.login_locked(cs)
    detail = client_for(manager).get(f"/team/{cs.pk}/").content.decode()
    assert 'id="login-locked"' in detail and 'id="unlock-login"' in detail
    assert client_for(world.people["cs"]).post(f"/team/{cs.pk}/unlock/").status_code == 403
    assert client_for(manager).post(f"/team/{cs.pk}/unlock/").status_code == 302
    assert not services.login_locked(cs)
    assert login(browser(), cs.number, PASSWORD).status_code == 302
    assert timeline_for(cs).get(kind="login_unlocked").actor_number == manager.number
    assert 'id="login-locked"' not in client_for(manager).get(f"/team/{cs.pk}/").content.decode()


def test_a_password_reset_lifts_the_lock_and_revokes_api_tokens_TEAM_3(world, client_for):
    manager, cs = world.people["manager"], world.people["cs"]
    _token, key = create_api_token(cs, "订单同步脚本")
    api = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/me").status_code == 200
    lock_out(cs.number)
    reset = client_for(manager).post(f"/team/{cs.pk}/reset-password/")
    assert reset.status_code == 200
    cs.refresh_from_db()
    new_password = re.search(r'class="key-once[^"]*">([^<]+)<', reset.content.decode())[1].strip()
    assert cs.check_password(new_password)
    assert login(browser(), cs.number, new_password).status_code == 302  # the lock is lifted
    assert api.get("/api/v1/me").status_code == 401  # the old key no longer works
    assert not ApiToken.objects.filter(user=cs, revoked_at__isnull=True).exists()
    note = timeline_for(cs).get(kind="password_reset").note
    assert "已解除登录锁定" in note and "已停用 1 个 API 令牌" in note


@pytest.mark.parametrize("role", ["cs", "warehouse", "finance"])
def test_only_the_manager_resets_and_unlocks_TEAM_1(world, client_for, role):
    other = world.people["designer"]
    client = client_for(world.people[role])
    assert client.post(f"/team/{other.pk}/reset-password/").status_code in (403, 404)
    assert client.post(f"/team/{other.pk}/unlock/").status_code in (403, 404)
