"""What the database itself refuses: double seats, double bookings, holds without expiry, bad money."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.tourism.factories import PassengerProfileFactory, passenger_with_profile
from tourism import services
from tourism.models import Booking, LedgerEntry, PassengerProfile, WaitlistEntry

pytestmark = pytest.mark.django_db


def raw_booking(flight, user, **kwargs):
    values = dict(
        flight=flight, user=user, seat_number=1, status="held", hold_expires_at=timezone.now() + dt.timedelta(hours=1),
        price=Decimal("100"), deposit=Decimal("10"), deposit_non_refundable=Decimal("1"), currency="USD",
    )
    values.update(kwargs)
    return Booking.objects.create(**values)


def refused(**kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_booking(**kwargs)


def test_a_seat_is_unique_among_live_bookings(flight):
    raw_booking(flight, passenger_with_profile())
    refused(flight=flight, user=passenger_with_profile())
    raw_booking(flight, passenger_with_profile(), status="cancelled")  # a dead booking does not hold the seat


def test_one_live_seat_per_passenger_per_flight(flight, pax):
    raw_booking(flight, pax)
    refused(flight=flight, user=pax, seat_number=2)


def test_a_hold_has_an_expiry_and_the_terms_are_consistent(flight, pax):
    refused(flight=flight, user=pax, hold_expires_at=None)
    refused(flight=flight, user=pax, deposit=Decimal("200"))
    refused(flight=flight, user=pax, seat_number=0)
    refused(flight=flight, user=pax, status="lost")
    refused(flight=flight, user=pax, status="reserved")  # reserved needs its time


def test_ledger_amounts_are_positive_and_payment_references_unique(flight, pax):
    booking = raw_booking(flight, pax)
    entry = dict(booking=booking, kind="deposit", currency="USD", provider="bank_transfer")
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(amount=Decimal("-1"), reference="A", **entry)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(amount=Decimal("1"), reference="A", **{**entry, "currency": "usd"})
    LedgerEntry.objects.create(amount=Decimal("1"), reference="R-1", **entry)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(amount=Decimal("1"), reference="R-1", **entry)
    LedgerEntry.objects.create(amount=Decimal("1"), reference="", **entry)
    LedgerEntry.objects.create(amount=Decimal("1"), reference="", **entry)  # no reference, no uniqueness


def test_profile_constraints():
    profile = PassengerProfileFactory()
    for field, value in (("mass_kg", Decimal("5")), ("height_cm", 20), ("nationality", "us"), ("legal_name", "")):
        with pytest.raises(IntegrityError), transaction.atomic():
            PassengerProfile.objects.filter(pk=profile.pk).update(**{field: value})


def test_one_active_waitlist_entry_per_passenger(flight, pax):
    WaitlistEntry.objects.create(flight=flight, user=pax)
    with pytest.raises(IntegrityError), transaction.atomic():
        WaitlistEntry.objects.create(flight=flight, user=pax)
    with pytest.raises(IntegrityError), transaction.atomic():
        WaitlistEntry.objects.create(flight=flight, user=passenger_with_profile(), status="offered")


def test_age_on_a_date():
    profile = PassengerProfileFactory.build(date_of_birth=dt.date(2008, 2, 29))
    assert profile.age_on(dt.date(2026, 2, 28)) == 17
    assert profile.age_on(dt.date(2026, 3, 1)) == 18


def test_string_forms(flight, pax):
    booking = services.booking_hold(flight=flight, user=pax)
    assert str(booking) == f"#{booking.pk} (NS-41, seat 1)"
    assert str(booking.status_changes.get()) == f"Booking #{booking.pk}: new -> held"
    assert str(pax.passenger_profile) == "Pat Q. Tester"
    assert booking.can_transition_to("reserved") and not booking.can_transition_to("flown")
