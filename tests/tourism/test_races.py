"""Races against PostgreSQL, with real threads and real connections: never a seat sold twice."""

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from tests.conftest import require_postgres
from tests.flights.factories import ItineraryFactory, VehicleFactory
from tests.tourism.factories import bookable_flight, passenger_with_profile
from tourism import services
from tourism.exceptions import SoldOut
from tourism.models import Booking, BookingStatusChange

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(work, arguments):
    """Run work(argument) in one thread each, released at the same instant; return their outcomes."""
    barrier = threading.Barrier(len(arguments))
    outcomes, guard = [], threading.Lock()

    def run(argument):
        try:
            barrier.wait(timeout=30)
            result = work(argument)
        except Exception as exc:  # every outcome is counted, including the unexpected
            result = exc
        finally:
            connection.close()
        with guard:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(outcomes) == len(arguments), "a thread did not finish"
    return outcomes


def test_fifty_concurrent_holds_on_six_seats_give_six_holds_and_44_sold_out():
    require_postgres()
    flight = bookable_flight(code="RACE-1")
    assert flight.seats_total == 6
    passengers = [passenger_with_profile() for _ in range(50)]
    outcomes = run_together(lambda user: services.booking_hold(flight=flight, user=user), passengers)
    kinds = Counter("held" if isinstance(o, Booking) else type(o).__name__ for o in outcomes)
    assert kinds == {"held": 6, "SoldOut": 44}, kinds
    assert all(str(o).startswith("Flight RACE-1 is sold out") for o in outcomes if isinstance(o, SoldOut))
    live = Booking.objects.filter(flight=flight, status__in=Booking.LIVE_STATUSES)
    assert sorted(live.values_list("seat_number", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert live.values("user").distinct().count() == 6


def test_one_passenger_racing_themself_gets_one_seat():
    require_postgres()
    flight = bookable_flight(code="RACE-2")
    user = passenger_with_profile()
    outcomes = run_together(lambda _: services.booking_hold(flight=flight, user=user), range(10))
    kinds = Counter("held" if isinstance(o, Booking) else type(o).__name__ for o in outcomes)
    assert kinds == {"held": 1, "AlreadyBooked": 9}, kinds


def test_two_sweeps_at_once_count_nothing_twice():
    require_postgres()
    itinerary, vehicle = ItineraryFactory(), VehicleFactory()
    long_ago = timezone.now() - dt.timedelta(hours=100)
    lapsed = []
    for day in range(4):
        flight = bookable_flight(
            itinerary=itinerary, vehicle=vehicle, launch_at=timezone.now() + dt.timedelta(days=60 + 3 * day)
        )
        lapsed += [services.booking_hold(flight=flight, user=passenger_with_profile(), now=long_ago) for _ in range(5)]
    now = timezone.now()
    for _ in range(3):  # a few rounds, so the two sweeps really overlap on some flights
        results = run_together(lambda _: services.booking_expire_lapsed_holds(now=now), range(2))
        assert not [r for r in results if isinstance(r, Exception)], results
        if any(r.expired_holds for r in results):
            assert sum(r.expired_holds for r in results) == 20
    assert Booking.objects.filter(pk__in=[b.pk for b in lapsed], status="expired").count() == 20
    expired_changes = BookingStatusChange.objects.filter(to_status="expired").values_list("booking_id", flat=True)
    assert sorted(expired_changes) == sorted(b.pk for b in lapsed)


def test_holds_and_a_sweep_at_once_never_oversell():
    require_postgres()
    flight = bookable_flight(code="RACE-3")
    long_ago = timezone.now() - dt.timedelta(hours=100)
    for _ in range(6):
        services.booking_hold(flight=flight, user=passenger_with_profile(), now=long_ago)
    passengers = [passenger_with_profile() for _ in range(12)]

    def work(user):
        if user is None:
            return services.booking_expire_lapsed_holds()
        return services.booking_hold(flight=flight, user=user)

    outcomes = run_together(work, [None, *passengers, None])
    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, SoldOut)]
    assert unexpected == []
    live = Booking.objects.filter(flight=flight, status__in=Booking.LIVE_STATUSES)
    assert live.count() == 6
    assert sorted(live.values_list("seat_number", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert Booking.objects.filter(flight=flight, status="expired").count() == 6
