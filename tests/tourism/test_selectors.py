"""Seats left as lists show them: the SQL seat count agrees with the booking rules in every state."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from flights.models import Flight
from tests.flights.factories import VehicleFactory
from tests.tourism.factories import bookable_flight, passenger_with_profile
from tourism import selectors
from tourism.models import Booking, WaitlistEntry

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
HOUR = dt.timedelta(hours=1)


def _booking(flight, status, *, seat, hold_expires_at=None):
    return Booking.objects.create(
        user=passenger_with_profile(),
        flight=flight,
        seat_number=seat,
        status=status,
        hold_expires_at=hold_expires_at,
        reserved_at=NOW if status in {"reserved", "manifested", "flown", "no_show"} else None,
        price=Decimal("1000.00"),
        deposit=Decimal("100.00"),
        deposit_non_refundable=Decimal("0.00"),
        currency="USD",
    )


def _offer(flight, *, expires_at, user=None):
    return WaitlistEntry.objects.create(
        flight=flight,
        user=user or passenger_with_profile(),
        status=WaitlistEntry.Status.OFFERED,
        offered_at=expires_at - 24 * HOUR,
        offer_expires_at=expires_at,
    )


@pytest.fixture
def crowded_flight():
    """A 9-seat flight with a booking in every status, held seats lapsing at NOW + 1 h and + 3 h, and waitlist
    offers lapsing at NOW + 2 h and + 4 h (plus one waiting entry, which takes nothing)."""
    flight = bookable_flight(vehicle=VehicleFactory(model__passenger_seats=9))
    seats = itertools.count(1)
    for status in ("awaiting_consent", "reserved", "manifested", "cancelled", "expired", "transferred"):
        _booking(flight, status, seat=next(seats))
    for lapse_h in (1, 3):
        _booking(flight, Booking.Status.HELD, seat=next(seats), hold_expires_at=NOW + lapse_h * HOUR)
    offers = [_offer(flight, expires_at=NOW + lapse_h * HOUR) for lapse_h in (2, 4)]
    WaitlistEntry.objects.create(flight=flight, user=passenger_with_profile())
    return flight, offers


@pytest.mark.parametrize(
    ("hours_later", "seats_left"),
    [
        (0, 9 - 3 - 2 - 2),  # awaiting consent, reserved, manifested; two holds; two offers
        (1, 9 - 3 - 1 - 2),  # the first hold lapsed at that very second: it no longer counts
        (2.5, 9 - 3 - 1 - 1),
        (5, 9 - 3),  # every hold and offer lapsed, before any sweep has expired them
    ],
)
def test_seats_left_counts_live_bookings_and_open_offers_at_the_given_time(crowded_flight, hours_later, seats_left):
    flight, _ = crowded_flight
    now = NOW + hours_later * HOUR
    listed = selectors.flight_list_with_seats(now=now).get(pk=flight.pk)
    assert listed.seats_left == seats_left
    # The rule in ORM terms (seats_taken_filter), counted independently of the SQL expression.
    taken = Booking.objects.filter(selectors.seats_taken_filter(now), flight=flight).count()
    offered = WaitlistEntry.objects.filter(flight=flight, status="offered", offer_expires_at__gt=now).count()
    assert listed.seats_left == flight.seats_total - taken - offered
    assert selectors.flight_seats_left_snapshot(flight, now=now) == seats_left


def test_a_passenger_offered_a_seat_does_not_count_their_own_offer(crowded_flight):
    flight, offers = crowded_flight
    assert selectors.flight_seats_left_snapshot(flight, now=NOW) == 2
    assert selectors.flight_seats_left_snapshot(flight, now=NOW, for_user=offers[0].user) == 3


def test_seats_left_never_below_zero_and_full_flights_are_not_bookable():
    full = bookable_flight(vehicle=VehicleFactory(model__passenger_seats=1))
    _booking(full, Booking.Status.RESERVED, seat=1)
    _offer(full, expires_at=NOW + HOUR)  # an offer on a full flight (a seat came back, then was taken)
    open_flight = bookable_flight(vehicle=VehicleFactory(model__passenger_seats=1))
    assert selectors.flight_list_with_seats(now=NOW).get(pk=full.pk).seats_left == 0
    bookable = selectors.flight_filter_bookable(selectors.flight_list_with_seats(now=NOW), now=NOW)
    assert list(bookable.values_list("pk", flat=True)) == [open_flight.pk]
    # Inside another query (bookable=false's pk__in) the count still follows each inner row.
    others = Flight.objects.exclude(pk__in=bookable.values("pk"))
    assert list(others.values_list("pk", flat=True)) == [full.pk]


def test_the_vehicle_record_counts_flights_flown_before_and_in_the_system():
    flight = bookable_flight()
    vehicle = flight.vehicle
    for days_ago, status in ((30, "landed"), (20, "completed"), (10, "cancelled")):
        Flight.objects.create(
            code=f"OLD-{days_ago}",
            itinerary=flight.itinerary,
            vehicle=vehicle,
            spaceport=flight.spaceport,
            launch_at=NOW - days_ago * 24 * HOUR,
            launched_at=NOW - days_ago * 24 * HOUR,
            status=status,
        )
    listed = selectors.flight_list_with_seats(now=NOW).get(pk=flight.pk)
    assert listed.vehicle_flights_flown == vehicle.flights_before_tracking + 2


def test_a_page_reads_the_same_seats_and_own_places_whether_loaded_with_the_flight_or_asked_after(crowded_flight):
    flight, offers = crowded_flight
    holder = Booking.objects.filter(flight=flight, status="held").first().user
    unverified = passenger_with_profile(user__email_verified=False)
    loaded = selectors.flight_annotate_seats(Flight.objects.filter(pk=flight.pk), now=NOW).get()
    for user in (holder, offers[0].user, unverified, passenger_with_profile(), AnonymousUser()):
        with_flight = selectors.flight_seats_for(loaded, user=user, now=NOW)
        asked = selectors.flight_seats_for(Flight.objects.get(pk=flight.pk), user=user, now=NOW)
        assert with_flight == asked
    assert asked == selectors.FlightSeatsFor(2, flight.vehicle.flights_before_tracking, None, None, True)
    assert selectors.flight_seats_for(flight, user=holder, now=NOW).booking.user == holder
    assert selectors.flight_seats_for(flight, user=offers[0].user, now=NOW).waitlist_entry == offers[0]
    assert selectors.flight_seats_for(flight, user=unverified, now=NOW).email_verified is False
