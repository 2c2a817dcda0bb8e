"""Two-factor login (TOTP, django-otp) for flight surgeons, flight directors, operations and every staff
account: in the portal, in the admin and in the API. Codes are real: computed from the device's key."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import services
from flights.exceptions import DomainError
from tests.twofactor import code_from_secret, log_in, totp_code, totp_device

pytestmark = pytest.mark.django_db

TWO_FACTOR = "/accounts/two-factor/"
SETUP = "/accounts/two-factor/setup/"


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def portal_password(client, user, password, next_url=""):
    data = {"username": user.username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


# --- The portal ---------------------------------------------------------------------------------------------


def test_a_director_logs_in_with_password_then_code_then_sees_the_page(client, director, password):
    device = totp_device(director)
    response = portal_password(client, director, password, next_url="/verification/")
    assert response.status_code == 302 and response["Location"] == "/verification/"
    # The password alone is not enough: every page sends the session to the code step.
    response = client.get("/verification/")
    assert response.status_code == 302
    assert response["Location"] == f"{TWO_FACTOR}?next=%2Fverification%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"Enter your two-factor code" in page.content

    response = client.post(TWO_FACTOR, {"otp_token": totp_code(device), "next": "/verification/"})
    assert response.status_code == 302 and response["Location"] == "/verification/"
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/verification/").status_code == 200


def test_the_code_is_computed_with_rfc_6238_from_the_device_key(director):
    device = totp_device(director)
    now = time.time()
    totp = TOTP(device.bin_key, step=30, digits=6)
    totp.time = now
    assert totp_code(device, at=now) == f"{totp.token():06d}"


def test_a_wrong_code_is_refused_with_a_form_error_and_the_throttle_then_applies(client, director, password):
    device = totp_device(director)
    portal_password(client, director, password)
    response = client.post(TWO_FACTOR, {"otp_token": wrong(totp_code(device))})
    assert response.status_code == 200
    assert "The code is not correct, or it was already used" in response.content.decode()
    assert DEVICE_ID_SESSION_KEY not in client.session
    # django-otp's throttle: after a wrong code even the right one waits (1 s, then 2, 4, ...).
    response = client.post(TWO_FACTOR, {"otp_token": totp_code(device)})
    assert "Too many wrong codes: wait 1 s before trying again." in response.content.decode()
    assert DEVICE_ID_SESSION_KEY not in client.session
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_after_the_throttle_delay_the_right_code_works(client, director, password, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no waiting in a test: nothing sleeps
    device = totp_device(director)
    portal_password(client, director, password)
    client.post(TWO_FACTOR, {"otp_token": wrong(totp_code(device))})
    response = client.post(TWO_FACTOR, {"otp_token": totp_code(device), "next": "/"})
    assert response.status_code == 302 and DEVICE_ID_SESSION_KEY in client.session


def test_a_code_works_once(client, director, password, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = totp_device(director)
    code = totp_code(device)
    portal_password(client, director, password)
    assert client.post(TWO_FACTOR, {"otp_token": code}).status_code == 302
    other = type(client)()
    portal_password(other, director, password)
    response = other.post(TWO_FACTOR, {"otp_token": code})
    assert response.status_code == 200 and b"already used" in response.content


def test_malformed_codes_are_refused_plainly_without_counting(client, director, password):
    device = totp_device(director)
    portal_password(client, director, password)
    for code in ("", "12345", "abcdef", "1234567"):
        response = client.post(TWO_FACTOR, {"otp_token": code})
        assert response.status_code == 200 and DEVICE_ID_SESSION_KEY not in client.session
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    # Spaces as authenticator apps show them ("123 456") are fine.
    code = totp_code(device)
    assert client.post(TWO_FACTOR, {"otp_token": f"{code[:3]} {code[3:]}"}).status_code == 302


def test_a_staff_account_without_a_device_enrols_before_anything_else(client, operations, password):
    portal_password(client, operations, password)
    response = client.get("/")
    assert response["Location"] == f"{TWO_FACTOR}?next=%2F"
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"].startswith(SETUP)

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert '<svg class="qr-code" role="img"' in html and "<path" in html  # the QR code, drawn inline
    assert "<script" not in html.split("<main>")[1] and "style=" not in html  # nothing the CSP would block
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html)[1]
    device = TOTPDevice.objects.get(user=operations)
    assert not device.confirmed
    assert secret.replace(" ", "") == device.config_url.split("secret=")[1].split("&")[0]
    assert "otpauth://totp/" in device.config_url and "issuer=Spaceline" in device.config_url
    # Reloading shows the same secret until it is confirmed.
    assert secret in client.get(SETUP).content.decode()

    response = client.post(SETUP, {"otp_token": wrong(code_from_secret(secret)), "next": "/"})
    assert response.status_code == 200 and b"The code is not correct" in response.content
    device.refresh_from_db()
    assert not device.confirmed
    device.throttle_reset()

    response = client.post(SETUP, {"otp_token": code_from_secret(secret), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed and client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/").status_code == 200
    # Enrolled: the set-up page now sends to the code step, and shows no secret again.
    other = type(client)()
    portal_password(other, operations, password)
    response = other.get(SETUP)
    assert response.status_code == 302 and response["Location"].startswith(TWO_FACTOR)


def test_every_staff_role_and_any_staff_account_must_use_two_factors(client, surgeon, director, operations, django_user_model, password):
    from tests.conftest import make_user

    staff_without_role = make_user(django_user_model, "stan", staff=True)
    for user in (surgeon, director, operations, staff_without_role):
        client.force_login(user)
        assert client.get("/itineraries/")["Location"].startswith(TWO_FACTOR), user
        client.logout()


def test_passengers_are_not_asked(client, passenger, password):
    portal_password(client, passenger, password)
    assert client.get("/bookings/").status_code == 200
    response = client.get(SETUP)
    assert response.status_code == 302 and not TOTPDevice.objects.filter(user=passenger).exists()


def test_logout_works_before_the_code_step(client, director):
    client.force_login(director)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and "_auth_user_id" not in client.session


def test_htmx_requests_are_sent_to_the_code_step_by_header(client, director):
    client.force_login(director)
    response = client.get("/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith(TWO_FACTOR)


def test_the_next_address_must_be_on_this_site(client, director, password):
    device = totp_device(director)
    portal_password(client, director, password)
    response = client.post(TWO_FACTOR, {"otp_token": totp_code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_session_key_changes_when_the_code_is_accepted(client, director, password):
    device = totp_device(director)
    portal_password(client, director, password)
    before = client.session.session_key
    client.post(TWO_FACTOR, {"otp_token": totp_code(device)})
    assert client.session.session_key != before


# --- The admin ----------------------------------------------------------------------------------------------


def admin_login(client, user, password, code=None):
    data = {"username": user.username, "password": password, "next": "/admin/"}
    if code is not None:
        data["otp_token"] = code
    return client.post("/admin/login/", data)


def test_admin_login_asks_for_the_code(client, operations, password):
    device = totp_device(operations)
    page = client.get("/admin/login/")
    assert b'name="otp_token"' in page.content
    response = admin_login(client, operations, password)
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert b"Enter the 6-digit code from your authenticator app." in response.content
    response = admin_login(client, operations, password, code=wrong(totp_code(device)))
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert b"The code is not correct" in response.content


def test_admin_login_with_the_code_opens_the_admin(client, operations, password):
    device = totp_device(operations)
    response = admin_login(client, operations, password, code=totp_code(device))
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    page = client.get("/admin/")
    assert page.status_code == 200 and b"Site administration" in page.content


def test_admin_login_without_a_device_sends_to_enrolment(client, operations, password):
    response = admin_login(client, operations, password)
    assert response.status_code == 302
    response = client.get("/admin/")
    assert response["Location"] == f"{TWO_FACTOR}?next=%2Fadmin%2F"
    assert client.get(response["Location"])["Location"].startswith(SETUP)


def test_the_admin_site_itself_refuses_a_session_without_the_code_step(rf, operations):
    from django.contrib import admin
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp.middleware import OTPMiddleware

    request = rf.get("/admin/")
    request.session, request.user = SessionStore(), operations
    OTPMiddleware(lambda r: None)(request)
    assert not admin.site.has_permission(request)
    device = totp_device(operations)
    request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    request.user = operations
    OTPMiddleware(lambda r: None)(request)
    assert admin.site.has_permission(request)


# --- The API ------------------------------------------------------------------------------------------------


def token(data) -> tuple[int, dict]:
    response = APIClient().post("/api/v1/auth/token/", data, format="json")
    return response.status_code, response.json()


def test_a_staff_token_needs_a_valid_otp_token(director, password):
    device = totp_device(director)
    status, body = token({"username": director.username, "password": password})
    assert (status, body["code"]) == (400, "otp_required") and "otp_token" in body["fields"]
    status, body = token({"username": director.username, "password": password, "otp_token": wrong(totp_code(device))})
    assert (status, body["code"]) == (400, "otp_invalid") and "otp_token" in body["fields"]
    assert not Token.objects.filter(user=director).exists()


def test_a_staff_token_with_the_code(director, password, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = totp_device(director)
    status, body = token({"username": director.username, "password": password, "otp_token": totp_code(device)})
    assert status == 200 and body["token"] == Token.objects.get(user=director).key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert client.get("/api/v1/verification/records/").status_code == 200


def test_a_wrong_password_is_refused_before_the_code_is_looked_at(director):
    totp_device(director)
    status, body = token({"username": director.username, "password": "not-it", "otp_token": "123456"})
    assert status == 400 and body["code"] == "invalid" and "otp_token" not in body["fields"]


def test_a_staff_token_without_a_device_says_to_set_one_up(operations, password):
    status, body = token({"username": operations.username, "password": password, "otp_token": "123456"})
    assert (status, body["code"]) == (403, "two_factor_setup_required")


def test_repeated_wrong_codes_are_throttled_with_retry_after(director, password):
    device = totp_device(director)
    token({"username": director.username, "password": password, "otp_token": wrong(totp_code(device))})
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": director.username, "password": password, "otp_token": totp_code(device)},
        format="json",  # API bodies are JSON
    )
    assert response.status_code == 429 and response.json()["code"] == "otp_throttled"
    assert int(response["Retry-After"]) >= 1


def test_a_passenger_token_needs_no_code(passenger, password):
    status, body = token({"username": passenger.username, "password": password})
    assert status == 200 and body["token"]


def test_a_staff_session_without_the_code_step_is_refused_by_the_api(client, director):
    client.force_login(director)
    response = client.get("/api/v1/verification/records/")
    assert response.status_code == 403
    assert response.json() == {
        "code": "two_factor_required",
        "detail": response.json()["detail"],
        "fields": {},
    }
    assert "/accounts/two-factor/" in response.json()["detail"]
    log_in(client, director)
    assert client.get("/api/v1/verification/records/").status_code == 200


def test_a_passenger_session_uses_the_api_without_a_code(client, passenger):
    client.force_login(passenger)
    assert client.get("/api/v1/me/").status_code == 200


# --- Resetting a lost device --------------------------------------------------------------------------------


def test_operations_reset_a_lost_device_with_the_command(director, operations, password):
    device = totp_device(director)
    Token.objects.create(user=director)
    call_command("reset_two_factor", director.username, by=operations.username, reason="Phone lost on the range")
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not Token.objects.filter(user=director).exists()
    entry = LogEntry.objects.get(object_id=str(director.pk))
    assert entry.user == operations and "Phone lost on the range" in entry.change_message
    assert entry.content_type.model == "staffaccount"


def test_after_a_reset_the_next_log_in_enrols_a_new_device(client, director, operations, password):
    old = totp_device(director)
    old_key = old.key
    log_in(client, director)
    services.two_factor_reset(user=director, by=operations, reason="New phone")
    # The session verified by the removed device is verified no more.
    response = client.get("/verification/")
    assert response["Location"].startswith(TWO_FACTOR)
    assert client.get(response["Location"])["Location"].startswith(SETUP)
    client.get(SETUP)
    assert TOTPDevice.objects.get(user=director).key != old_key


def test_resets_are_refused_plainly(director, operations, surgeon, django_user_model):
    totp_device(director)
    with pytest.raises(DomainError, match="Say why"):
        services.two_factor_reset(user=director, by=operations, reason="  ")
    with pytest.raises(DomainError, match="Only operations staff"):
        services.two_factor_reset(user=director, by=surgeon, reason="lost")
    with pytest.raises(DomainError, match="Ask another operations colleague"):
        services.two_factor_reset(user=operations, by=operations, reason="lost")
    with pytest.raises(CommandError, match="No such user"):
        call_command("reset_two_factor", "nobody", by=operations.username, reason="lost")
    with pytest.raises(CommandError, match="Only operations staff"):
        call_command("reset_two_factor", director.username, by=surgeon.username, reason="lost")
    assert TOTPDevice.objects.filter(user=director).exists()


def test_operations_reset_from_admin_and_see_it_in_the_history(client, director, operations):
    totp_device(director)
    log_in(client, operations)
    changelist = reverse("admin:accounts_staffaccount_changelist")
    page = client.get(changelist)
    assert page.status_code == 200 and b"dana" in page.content and b"olive" in page.content
    response = client.post(changelist, {
        "action": "action_staff_account_reset", "_selected_action": [director.pk], "reason": "Phone fell in the sea",
    })
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=director).exists()
    history = client.get(reverse("admin:accounts_staffaccount_history", args=[director.pk]))
    assert b"Phone fell in the sea" in history.content
    assert client.get(reverse("admin:accounts_staffaccount_change", args=[director.pk])).status_code == 200


def test_the_reset_action_wants_a_reason(client, director, operations):
    totp_device(director)
    log_in(client, operations)
    client.post(reverse("admin:accounts_staffaccount_changelist"), {
        "action": "action_staff_account_reset", "_selected_action": [director.pk], "reason": "",
    })
    assert TOTPDevice.objects.filter(user=director).exists()


def test_directors_do_not_see_the_staff_accounts_page(client, director):
    log_in(client, director)
    assert client.get(reverse("admin:accounts_staffaccount_changelist")).status_code == 403
