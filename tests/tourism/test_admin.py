"""Operations in admin: payments through the service's form, statuses through actions, nothing deleted."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.tourism.factories import bookable_flight, pay_balance, reserved_booking, sign
from tests.twofactor import log_in
from tourism import services
from tourism.models import Booking, ConsentDocument, LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops_client(client, operations):
    log_in(client, operations)
    return client


def test_record_a_bank_transfer_reserves_a_signed_hold(ops_client, pax, flight, operations):
    booking = services.booking_hold(flight=flight, user=pax)
    url = reverse("admin:tourism_booking_record_payment", args=[booking.pk])
    assert "Record a bank transfer" in ops_client.get(url).content.decode()
    refused = ops_client.post(url, {"kind": "deposit", "amount": "150000", "currency": "USD", "reference": "HSBC-1"})
    assert "before the passenger signs informed consent (14 CFR 460.45)" in refused.content.decode()
    sign(booking)
    response = ops_client.post(url, {"kind": "deposit", "amount": "150000", "currency": "USD", "reference": "HSBC-1"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "reserved"
    assert LedgerEntry.objects.get(booking=booking).recorded_by == operations
    page = ops_client.get(reverse("admin:tourism_booking_change", args=[booking.pk])).content.decode()
    assert "150,000.00 USD" in page and "Record a bank transfer received" in page


def test_payment_form_bad_input_shows_errors(ops_client, flight):
    booking = reserved_booking(flight)
    url = reverse("admin:tourism_booking_record_payment", args=[booking.pk])
    page = ops_client.post(url, {"kind": "balance", "amount": "-1", "currency": "USD", "reference": "X-1"}).content.decode()
    assert "Ensure this value is greater than or equal to 0" in page
    page = ops_client.post(url, {"kind": "balance", "amount": "999999", "currency": "USD", "reference": "X-1"}).content.decode()
    assert "300,000.00 USD is outstanding" in page


def test_passengers_cannot_reach_the_payment_form(client, pax, flight):
    booking = services.booking_hold(flight=flight, user=pax)
    client.force_login(pax)
    response = client.get(reverse("admin:tourism_booking_record_payment", args=[booking.pk]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_director_may_not_record_payments(client, director, flight):
    booking = reserved_booking(flight)
    log_in(client, director)
    assert client.get(reverse("admin:tourism_booking_record_payment", args=[booking.pk])).status_code == 403


def test_actions_manifest_and_cancel_for_the_operator(ops_client, flight, operations):
    booking = reserved_booking(flight)
    changelist = reverse("admin:tourism_booking_changelist")
    response = ops_client.post(
        changelist, {"action": "action_booking_manifest", "_selected_action": [booking.pk]}, follow=True
    )
    assert "Balance unpaid" in response.content.decode()
    pay_balance(booking, by=operations)
    ops_client.post(changelist, {"action": "action_booking_manifest", "_selected_action": [booking.pk]})
    booking.refresh_from_db()
    assert booking.status == "manifested"
    ops_client.post(changelist, {
        "action": "action_booking_cancel_by_operator", "_selected_action": [booking.pk], "reason": "Cabin reconfigured",
    })
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert LedgerEntry.objects.get(booking=booking, kind="refund").amount == Decimal("450000.00")


def test_transfer_form(ops_client, flight):
    booking = reserved_booking(flight)
    later = bookable_flight(
        code="NS-42", itinerary=flight.itinerary, vehicle=flight.vehicle, launch_at=flight.launch_at + dt.timedelta(days=7)
    )
    url = reverse("admin:tourism_booking_transfer", args=[booking.pk])
    assert ops_client.post(url, {"flight": later.pk, "reason": ""}).status_code == 200  # reason required
    response = ops_client.post(url, {"flight": later.pk, "reason": "Vehicle swap by operations"})
    new = Booking.objects.get(flight=later)
    assert response.status_code == 302 and new.status == "reserved"


def test_publishing_a_consent_document_numbers_the_version(ops_client, flight):
    response = ops_client.post(reverse("admin:tourism_consentdocument_add"), {
        "vehicle": flight.vehicle.pk, "known_hazards": "Revised: parachute failure.", "unknown_hazards": "",
        "government_statement": "",
    })
    assert response.status_code == 302
    latest = ConsentDocument.objects.filter(vehicle=flight.vehicle).order_by("-version").first()
    assert (latest.version, latest.known_hazards) == (2, "Revised: parachute failure.")
    assert latest.government_statement == ConsentDocument.GOVERNMENT_STATEMENT
    page = ops_client.get(reverse("admin:tourism_consentdocument_change", args=[latest.pk])).content.decode()
    assert 'name="known_hazards"' not in page  # a published version is read-only


def test_ledger_and_consent_records_are_read_only(ops_client, flight):
    booking = reserved_booking(flight)
    entry = LedgerEntry.objects.get(booking=booking)
    assert ops_client.get(reverse("admin:tourism_ledgerentry_add")).status_code == 403
    page = ops_client.get(reverse("admin:tourism_ledgerentry_change", args=[entry.pk])).content.decode()
    assert 'name="amount"' not in page
    response = ops_client.post(reverse("admin:tourism_ledgerentry_change", args=[entry.pk]), {"amount": "1"})
    assert response.status_code == 403
    assert ops_client.get(reverse("admin:tourism_booking_delete", args=[booking.pk])).status_code == 403
    assert ops_client.get(reverse("admin:tourism_booking_add")).status_code == 403
