"""django-axes: five wrong passwords lock a username+address, on the portal login and the API token."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def fail_portal(client, username, times):
    for _ in range(times):
        response = client.post("/accounts/login/", {"username": username, "password": "wrong-password"})
    return response


def test_portal_login_locks_after_five_failures(client, passenger, password):
    response = fail_portal(client, passenger.username, 4)
    assert response.status_code == 200 and b"correct username and password" in response.content
    response = fail_portal(client, passenger.username, 1)
    assert response.status_code == 429
    assert b"Too many failed log-ins" in response.content
    # Even the right password is refused while the lock lasts.
    response = client.post("/accounts/login/", {"username": passenger.username, "password": password})
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_lock_is_per_username_and_address(client, passenger, other_passenger, password):
    fail_portal(client, passenger.username, 5)
    response = client.post("/accounts/login/", {"username": other_passenger.username, "password": password})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(other_passenger.pk)
    response = client.post(
        "/accounts/login/", {"username": passenger.username, "password": password}, REMOTE_ADDR="10.9.8.7"
    )
    assert response.status_code == 302


def test_success_before_the_limit_resets_the_count(client, passenger, password):
    fail_portal(client, passenger.username, 4)
    assert client.post("/accounts/login/", {"username": passenger.username, "password": password}).status_code == 302
    client.logout()
    assert fail_portal(client, passenger.username, 4).status_code == 200


def test_admin_login_is_locked_too(client, operations):
    for _ in range(5):
        response = client.post("/admin/login/", {"username": operations.username, "password": "wrong-password"})
    assert response.status_code == 429


def test_api_token_locks_after_five_failures_with_the_error_body(passenger, password):
    api = APIClient()
    for _ in range(4):
        response = api.post("/api/v1/auth/token/", {"username": passenger.username, "password": "nope"}, format="json")
        assert response.status_code == 400 and response.json()["code"] == "invalid"
    response = api.post("/api/v1/auth/token/", {"username": passenger.username, "password": "nope"}, format="json")
    assert response.status_code == 429
    assert response.json() == {
        "code": "account_locked",
        "detail": "Too many failed log-ins for this account from this address: it is locked for 15 minutes.",
        "fields": {},
    }
    assert response["Retry-After"] == "900"
    response = api.post("/api/v1/auth/token/", {"username": passenger.username, "password": password}, format="json")
    assert response.status_code == 429 and response.json()["code"] == "account_locked"


def test_limit_is_a_setting(client, passenger, settings):
    settings.AXES_FAILURE_LIMIT = 50
    assert fail_portal(client, passenger.username, 10).status_code == 200
