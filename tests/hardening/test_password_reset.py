"""Password reset by email: a link that works once, and no hint whether an address has an account."""

import re

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db


def test_reset_by_email_sets_a_new_password_once(client, passenger, deliver_outbox):
    passenger.email = "ada@example.test"
    passenger.save()
    response = client.post("/accounts/password-reset/", {"email": "ada@example.test"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/done/"
    # Written to the outbox, never shown to operations (it carries the link), and sent by the sender.
    from flights.models import Notification

    (message,) = Notification.objects.filter(recipient="ada@example.test")
    assert message.sensitive and message.status == "pending" and mail.outbox == []
    assert deliver_outbox() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ada@example.test"]
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body)[1]
    form_url = client.get(link)["Location"]  # Django swaps the token for a session marker
    assert "Choose a new password" in client.get(form_url).content.decode()
    response = client.post(form_url, {"new_password1": "orbit-and-back-42", "new_password2": "orbit-and-back-42"})
    assert response.status_code == 302 and response["Location"] == "/accounts/reset/done/"
    passenger.refresh_from_db()
    assert passenger.check_password("orbit-and-back-42")
    client.cookies.clear()
    assert "This link does not work" in client.get(link, follow=True).content.decode()


def test_unknown_address_looks_the_same_and_sends_nothing(client, deliver_outbox):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.test"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/done/"
    assert deliver_outbox() == 0 and mail.outbox == []


def test_weak_new_password_is_refused_as_a_form_error(client, passenger, deliver_outbox):
    passenger.email = "ada@example.test"
    passenger.save()
    client.post("/accounts/password-reset/", {"email": "ada@example.test"})
    deliver_outbox()
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body)[1]
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"new_password1": "12345", "new_password2": "12345"})
    assert response.status_code == 200 and "This password is too short" in response.content.decode()
