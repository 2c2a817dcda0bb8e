"""The demo shows the booking journey: a reserved seat with consent, a full flight with a waitlist."""

import pytest

from flights import demo
from tourism.disclosure import consent_state
from tourism.models import Booking, ConsentDocument, IndustrySafetyRecord, WaitlistEntry

pytestmark = pytest.mark.django_db


def test_demo_passenger_has_a_reserved_seat_and_a_waitlist_place():
    demo.load()
    booking = Booking.objects.get(user__username="passenger", flight__code="NS-41")
    assert booking.status == "reserved"
    assert consent_state(signature=booking.consent, vehicle=booking.flight.vehicle).is_current
    assert Booking.objects.filter(flight__code="VG-12", status="reserved").count() == 4
    entry = WaitlistEntry.objects.get(user__username="passenger", flight__code="VG-12")
    assert entry.status == "waiting"
    assert ConsentDocument.objects.count() >= 4 and IndustrySafetyRecord.objects.exists()
    demo.load()
    assert Booking.objects.filter(user__username="passenger").count() == 1
