"""Portal pages: sign-up, catalog with filters, a flight with its seats, holds, consent, cancel, waitlist."""

import datetime as dt
import subprocess
import sys
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.flights.factories import OrbitalItineraryFactory, SpaceportFactory, VehicleFactory
from tests.querycounts import assert_flat_queries
from tests.tourism.factories import (
    bookable_flight,
    flight_adder,
    passenger_with_profile,
    pay_deposit,
    reserved_booking,
    sign,
)
from tests.twofactor import log_in
from tests.workers import ROOT
from tourism import services
from tourism.disclosure import disclosure_build
from tourism.models import Booking, WaitlistEntry

pytestmark = pytest.mark.django_db

SIGNUP = {
    "username": "neil",
    "email": "neil@example.test",
    "first_name": "Neil",
    "last_name": "Passenger",
    "password1": "tranquility-base-1969",
    "password2": "tranquility-base-1969",
    "legal_name": "Neil Alden Passenger",
    "date_of_birth": "1980-08-05",
    "nationality": "us",
    "passport_number": "a1234567",
    "mass_kg": "74.5",
    "height_cm": "180",
    "emergency_contact": "Janet Passenger, +1 555 0142",
}


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- Accounts ------------------------------------------------------------------------------------------------


def test_sign_up_creates_a_passenger_and_logs_in(client):
    response = client.post(reverse("tourism:signup"), SIGNUP)
    assert response.status_code == 302 and response["Location"] == reverse("tourism:itinerary-list")
    user = get_user_model().objects.get(username="neil")
    assert user.groups.filter(name="Passenger").exists()
    profile = user.passenger_profile
    assert (profile.nationality, profile.passport_number, profile.mass_kg) == ("US", "A1234567", Decimal("74.5"))
    assert "Welcome aboard" in page(client.get(reverse("tourism:itinerary-list")))


@pytest.mark.parametrize(
    "change,message",
    [
        ({"password2": "something-else-entirely"}, "The two passwords differ."),
        ({"nationality": "QQ"}, "is not an ISO 3166 alpha-2 country code"),
        ({"date_of_birth": "2999-01-01"}, "The date of birth must be in the past."),
        ({"password1": "short", "password2": "short"}, "This password is too short."),
        ({"mass_kg": "-4"}, "Ensure this value is greater than or equal to 20"),
        ({"email": "nope"}, "Enter a valid email address."),
    ],
)
def test_sign_up_shows_what_is_wrong(client, change, message):
    body = page(client.post(reverse("tourism:signup"), {**SIGNUP, **change}))
    assert message in body.replace("&#x27;", "'")
    assert not get_user_model().objects.filter(username="neil").exists()


def test_sign_up_refuses_a_taken_username(client, passenger):
    body = page(client.post(reverse("tourism:signup"), {**SIGNUP, "username": passenger.username}))
    assert "A user with that username already exists." in body


def test_profile_page_creates_and_updates_the_profile(client, passenger):
    client.force_login(passenger)
    data = {k: SIGNUP[k] for k in ("legal_name", "date_of_birth", "nationality", "passport_number", "mass_kg", "height_cm", "emergency_contact")}
    assert client.post(reverse("tourism:profile"), data).status_code == 302
    assert passenger.passenger_profile.legal_name == "Neil Alden Passenger"
    body = page(client.post(reverse("tourism:profile"), {**data, "height_cm": "20"}))
    assert "Ensure this value is greater than or equal to 100" in body
    assert 'value="Neil Alden Passenger"' in page(client.get(reverse("tourism:profile")))


# --- Catalog -------------------------------------------------------------------------------------------------


def test_catalog_shows_flights_with_seats_price_and_vehicle_record(client, flight):
    services.booking_hold(flight=flight, user=passenger_with_profile())
    body = page(client.get(reverse("tourism:itinerary-list")))
    assert flight.itinerary.name in body and "NS-41" in body
    assert '<span class="seats-left">5</span> of 6' in body
    assert "450,000.00 USD" in body and "deposit <span class=\"money\">150,000.00 USD" in body
    assert f"{flight.vehicle.name}</a>" in body and "0 flights flown" in body
    assert "UTC" in body


def test_catalog_filters_by_regime_spaceport_and_month(client):
    wtx = SpaceportFactory(code="wtx", name="West Texas")
    july = dt.datetime(2099, 7, 15, 14, tzinfo=dt.UTC)
    bookable_flight(code="JUL-1", vehicle=VehicleFactory(home_spaceport=wtx), launch_at=july)
    bookable_flight(code="AUG-1", launch_at=july + dt.timedelta(days=31))
    orbital = bookable_flight(
        code="AX-1", itinerary=OrbitalItineraryFactory(name="Station stay"),
        vehicle=VehicleFactory(model__regime="orbital", model__name="Dragon"), launch_at=july,
    )
    url = reverse("tourism:itinerary-list")
    month = page(client.get(url, {"month": "2099-07"}))
    assert "JUL-1" in month and "AX-1" in month and "AUG-1" not in month
    port = page(client.get(url, {"spaceport": "wtx"}))
    assert "JUL-1" in port and "AUG-1" not in port and "AX-1" not in port
    regime = page(client.get(url, {"regime": "orbital"}))
    assert "AX-1" in regime and "JUL-1" not in regime and orbital.itinerary.name in regime
    bad = page(client.get(url, {"month": "July"}))
    assert "Give the month as YYYY-MM" in bad


def test_catalog_updates_in_place_with_htmx(client, flight):
    response = client.get(reverse("tourism:itinerary-list"), {"month": flight.launch_at.strftime("%Y-%m")}, HTTP_HX_REQUEST="true")
    body = page(response)
    assert "NS-41" in body and "<html" not in body


def test_catalog_query_count_does_not_grow_with_flights(client):
    add = flight_adder(lambda flight: services.booking_hold(flight=flight, user=passenger_with_profile()))
    # the public version (config/fragments.py); itineraries, their flights with seats (one prefetch), the
    # spaceports of the filter. Adding flights changes the catalog, so both requests render it.
    assert_flat_queries(lambda: client.get(reverse("tourism:itinerary-list")), add, expected=4)


def catalog_section(response) -> str:
    body = page(response)
    return body[body.index("<h1>") : body.index("</main>")]


def test_catalog_is_rendered_once_and_again_after_each_change(client, flight):
    url = reverse("tourism:itinerary-list")
    first = catalog_section(client.get(url))
    assert '<span class="seats-left">6</span> of 6' in first
    with CaptureQueriesContext(connection) as kept:
        assert catalog_section(client.get(url)) == first
    assert len(kept.captured_queries) == 1  # the public version; nothing rendered again
    services.booking_hold(flight=flight, user=passenger_with_profile())
    assert '<span class="seats-left">5</span> of 6' in catalog_section(client.get(url))
    flight.itinerary.name = "West Texas Hop, renamed"
    flight.itinerary.save(update_fields=["name"])
    assert "West Texas Hop, renamed" in catalog_section(client.get(url))
    # Each filter is its own rendering; the htmx swap its own too.
    assert "NS-41" not in catalog_section(client.get(url, {"regime": "orbital"}))
    assert "NS-41" in page(client.get(url, {"month": flight.launch_at.strftime("%Y-%m")}, HTTP_HX_REQUEST="true"))


def test_a_kept_catalog_lives_at_most_its_fragment_lifetime(client, flight, settings, monkeypatch):
    import django.core.cache.backends.locmem as locmem

    url = reverse("tourism:itinerary-list")
    client.get(url)
    later = locmem.time.time() + settings.FRAGMENT_CACHE_SECONDS + 1
    monkeypatch.setattr(locmem, "time", type("Clock", (), {"time": staticmethod(lambda: later)}))
    with CaptureQueriesContext(connection) as expired:
        client.get(url)
    assert len(expired.captured_queries) == 4  # rendered again, as test_catalog_query_count... counts


@pytest.mark.django_db(transaction=True)
def test_a_change_another_process_commits_shows_on_the_next_request(client, worker_env):
    flight = bookable_flight(code="NS-41")
    booking = services.booking_hold(flight=flight, user=passenger_with_profile())
    url = reverse("tourism:itinerary-list")
    assert '<span class="seats-left">5</span> of 6' in catalog_section(client.get(url))
    cancel = (
        "from tourism import services; from tourism.models import Booking; "
        f"services.booking_cancel(booking=Booking.objects.get(pk={booking.pk}), by=None)"
    )
    subprocess.run([sys.executable, "manage.py", "shell", "-c", cancel], cwd=ROOT, env=worker_env, check=True)
    assert '<span class="seats-left">6</span> of 6' in catalog_section(client.get(url))


def test_flight_page_query_count_does_not_grow_with_bookings(client):
    flight = bookable_flight(vehicle=VehicleFactory(model__passenger_seats=60))
    client.force_login(passenger_with_profile())

    def add(n):
        for _ in range(n):
            services.booking_hold(flight=flight, user=passenger_with_profile())

    url = reverse("flights:flight-detail", args=[flight.pk])
    # session, account, its roles; the public version (config/fragments.py); the flight with its seats and
    # record; a position on it; the passenger's own booking or waitlist place and verified address. Each hold
    # changes the flight's seats, so both requests load the flight.
    assert_flat_queries(lambda: client.get(url), add, expected=7)
    with CaptureQueriesContext(connection) as kept:
        client.get(url)
    assert len(kept.captured_queries) == 6  # nothing changed: the flight, its seats and its drawing are kept


def test_itinerary_page_lists_its_flights(client, flight):
    body = page(client.get(flight.itinerary.get_absolute_url()))
    assert "NS-41" in body and "Balance due" in body and "90 days before launch" in body


# --- A flight and its seats ----------------------------------------------------------------------------------


def test_flight_page_offers_a_hold_or_the_waitlist(client, pax, flight):
    old = client.get(reverse("tourism:flight-detail", args=[flight.pk]))  # the catalog's old address
    url = reverse("flights:flight-detail", args=[flight.pk])
    assert old.status_code == 301 and old["Location"] == url
    anonymous = page(client.get(url))
    assert "6 of 6 seats left" in anonymous.replace('<span class="seats-left">', "").replace("</span>", "")
    assert "Create an account" in anonymous
    client.force_login(pax)
    assert "Hold a seat" in page(client.get(url))
    for _ in range(6):
        services.booking_hold(flight=flight, user=passenger_with_profile())
    full = page(client.get(url))
    assert "Full" in full and "Join the waitlist" in full and "Hold a seat" not in full


def test_hold_from_the_portal(client, pax, flight, run_on_commit, mailoutbox):
    client.force_login(pax)
    with run_on_commit():
        response = client.post(reverse("tourism:flight-hold", args=[flight.pk]))
    booking = Booking.objects.get(user=pax)
    assert response.status_code == 302 and response["Location"] == booking.get_absolute_url()
    assert [m.subject for m in mailoutbox] == [f"Booking #{booking.pk} on flight NS-41: held"]
    assert "Seat 1 on NS-41 is held until" in mailoutbox[0].body or "is held for you until" in mailoutbox[0].body
    body = page(client.get(booking.get_absolute_url()))
    assert "Seat 1 on NS-41 is held for you" in body
    assert "INFORMED CONSENT OF A SPACE FLIGHT PARTICIPANT" in body and "Sign informed consent" in body


def test_hold_refusals_show_as_messages(client, pax, passenger, flight):
    client.force_login(pax)
    for _ in range(6):
        services.booking_hold(flight=flight, user=passenger_with_profile())
    response = client.post(reverse("tourism:flight-hold", args=[flight.pk]), follow=True)
    assert "Flight NS-41 is sold out" in page(response)


def test_hold_without_a_profile_goes_to_the_profile_page(client, passenger, flight):
    client.force_login(passenger)
    response = client.post(reverse("tourism:flight-hold", args=[flight.pk]))
    assert response["Location"].startswith(reverse("tourism:profile"))


def test_hold_needs_a_login_and_a_post(client, flight, pax):
    response = client.post(reverse("tourism:flight-hold", args=[flight.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    client.force_login(pax)
    assert client.get(reverse("tourism:flight-hold", args=[flight.pk])).status_code == 405


# --- Booking page: consent, payments, cancellation -----------------------------------------------------------


def test_sign_consent_on_the_booking_page(client, pax, flight, operations):
    booking = services.booking_hold(flight=flight, user=pax)
    client.force_login(pax)
    url = reverse("tourism:booking-consent", args=[booking.pk])
    sha = disclosure_build(flight.vehicle).sha256
    wrong = page(client.post(url, {"legal_name": "Pat Q. Tester", "password": "nope", "disclosure_sha256": sha}))
    assert "The password is not correct." in wrong
    response = client.post(url, {"legal_name": "Pat Q. Tester", "password": PASSWORD, "disclosure_sha256": sha})
    assert response.status_code == 302
    body = page(client.get(booking.get_absolute_url()))
    assert "Signed by Pat Q. Tester" in body and sha in body
    assert "Transfer 150,000.00 USD to" in body  # bank-transfer instructions once consent is signed
    pay_deposit(booking, by=operations)
    assert 'id="booking-status">Reserved' in page(client.get(booking.get_absolute_url()))


def test_a_changed_disclosure_is_shown_again(client, pax, flight, operations):
    from flights import services as flight_services

    booking = services.booking_hold(flight=flight, user=pax)
    client.force_login(pax)
    sha = disclosure_build(flight.vehicle).sha256
    flight_services.vehicle_ground(vehicle=flight.vehicle, reason="Hard landing on NS-40", by=operations)
    response = client.post(
        reverse("tourism:booking-consent", args=[booking.pk]),
        {"legal_name": "Pat Q. Tester", "password": PASSWORD, "disclosure_sha256": sha}, follow=True,
    )
    body = page(response)
    assert "The disclosure changed while you were reading it" in body and "Hard landing on NS-40" in body


def test_stale_consent_is_asked_again(client, flight, operations):
    from flights import services as flight_services

    booking = reserved_booking(flight)
    flight_services.vehicle_ground(vehicle=flight.vehicle, reason="Parachute anomaly", by=operations)
    client.force_login(booking.user)
    body = page(client.get(booking.get_absolute_url()))
    assert "Your earlier consent is no longer current" in body and "Parachute anomaly" in body
    assert "Sign informed consent" in body


def test_another_passengers_booking_is_404(client, pax, other_pax, flight):
    theirs = services.booking_hold(flight=flight, user=other_pax)
    client.force_login(pax)
    for name in ("booking-detail", "booking-cancel"):
        assert client.get(reverse(f"tourism:{name}", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("tourism:booking-consent", args=[theirs.pk]), {}).status_code == 404
    assert client.post(reverse("tourism:booking-cancel", args=[theirs.pk]), {"quoted_refund": "0"}).status_code == 404


def test_cancel_shows_the_refund_before_confirming(client, flight):
    booking = reserved_booking(flight)
    client.force_login(booking.user)
    url = reverse("tourism:booking-cancel", args=[booking.pk])
    body = page(client.get(url))
    assert "the refund is <span class=\"refund money\" id=\"refund\">125,000.00 USD" in body
    assert "non-refundable part of the deposit" in body
    booking.refresh_from_db()
    assert booking.status == "reserved"  # looking does not cancel
    stale = page(client.post(url, {"quoted_refund": "150000.00", "reason": ""}))
    assert "The refund is now 125,000.00 USD: confirm again to cancel." in stale
    response = client.post(url, {"quoted_refund": "125000.00", "reason": "Plans changed"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert "cannot be cancelled" in page(client.get(url))


def test_transfer_from_the_booking_page(client, pax, flight):
    booking = services.booking_hold(flight=flight, user=pax)
    later = bookable_flight(code="NS-42", itinerary=flight.itinerary, vehicle=flight.vehicle, launch_at=flight.launch_at + dt.timedelta(days=7))
    client.force_login(pax)
    assert "NS-42" in page(client.get(booking.get_absolute_url()))
    response = client.post(reverse("tourism:booking-transfer", args=[booking.pk]), {"flight": later.pk})
    new = Booking.objects.get(flight=later)
    assert response["Location"] == new.get_absolute_url()
    bad = client.post(reverse("tourism:booking-transfer", args=[new.pk]), {"flight": 999999})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()


# --- My bookings and the waitlist ------------------------------------------------------------------------------


def test_my_bookings_and_waitlist(client, pax, flight):
    other = bookable_flight(code="FULL-1", vehicle=VehicleFactory(model__passenger_seats=1))
    services.booking_hold(flight=other, user=passenger_with_profile())
    booking = services.booking_hold(flight=flight, user=pax)
    client.force_login(pax)
    response = client.post(reverse("tourism:flight-waitlist", args=[other.pk]), follow=True)
    body = page(response)
    assert f"#{booking.pk}" in body and "FULL-1" in body and "number 1 in line" in body
    entry = WaitlistEntry.objects.get(user=pax)
    page(client.post(reverse("tourism:waitlist-leave", args=[entry.pk]), follow=True))
    entry.refresh_from_db()
    assert entry.status == "left"
    refused = page(client.post(reverse("tourism:flight-waitlist", args=[flight.pk]), follow=True))
    assert "You already have booking" in refused


def test_my_bookings_query_count_does_not_grow(client):
    user = passenger_with_profile()
    add = flight_adder(lambda flight: sign(services.booking_hold(flight=flight, user=user)))
    log_in(client, user)
    # session, user, roles, the filter form's flight choices, bookings, waitlist, the profile check.
    assert_flat_queries(lambda: client.get(reverse("tourism:booking-list")), add, expected=7)


def test_pages_are_phone_ready_and_self_contained(client, pax, flight):
    booking = services.booking_hold(flight=flight, user=pax)
    client.force_login(pax)
    for url in (reverse("tourism:itinerary-list"), booking.get_absolute_url(), reverse("tourism:booking-list")):
        body = page(client.get(url))
        assert 'name="viewport"' in body and "/static/tourism/tourism.css" in body
        assert "https://" not in body and "<script>" not in body
