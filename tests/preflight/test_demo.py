"""The demo passenger's seat on NS-41, the next commercial flight, has every pre-flight record."""

import pytest
from django.utils import timezone

from flights import demo
from tourism.models import Booking
from tourism.preflight import gates, selectors
from tourism.preflight.models import SecurityScreening, TrainingModule, TrainingRecord, WaiverOfClaims

pytestmark = pytest.mark.django_db


def test_demo_passenger_is_ready_to_fly_ns41_and_a_second_load_adds_nothing():
    demo.load()
    booking = Booking.objects.select_related("flight", "user").get(user__username="passenger", flight__code="NS-41")
    for gate in gates.PREFLIGHT_GATES:
        assert gate(booking, now=timezone.now()) is None, gate.__name__
    status = selectors.training_status(booking.user, booking.flight)
    assert status.hours_done == status.hours_required == 14
    guest = Booking.objects.get(user__username="lin", flight__code="VG-12")
    assert "Training incomplete" in gates.training_complete(guest, now=timezone.now())
    counts = [m.objects.count() for m in (TrainingModule, TrainingRecord, WaiverOfClaims, SecurityScreening)]
    demo.load()
    assert [m.objects.count() for m in (TrainingModule, TrainingRecord, WaiverOfClaims, SecurityScreening)] == counts
    assert all(counts)
