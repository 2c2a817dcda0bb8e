"""Booking work through the real broker and a real worker: the transition email and the expiry sweep."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from tests.tourism.factories import bookable_flight, passenger_with_profile
from tests.verification.factories import certified_vehicle
from tourism import services, tasks
from tourism.models import Booking, BookingStatusChange

pytestmark = [pytest.mark.worker, pytest.mark.redis]


def wait_for(condition, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_committed_hold_is_emailed_by_the_worker_and_the_sweep_expires_it(celery_worker_process, operations,
                                                                             director, other_director):
    flight = bookable_flight(vehicle=certified_vehicle(ops=operations, directors=[director, other_director]))
    # A hold committed for real: its email is in the outbox, and the on-commit wake-up has the worker send it.
    booking = services.booking_hold(flight=flight, user=passenger_with_profile())
    change = BookingStatusChange.objects.get(booking=booking)
    assert wait_for(lambda: BookingStatusChange.objects.get(pk=change.pk).notified_at is not None)

    lapsed = services.booking_hold(
        flight=flight, user=passenger_with_profile(), now=timezone.now() - dt.timedelta(hours=100)
    )
    result = tasks.expire_lapsed_holds.delay()
    assert result.get(timeout=90) == {"expired_holds": 1, "lapsed_offers": 0, "offers_made": 0}
    assert Booking.objects.get(pk=lapsed.pk).status == "expired"
    assert tasks.expire_lapsed_holds.delay().get(timeout=90)["expired_holds"] == 0
