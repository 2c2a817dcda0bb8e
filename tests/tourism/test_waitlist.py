"""The waitlist: join a full flight; a seat that comes back is offered first in line, with a deadline."""

import datetime as dt

import pytest
from django.utils import timezone

from flights import services as flight_services
from flights.exceptions import InvalidTransition
from tests.tourism.factories import passenger_with_profile
from tourism import selectors, services
from tourism.exceptions import AlreadyBooked, SoldOut, WaitlistRefused
from tourism.models import WaitlistEntry

pytestmark = pytest.mark.django_db


def join(flight, user, **kwargs):
    return services.waitlist_join(flight=flight, user=user, **kwargs)


def test_join_only_when_full(pax, flight):
    with pytest.raises(WaitlistRefused, match="Flight NS-41 still has 6 seats left: hold one instead") as caught:
        join(flight, pax)
    assert caught.value.code == "seats_available"


def test_join_a_full_flight_and_wait_in_line(pax, other_pax, flight, full):
    first = join(flight, pax)
    second = join(flight, other_pax)
    assert (first.status, selectors.waitlist_position(first), selectors.waitlist_position(second)) == ("waiting", 1, 2)


def test_join_twice_or_with_a_seat_is_refused(pax, flight, full):
    join(flight, pax)
    with pytest.raises(WaitlistRefused, match="You are already on the waitlist of flight NS-41") as caught:
        join(flight, pax)
    assert caught.value.code == "already_waitlisted"
    with pytest.raises(AlreadyBooked, match="no need to wait for a seat"):
        join(flight, full[0].user)


def test_a_cancelled_seat_is_offered_to_the_first_in_line_with_an_email(
    pax, other_pax, flight, full, settings, mailoutbox, deliver_outbox
):
    settings.WAITLIST_OFFER_HOURS = 24
    first, second = join(flight, pax), join(flight, other_pax)
    now = timezone.now()
    services.booking_cancel(booking=full[2], by=full[2].user, now=now)
    deliver_outbox()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.offer_expires_at, second.status) == ("offered", now + dt.timedelta(hours=24), "waiting")
    offer_mail = [m for m in mailoutbox if m.to == [pax.email]]
    assert offer_mail and offer_mail[0].subject == "A seat on flight NS-41 is yours to hold"
    # The offered seat is kept for the first in line: nobody else can take it.
    with pytest.raises(SoldOut):
        services.booking_hold(flight=flight, user=passenger_with_profile(), now=now)
    booking = services.booking_hold(flight=flight, user=pax, now=now)
    first.refresh_from_db()
    assert (booking.seat_number, first.status, first.booking) == (3, "accepted", booking)


def test_an_offer_not_taken_passes_to_the_next_in_line(pax, other_pax, flight, full):
    first, second = join(flight, pax), join(flight, other_pax)
    now = timezone.now()
    services.booking_cancel(booking=full[0], by=full[0].user, now=now)
    later = now + dt.timedelta(hours=25)
    result = services.booking_expire_lapsed_holds(now=later)
    assert (result.lapsed_offers, result.offers_made) == (1, 1)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("lapsed", "offered")
    assert services.booking_expire_lapsed_holds(now=later).offers_made == 0


def test_an_expired_hold_goes_to_the_waitlist(pax, flight, full):
    entry = join(flight, pax)
    services.booking_expire_lapsed_holds(now=full[0].hold_expires_at)
    entry.refresh_from_db()
    assert entry.status == "offered"
    # All six holds lapsed together: one seat is kept for the offer, five are back on sale.
    assert selectors.flight_list_with_seats(now=full[0].hold_expires_at).get(pk=flight.pk).seats_left == 5


def test_declining_an_offer_passes_it_on(pax, other_pax, flight, full):
    first, second = join(flight, pax), join(flight, other_pax)
    services.booking_cancel(booking=full[0], by=full[0].user)
    first.refresh_from_db()
    services.waitlist_leave(entry=first, by=pax)
    second.refresh_from_db()
    assert second.status == "offered"


def test_leaving_twice_is_refused(pax, flight, full):
    entry = services.waitlist_leave(entry=join(flight, pax), by=pax)
    with pytest.raises(InvalidTransition, match="Cannot leave waitlist entry .*: it is left the waitlist."):
        services.waitlist_leave(entry=entry, by=pax)


def test_a_cancelled_flight_closes_its_waitlist(pax, flight, full, operations):
    entry = join(flight, pax)
    flight_services.flight_cancel(flight=flight, reason="Range unavailable", by=operations)
    entry.refresh_from_db()
    assert entry.status == "cancelled"
    assert not WaitlistEntry.objects.filter(status="offered").exists()


def test_holding_directly_ends_a_waiting_entry(pax, flight, full):
    entry = join(flight, pax)
    for booking in full[:2]:
        services.booking_cancel(booking=booking, by=booking.user)
    entry.refresh_from_db()
    assert entry.status == "offered"
    services.booking_hold(flight=flight, user=pax)
    entry.refresh_from_db()
    assert entry.status == "accepted"


# --- What a hold finds under the flight's lock (booking_hold reads the bookings and the offers once; the
# lapsed ones send it through release_lapsed) ------------------------------------------------------------


def test_a_hold_lapses_an_offer_alone_and_the_next_in_line_takes_its_seat(pax, other_pax, flight, full, settings):
    settings.WAITLIST_OFFER_HOURS = 24
    first, second = join(flight, pax), join(flight, other_pax)
    now = timezone.now()
    services.booking_cancel(booking=full[4], by=full[4].user, now=now)
    later = now + dt.timedelta(hours=25)  # the offer lapsed, the holds have not
    booking = services.booking_hold(flight=flight, user=other_pax, now=later)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (booking.seat_number, first.status, second.status, second.booking) == (5, "lapsed", "accepted", booking)


def test_a_hold_by_someone_not_waiting_leaves_the_waitlist_alone(pax, flight, full):
    entry = join(flight, pax)
    services.booking_cancel(booking=full[0], by=full[0].user)
    services.booking_cancel(booking=full[1], by=full[1].user)  # one seat offered to `pax`, one free
    booking = services.booking_hold(flight=flight, user=passenger_with_profile())
    entry.refresh_from_db()
    assert (booking.seat_number, entry.status) == (1, "offered")
