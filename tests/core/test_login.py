"""Login throttling (django-axes, see AXES_* in settings): five wrong passwords lock that 工号 on that address,
so even the right password is refused until the cool-off; other staff are not locked out."""

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import PASSWORD


def login(client, number, password):
    return client.post("/login/", {"username": number, "password": password})


def signed_in(client):
    response = client.get("/")
    return response.status_code == 200


@pytest.fixture
def browser():
    return Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="10.0.0.7")


def test_the_right_password_signs_in(world, browser):
    response = login(browser, "T002", PASSWORD)
    assert response.status_code == 302
    assert signed_in(browser)


def test_a_wrong_password_is_refused_with_a_message(world, browser):
    response = login(browser, "T002", "wrong-password")
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    assert not signed_in(browser)


def test_five_failures_lock_the_staff_number_even_for_the_right_password(world, browser):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(browser, "T002", "wrong-password")
    response = login(browser, "T002", PASSWORD)
    assert response.status_code in (403, 429)
    page = response.content.decode()
    assert 'name="password"' not in page  # the locked page, not the form again
    assert "15" in page  # tells how long the lock lasts
    assert not signed_in(browser)
    # Another 工号 on the same computer can still sign in.
    other = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="10.0.0.7")
    assert login(other, "T003", PASSWORD).status_code == 302
    assert signed_in(other)


def test_four_failures_then_success_resets_the_count(world, browser):
    for _ in range(4):
        login(browser, "T002", "wrong-password")
    assert login(browser, "T002", PASSWORD).status_code == 302
    browser.post("/logout/")
    for _ in range(4):
        login(browser, "T002", "wrong-password")
    assert login(browser, "T002", PASSWORD).status_code == 302


def test_anonymous_pages_send_you_to_the_login(world):
    response = Client(HTTP_HOST="127.0.0.1").get("/customers/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")
