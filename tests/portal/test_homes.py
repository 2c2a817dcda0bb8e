"""Role homes, navigation by role, log-in landing, the one flight page, error pages, formats."""

import datetime as dt
import logging
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from flights import formats
from flights.models import Flight, Notification
from flights.profile import flight_profile, weightless_seconds
from tests.flights.factories import (
    ItineraryFactory,
    OrbitalItineraryFactory,
    VehicleFactory,
    VehicleModelFactory,
    scheduled_flight,
)
from tests.querycounts import count_queries
from tests.tourism.factories import bookable_flight, passenger_with_profile, reserved_booking
from tests.twofactor import log_in

pytestmark = pytest.mark.django_db


def test_formats_for_people():
    chicago = dt.datetime(2099, 12, 12, 14, 0, tzinfo=dt.UTC)
    assert formats.moment_text(chicago, "America/Chicago") == "Sat 12 Dec 2099, 08:00 UTC-06:00 (14:00 UTC)"
    assert formats.moment_text(chicago, "Asia/Shanghai") == "Sat 12 Dec 2099, 22:00 UTC+08:00 (14:00 UTC)"
    assert formats.duration_text(dt.timedelta(minutes=11)) == "11 min"
    assert formats.duration_text(dt.timedelta(days=10)) == "10 days"
    assert formats.duration_text(dt.timedelta(hours=1, minutes=30)) == "1 h 30 min"
    assert formats.duration_text(530) == "8 min 50 s"
    assert formats.money_text(Decimal("1250000"), "USD") == "1,250,000.00 USD"


def test_staff_land_on_their_home_after_log_in(client, surgeon, director, operations, password):
    for user, home in ((surgeon, "portal:surgeon-home"), (director, "portal:director-home"),
                       (operations, "portal:operations-home")):
        client.logout()
        log_in(client, user)
        response = client.get(reverse("portal:home"))
        assert response.status_code == 302 and response["Location"] == reverse(home), user.username


def test_passenger_log_in_lands_on_their_trips(client, pax, password):
    response = client.post(reverse("login"), {"username": pax.username, "password": password})
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    assert client.get(reverse("portal:home"))["Location"] == reverse("portal:passenger-home")


def test_navigation_shows_each_role_its_own_links(client, pax, surgeon, operations):
    client.force_login(pax)
    page = client.get(reverse("portal:passenger-home")).content.decode()
    assert "My trips" in page and reverse("medical:home") in page and reverse("medical:review-queue") not in page
    client.logout()
    log_in(client, surgeon)
    page = client.get(reverse("portal:surgeon-home")).content.decode()
    assert reverse("medical:review-queue") in page and "My trips" not in page
    client.logout()
    log_in(client, operations)
    page = client.get(reverse("portal:operations-home")).content.decode()
    assert 'href="/home/today/" aria-current="page"' in page and reverse("admin:index") in page


def test_a_home_refuses_other_roles_with_the_styled_403_logged_in_one_line(client, pax, caplog):
    client.force_login(pax)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(reverse("portal:operations-home"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "This page is not available to you" in page and "This home is for the Operations role." in page
    assert 'class="site-header"' in page  # the portal's layout, not Django's bare page
    from portal.logging import ExpectedRefusalsOneLine

    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    ExpectedRefusalsOneLine().filter(records[0])
    assert records[0].exc_info is None and "Forbidden" in records[0].getMessage()


def test_404_and_500_pages_are_styled_and_plain(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "Page not found" in response.content.decode()
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert "something went wrong on our side" in page and "Traceback" not in page


def test_operations_today_lists_each_kind_of_work(client, operations):
    now = timezone.now()
    soon = bookable_flight(code="NS-61", launch_at=now + dt.timedelta(days=3))
    reserved = reserved_booking(soon, by=operations)  # balance outstanding: a transfer to record
    from tourism import services

    held = services.booking_hold(flight=soon, user=passenger_with_profile(),
                                 now=now - dt.timedelta(hours=60))
    Notification.objects.create(dedupe_key="stuck", recipient="a@example.test", subject="Stuck message", body="x",
                                created_at=now - dt.timedelta(hours=1))
    Notification.objects.create(dedupe_key="fresh", recipient="b@example.test", subject="Fresh message", body="x")
    log_in(client, operations)
    page = client.get(reverse("portal:operations-home")).content.decode()
    lapsing = page.split('id="lapsing"')[1].split("</section>")[0]
    assert f"Booking #{held.pk}" in lapsing
    transfers = page.split('id="transfers"')[1].split("</section>")[0]
    assert f"Booking #{reserved.pk}" in transfers and "150,000.00 USD" in transfers
    assert reverse("tourism:flight-manifest", args=[soon.pk]) in page
    failed = page.split('id="failed-messages"')[1].split("</section>")[0]
    assert "Stuck message" in failed and "Fresh message" not in failed


def test_operations_today_is_flat_in_queries(client, operations):
    now = timezone.now()
    log_in(client, operations)
    url = reverse("portal:operations-home")

    def add(n):
        for _ in range(n):
            flight = bookable_flight(launch_at=now + dt.timedelta(days=2))
            reserved_booking(flight, by=operations)

    add(1)
    one = count_queries(lambda: client.get(url))
    add(10)
    assert count_queries(lambda: client.get(url)) == one


def test_flight_page_public_part_and_staff_sections(client, operations):
    hop = bookable_flight(code="NS-41", itinerary=ItineraryFactory(name="Hop", apogee_km=107,
                                                                   duration=dt.timedelta(minutes=11)))
    page = client.get(hop.get_absolute_url()).content.decode()
    assert 'class="flight-profile"' in page and "Kármán line" in page and "weightless" in page
    assert 'id="vehicle-card"' in page and "Book a seat" in page and "11 min" in page
    assert 'id="operations"' not in page and "Readiness history" not in page
    log_in(client, operations)
    page = client.get(hop.get_absolute_url()).content.decode()
    assert 'id="operations"' in page and "Launch windows" in page


def test_profiles_come_from_the_trajectory_model():
    hop = scheduled_flight(itinerary=ItineraryFactory(apogee_km=107))
    profile = flight_profile(Flight.objects.select_related("itinerary", "vehicle__model", "spaceport").get(pk=hop.pk))
    assert profile is not None and 100 < profile.apogee_km < 115
    assert 170 < profile.weightless_s < 220  # about three minutes weightless, as New Shepard flies
    assert weightless_seconds(50) == 0.0  # below the free-fall altitude: no weightless time is claimed
    dragon = VehicleFactory(model=VehicleModelFactory(manufacturer="SpaceX", name="Crew Dragon", regime="orbital"))
    stay = scheduled_flight(vehicle=dragon, itinerary=OrbitalItineraryFactory(target_altitude_km=420,
                                                                              duration=dt.timedelta(days=10)))
    profile = flight_profile(Flight.objects.select_related("itinerary", "vehicle__model", "spaceport").get(pk=stay.pk))
    assert "420 km" in profile.summary and "10 days in orbit" in profile.summary


@override_settings(SITE_URL="http://127.0.0.1:8100")
def test_emailed_links_follow_the_site_url(operations, mailoutbox, django_capture_on_commit_callbacks):
    flight = bookable_flight(code="NS-45")
    with django_capture_on_commit_callbacks(execute=True):
        booking = reserved_booking(flight, by=operations)
    assert any(f"http://127.0.0.1:8100/bookings/{booking.pk}/" in m.body for m in mailoutbox)
    assert any("150,000.00 USD" in m.body for m in mailoutbox)


def test_admin_offers_only_flight_directors_for_the_flight_director(client, operations, director, pax):
    log_in(client, operations)
    page = client.get(reverse("admin:flights_flight_add")).content.decode()
    field = page.split('name="flight_director"')[1].split("</select>")[0]
    assert director.username in field and pax.username not in field


def conjunctions_in_orbit(director, n_red=1):
    """A flight in orbit with open events: `n_red` red undecided, one yellow decided, one green, one red closed."""
    from flights.traffic import services as traffic
    from flights.traffic.models import ProtectedObject
    from tests.flights.factories import FlightFactory
    from tests.traffic.factories import make_event

    flight = FlightFactory(status=Flight.Status.LAUNCHED, launched_at=timezone.now() - dt.timedelta(days=2),
                           flight_director=director, itinerary=OrbitalItineraryFactory(),
                           vehicle=VehicleFactory(model=VehicleModelFactory(regime="orbital")))
    protected = ProtectedObject.objects.create(flight=flight, kind="vehicle", designator=f"9{flight.pk:04d}",
                                               name=f"Capsule {flight.code}")
    for index in range(n_red):
        make_event(protected, tier="red", pc=3e-4, other=str(50000 + index))
    yellow = make_event(protected, tier="yellow", pc=3e-5, other="51000")
    traffic.decision_record(event=yellow, signer=director, password="correct-horse-battery-42", kind="monitor",
                            reason="Falling Pc", meaning="I decide to keep monitoring.")
    make_event(protected, tier="green", pc=1e-8, other="52000")
    closed = make_event(protected, tier="red", pc=2e-4, other="53000", tca=timezone.now() - dt.timedelta(hours=2))
    traffic.event_close(event=closed, outcome="Passed safely.", by=director)
    return protected


def test_director_and_operations_homes_link_the_board_with_open_red_and_yellow_counts(client, director, operations):
    conjunctions_in_orbit(director)
    for user, url in ((director, "portal:director-home"), (operations, "portal:operations-home")):
        client.logout()
        log_in(client, user)
        page = client.get(reverse(url)).content.decode()
        section = page.split('id="conjunctions"')[1].split("</section>")[0]
        assert f'href="{reverse("traffic:board")}" id="conjunction-board-link"' in section
        assert "1 red</span> and" in section and "1 yellow</span> open" in section
        assert "1 waiting for the flight director's decision" in section  # the yellow one is decided
    assert 'href="#conjunctions">Open conjunctions <span class="count">2</span>' in page


def test_homes_say_when_no_conjunction_is_open(client, director):
    log_in(client, director)
    page = client.get(reverse("portal:director-home")).content.decode()
    assert "No red or yellow conjunction is open." in page and 'id="conjunction-board-link"' in page


def test_conjunction_counts_keep_the_homes_flat_in_queries(client, director, operations):
    protected = conjunctions_in_orbit(director)
    from tests.traffic.factories import make_event

    for user, url in ((director, "portal:director-home"), (operations, "portal:operations-home")):
        client.logout()
        log_in(client, user)
        before = count_queries(lambda url=url: client.get(reverse(url)))
        for index in range(10):
            make_event(protected, tier="red" if index % 2 else "yellow", other=str(60000 + index + 100 * len(url)))
        assert count_queries(lambda url=url: client.get(reverse(url))) == before, url
