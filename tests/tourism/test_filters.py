"""BookingFilter and WaitlistEntryFilter: one FilterSet each, the same through the API and "My bookings".

A filter narrows the passenger's own rows only; a bad value is a 400 with the field named in the API
and a form error on the page, never a 500; query counts stay flat with filters applied.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from flights.models import Flight
from tests.querycounts import assert_flat_queries
from tests.tourism.factories import bookable_flight, flight_adder, passenger_with_profile, sign
from tests.twofactor import log_in
from tourism import services

pytestmark = pytest.mark.django_db
BOOKINGS = "/api/v1/bookings/"


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def assert_bad_filter(response, field: str):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid" and set(body) == {"code", "detail", "fields"}
    assert field in body["fields"] and field in body["detail"]


@pytest.fixture
def bookings(pax, other_pax):
    """pax: a held seat on NS-41, a cancelled one on NS-42, a held one on NS-40 which launched last week."""
    soon, later, gone = (bookable_flight(code=code, launch_at=timezone.now() + dt.timedelta(days=days))
                         for code, days in (("NS-41", 120), ("NS-42", 160), ("NS-40", 200)))
    held = services.booking_hold(flight=soon, user=pax)
    cancelled = services.booking_cancel(booking=services.booking_hold(flight=later, user=pax), by=pax)
    past = services.booking_hold(flight=gone, user=pax)
    Flight.objects.filter(pk=gone.pk).update(launch_at=timezone.now() - dt.timedelta(days=7))
    theirs = services.booking_hold(flight=bookable_flight(code="VG-12"), user=other_pax)
    return {"held": held, "cancelled": cancelled, "past": past, "theirs": theirs}


def test_api_bookings_filter_by_status_flight_and_when(pax, bookings):
    client = api(pax)
    held, cancelled, past = bookings["held"], bookings["cancelled"], bookings["past"]
    assert ids(client.get(BOOKINGS)) == {held.pk, cancelled.pk, past.pk}
    assert ids(client.get(BOOKINGS, {"status": "held"})) == {held.pk, past.pk}
    assert ids(client.get(BOOKINGS, {"status": "cancelled"})) == {cancelled.pk}
    assert ids(client.get(BOOKINGS, {"flight": cancelled.flight_id})) == {cancelled.pk}
    assert ids(client.get(BOOKINGS, {"upcoming": "true"})) == {held.pk, cancelled.pk}
    assert ids(client.get(BOOKINGS, {"upcoming": "false"})) == {past.pk}
    assert ids(client.get(BOOKINGS, {"status": "held", "upcoming": "true"})) == {held.pk}


def test_api_bookings_refuse_bad_filters_with_the_error_body(pax, bookings):
    client = api(pax)
    assert_bad_filter(client.get(BOOKINGS, {"status": "boarding"}), "status")
    assert_bad_filter(client.get(BOOKINGS, {"flight": "NS-41"}), "flight")
    # Another passenger's flight is not one of yours to filter by: refused, not an empty page that confirms it.
    assert_bad_filter(client.get(BOOKINGS, {"flight": bookings["theirs"].flight_id}), "flight")


def test_api_booking_list_with_filters_is_flat():
    user = passenger_with_profile()
    add = flight_adder(lambda flight: sign(services.booking_hold(flight=flight, user=user)))
    client = api(user)
    # token, bookings' count, the page (amount paid annotated).
    assert_flat_queries(lambda: client.get(BOOKINGS, {"status": "held", "upcoming": "true"}), add, expected=3)


def test_api_waitlist_filters_by_status(pax, other_pax):
    full = bookable_flight(code="VG-12", vehicle__model__passenger_seats=1)
    services.booking_hold(flight=full, user=other_pax)
    entry = services.waitlist_join(flight=full, user=pax)
    client = api(pax)
    assert ids(client.get("/api/v1/waitlist/", {"status": "waiting"})) == {entry.pk}
    assert ids(client.get("/api/v1/waitlist/", {"status": "left", "upcoming": "true"})) == set()
    assert ids(client.get("/api/v1/waitlist/", {"flight": full.pk})) == {entry.pk}
    assert_bad_filter(client.get("/api/v1/waitlist/", {"status": "queued"}), "status")


def page(response) -> str:
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def test_my_bookings_page_filters_through_the_same_filterset(client, pax, bookings):
    log_in(client, pax)
    url = reverse("tourism:booking-list")
    body = page(client.get(url))
    assert '<select name="status"' in body and '<select name="flight"' in body and 'name="upcoming"' in body
    # The flight choices are the passenger's own flights only.
    assert ">NS-41<" in body and ">VG-12<" not in body
    held, cancelled, past = (reverse("tourism:booking-detail", args=[bookings[key].pk]) for key in ("held", "cancelled", "past"))
    body = page(client.get(url, {"status": "held", "upcoming": "true"}))
    assert held in body and cancelled not in body and past not in body
    body = page(client.get(url, {"status": "cancelled"}))
    assert cancelled in body and held not in body
    assert "No bookings match these filters." in page(client.get(url, {"status": "flown"}))


def test_my_bookings_page_shows_a_bad_filter_as_a_form_error(client, pax, bookings):
    log_in(client, pax)
    body = page(client.get(reverse("tourism:booking-list"), {"status": "boarding", "flight": "x"}))
    assert 'class="errorlist"' in body
    assert "Status: Select a valid choice. boarding is not one of the available choices." in body
    assert "Flight: Select a valid choice." in body


def test_my_bookings_page_with_filters_is_flat(client):
    user = passenger_with_profile()
    add = flight_adder(lambda flight: sign(services.booking_hold(flight=flight, user=user)))
    log_in(client, user)
    # session, user, the flight choices, bookings, waitlist, the profile check: as without filters.
    assert_flat_queries(
        lambda: client.get(reverse("tourism:booking-list"), {"status": "held", "upcoming": "true"}), add, expected=7
    )
