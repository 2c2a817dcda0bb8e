"""Passengers verify their email address with a signed, expiring link before they hold a seat, join a
waitlist or sign informed consent; they can log in and browse before that."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from flights.exceptions import InvalidInput
from tests.tourism.factories import PassengerProfileFactory, bookable_flight, sign
from tourism import services
from tourism.exceptions import EmailNotVerified, VerificationLinkExpired, VerificationLinkInvalid
from tourism.models import Booking, EmailVerification
from tourism.services.email_verification import email_verification_token

pytestmark = pytest.mark.django_db

SIGNUP = {
    "username": "valentina", "email": "valentina@example.test", "first_name": "Valentina", "last_name": "Tester",
    "password1": "kármán-line-100km", "password2": "kármán-line-100km", "legal_name": "Valentina V. Tester",
    "date_of_birth": "1987-03-06", "nationality": "RU", "passport_number": "RU7766554", "mass_kg": "58",
    "height_cm": "164", "emergency_contact": "Andrian Tester, +7 495 000 0000",
}
REGISTRATION = {
    "username": "ada", "email": "ada@example.test", "password": "orbital-velocity-7.8", "legal_name": "Augusta Ada King",
    "date_of_birth": "1985-12-10", "nationality": "GB", "passport_number": "P1234567", "mass_kg": "62.5",
    "height_cm": 168, "emergency_contact": "Charles Babbage, +44 20 7946 0001",
}
LINK = re.compile(r"http://[^/]+(/accounts/verify-email/([^/\s]+)/)")


def unverified_passenger(**kwargs):
    return PassengerProfileFactory(user__email_verified=False, **kwargs).user


def link_in(message) -> tuple[str, str]:
    path, token = LINK.search(message.body).groups()
    return path, token


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


# --- Sign-up sends the link; following it verifies ------------------------------------------------------------


def test_portal_sign_up_sends_a_link_that_verifies_the_address(client, flight, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("tourism:signup"), SIGNUP, follow=True)
    assert "We sent a link to valentina@example.test" in response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["valentina@example.test"]
    assert "works once" in mail.outbox[0].body and "3 days" in mail.outbox[0].body
    path, _ = link_in(mail.outbox[0])

    # Logged in and browsing, but no seat yet: the flight page says why, and holding is refused.
    page = client.get(reverse("flights:flight-detail", args=[flight.pk])).content.decode()
    assert 'id="email-unverified"' in page
    response = client.post(reverse("tourism:flight-hold", args=[flight.pk]), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0].startswith(reverse("tourism:verify-email"))
    assert "Verify your email address first: we sent a link to valentina@example.test." in html
    assert 'id="resend-verification"' in html
    assert not Booking.objects.exists()

    # The link: GET shows a button (a mail scanner fetching it uses nothing up), POST verifies.
    page = client.get(path)
    assert page.status_code == 200 and b"Verify valentina@example.test" in page.content
    assert EmailVerification.objects.get(user__username="valentina").verified_at is None
    response = client.post(path, follow=True)
    assert "valentina@example.test is verified" in response.content.decode()
    verification = EmailVerification.objects.get(user__username="valentina")
    assert verification.verified_at is not None and verification.email == "valentina@example.test"

    response = client.post(reverse("tourism:flight-hold", args=[flight.pk]))
    assert Booking.objects.filter(user__username="valentina").exists(), response


def test_the_link_works_logged_out_too(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("tourism:signup"), SIGNUP)
    client.logout()
    path, _ = link_in(mail.outbox[0])
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert services.email_is_verified(EmailVerification.objects.get().user)


def test_api_registration_sends_a_link_and_the_api_confirms_it(flight, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert api().post("/api/v1/auth/register/", REGISTRATION, format="json").status_code == 201
    _, token = link_in(mail.outbox[0])
    ada = EmailVerification.objects.get().user
    me = api(ada).get("/api/v1/me/").json()
    assert me["email_verified_at"] is None

    response = api(ada).post(f"/api/v1/flights/{flight.pk}/holds/")
    assert response.status_code == 403
    assert response.json() == {
        "code": "email_not_verified",
        "detail": "Verify your email address first: we sent a link to ada@example.test. Follow it, or ask for a new one.",
        "fields": {"email": ["ada@example.test is not verified yet."]},
    }

    response = api().post("/api/v1/auth/verify-email/", {"token": token}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["username"], body["email"]) == ("ada", "ada@example.test") and body["email_verified_at"]
    assert api(ada).get("/api/v1/me/").json()["email_verified_at"] == body["email_verified_at"]
    assert api(ada).post(f"/api/v1/flights/{flight.pk}/holds/").status_code == 201


# --- Links that do not verify ----------------------------------------------------------------------------------


def test_an_expired_link_is_refused(client):
    user = unverified_passenger()
    issued = timezone.now() - dt.timedelta(days=3, minutes=1)
    token = email_verification_token(user, now=issued)
    with pytest.raises(VerificationLinkExpired, match="has expired"):
        services.email_verify(token=token)
    # A minute younger, it works.
    services.email_verify(token=email_verification_token(user, now=issued + dt.timedelta(minutes=2)))
    assert services.email_is_verified(user)


def test_an_expired_link_is_refused_by_the_portal_and_the_api(client):
    user = unverified_passenger()
    token = email_verification_token(user, now=timezone.now() - dt.timedelta(days=4))
    page = client.get(reverse("tourism:verify-email-confirm", args=[token]))
    assert page.status_code == 400 and b"This verification link has expired" in page.content
    assert client.post(reverse("tourism:verify-email-confirm", args=[token])).status_code == 400
    response = api().post("/api/v1/auth/verify-email/", {"token": token}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "verification_link_expired"
    assert not services.email_is_verified(user)


@pytest.mark.parametrize("tamper", [
    lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
    lambda token: "x" + token,  # the payload
    lambda token: token.split(":")[0],  # the signature left off
    lambda token: "",
    lambda token: "not-a-token-at-all",
])
def test_a_tampered_link_is_refused(client, tamper):
    user = unverified_passenger()
    token = tamper(email_verification_token(user))
    with pytest.raises(VerificationLinkInvalid, match="not valid"):
        services.email_verify(token=token)
    response = api().post("/api/v1/auth/verify-email/", {"token": token or " "}, format="json")
    assert response.status_code == 400 and response.json()["code"] in ("verification_link_invalid", "invalid")
    if token:
        assert client.get(reverse("tourism:verify-email-confirm", args=[token])).status_code == 400
    assert not services.email_is_verified(user)


def test_a_link_works_once(client):
    user = unverified_passenger()
    token = email_verification_token(user)
    services.email_verify(token=token)
    verified_at = EmailVerification.objects.get(user=user).verified_at
    with pytest.raises(VerificationLinkInvalid, match="already used") as refused:
        services.email_verify(token=token)
    assert refused.value.code == "verification_link_used"
    assert EmailVerification.objects.get(user=user).verified_at == verified_at
    response = api().post("/api/v1/auth/verify-email/", {"token": token}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "verification_link_used"


def test_a_link_for_an_address_the_account_no_longer_has_is_refused(django_capture_on_commit_callbacks):
    user = unverified_passenger()
    old_token = email_verification_token(user)
    with django_capture_on_commit_callbacks(execute=True):
        services.passenger_email_change(user=user, email="new@example.test", password="correct-horse-battery-42")
    with pytest.raises(VerificationLinkInvalid, match="out of date"):
        services.email_verify(token=old_token)
    _, token = link_in(mail.outbox[-1])
    assert mail.outbox[-1].to == ["new@example.test"]
    services.email_verify(token=token)
    assert EmailVerification.objects.get(user=user).email == "new@example.test"


# --- Changing the address ---------------------------------------------------------------------------------------


def test_an_email_change_requires_verification_again(client, flight, django_capture_on_commit_callbacks):
    user = PassengerProfileFactory().user
    assert services.email_is_verified(user)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("tourism:email-change"), {"email": "Moved@Example.test", "password": "wrong"})
    assert response.status_code == 200 and b"The password is not correct." in response.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("tourism:email-change"), {"email": "Moved@Example.test", "password": "correct-horse-battery-42"}
        )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "moved@example.test" and not services.email_is_verified(user)
    assert mail.outbox[-1].to == ["moved@example.test"]
    with pytest.raises(EmailNotVerified, match="we sent a link to moved@example.test"):
        services.booking_hold(flight=flight, user=user)


def test_an_email_change_refuses_bad_or_taken_addresses(passenger):
    other = PassengerProfileFactory().user
    for email, field in (("not-an-address", "email"), (other.email, "email"), (passenger.email, "email")):
        with pytest.raises(InvalidInput) as refused:
            services.passenger_email_change(user=passenger, email=email, password="correct-horse-battery-42")
        assert field in refused.value.fields


def test_the_api_changes_the_address_and_the_account_is_unverified_again(django_capture_on_commit_callbacks):
    user = PassengerProfileFactory().user
    with django_capture_on_commit_callbacks(execute=True):
        response = api(user).post(
            "/api/v1/me/email/", {"email": "moved@example.test", "password": "correct-horse-battery-42"}, format="json"
        )
    assert response.status_code == 200 and response.json()["email"] == "moved@example.test"
    assert response.json()["email_verified_at"] is None
    wrong = api(user).post("/api/v1/me/email/", {"email": "x@example.test", "password": "nope"}, format="json")
    assert wrong.status_code == 400 and "password" in wrong.json()["fields"]


def test_an_address_changed_by_any_path_is_unverified(passenger):
    """Even a change outside the service (admin, shell) leaves the new address unproven."""
    assert services.email_is_verified(passenger)
    passenger.email = "elsewhere@example.test"
    passenger.save(update_fields=["email"])
    assert not services.email_is_verified(passenger)


# --- Asking for a new link ---------------------------------------------------------------------------------------


def test_the_resend_page_sends_a_new_link_at_most_once_a_minute(client, django_capture_on_commit_callbacks):
    user = unverified_passenger()
    client.force_login(user)
    page = client.get(reverse("tourism:verify-email"))
    assert b"is not verified yet" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("tourism:verify-email"), follow=True)
    assert f"We sent a new link to {user.email}" in response.content.decode()
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("tourism:verify-email"), follow=True)
    assert "a moment ago: check your inbox" in response.content.decode()
    assert len(mail.outbox) == 1
    # A minute later it may go again.
    later = timezone.now() + dt.timedelta(seconds=61)
    with django_capture_on_commit_callbacks(execute=True):
        services.email_verification_send(user=user, now=later)
    assert len(mail.outbox) == 2
    # Both links work, until one is used.
    services.email_verify(token=link_in(mail.outbox[0])[1])
    with pytest.raises(VerificationLinkInvalid, match="already used"):
        services.email_verify(token=link_in(mail.outbox[1])[1])


def test_the_api_resends_with_throttling_and_says_when_already_verified(django_capture_on_commit_callbacks):
    user = unverified_passenger()
    with django_capture_on_commit_callbacks(execute=True):
        response = api(user).post("/api/v1/auth/verify-email/resend/")
    assert response.status_code == 202 and response.json()["email"] == user.email
    assert len(mail.outbox) == 1
    again = api(user).post("/api/v1/auth/verify-email/resend/")
    assert again.status_code == 429 and again.json()["code"] == "verification_email_throttled"
    assert 1 <= int(again["Retry-After"]) <= 60
    services.email_verify(token=link_in(mail.outbox[0])[1])
    verified = api(user).post("/api/v1/auth/verify-email/resend/")
    assert verified.status_code == 409 and verified.json()["code"] == "email_already_verified"
    assert api().post("/api/v1/auth/verify-email/resend/").status_code == 401


def test_the_resend_page_of_a_verified_passenger_says_so(client, pax):
    client.force_login(pax)
    page = client.get(reverse("tourism:verify-email"))
    assert b"is verified" in page.content and b'id="resend-verification"' not in page.content


# --- What an unverified passenger cannot do -------------------------------------------------------------------


def test_an_unverified_passenger_cannot_hold_join_a_waitlist_or_sign(flight):
    user = unverified_passenger()
    message = "Verify your email address first: ask for a link to be sent to"
    with pytest.raises(EmailNotVerified, match=message):
        services.booking_hold(flight=flight, user=user)
    full = bookable_flight(code="NS-99")
    with pytest.raises(EmailNotVerified, match=message):
        services.waitlist_join(flight=full, user=user)
    # A booking made while verified, then the address changed: no signature until the new one is proven.
    services.email_verification_mark_verified(user=user)
    booking = services.booking_hold(flight=flight, user=user)
    user.email = "changed@example.test"
    user.save(update_fields=["email"])
    with pytest.raises(EmailNotVerified, match="changed@example.test"):
        sign(booking, user)


def test_the_portal_refuses_an_unverified_signature_with_the_resend_link(client, flight):
    user = PassengerProfileFactory().user
    booking = services.booking_hold(flight=flight, user=user)
    user.email = "changed@example.test"
    user.save(update_fields=["email"])
    client.force_login(user)
    page = client.get(booking.get_absolute_url()).content.decode()
    digest = re.search(r'name="disclosure_sha256" value="([0-9a-f]{64})"', page)[1]
    response = client.post(reverse("tourism:booking-consent", args=[booking.pk]), {
        "legal_name": user.passenger_profile.legal_name, "password": "correct-horse-battery-42",
        "disclosure_sha256": digest,
    }, follow=True)
    html = response.content.decode()
    assert "Verify your email address first" in html and 'id="resend-verification"' in html
    booking.refresh_from_db()
    assert booking.consent is None


def test_an_unverified_passenger_can_log_in_and_browse(client, flight):
    user = unverified_passenger()
    assert client.post(reverse("login"), {"username": user.username, "password": "correct-horse-battery-42"}).status_code == 302
    for url in (reverse("tourism:itinerary-list"), reverse("flights:flight-detail", args=[flight.pk]),
                reverse("tourism:booking-list"), reverse("tourism:profile")):
        assert client.get(url).status_code == 200, url


def test_the_flight_page_asks_for_verification_only_while_the_address_is_unproven(client, flight):
    user = PassengerProfileFactory().user  # verified at sign-up
    client.force_login(user)
    url = reverse("flights:flight-detail", args=[flight.pk])
    assert 'id="email-unverified"' not in client.get(url).content.decode()
    proven = user.email
    user.email = "someone.else@example.test"  # any change of the address, here as admin would make it
    user.save(update_fields=["email"])
    assert 'id="email-unverified"' in client.get(url).content.decode()
    user.email = proven.upper()  # the proven address, written in capitals
    user.save(update_fields=["email"])
    assert 'id="email-unverified"' not in client.get(url).content.decode()
    user.email = ""
    user.save(update_fields=["email"])
    assert 'id="email-unverified"' in client.get(url).content.decode()
