"""Launch day in real browsers: the director opens the poll, two people answer for their positions from
their own browsers, the director's board updates without a reload, and the director declares GO."""

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from flights import roles
from flights.launch_windows import launch_windows_compute, launch_windows_request
from flights.models import Flight, Position, PositionAssignment, WeatherReport
from tests.e2e.conftest import log_in
from tests.flights.factories import FlightFactory, SpaceportFactory, VehicleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.launch_guards]
PASSWORD = "launch-day-password-1"

def person(django_user_model, username, role=None):
    user = django_user_model.objects.create(username=username, email=f"{username}@example.test",
                                            first_name=username.capitalize(), password=make_password(PASSWORD))
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user

@pytest.fixture
def flight_at_noon(django_user_model):
    """A verification hop from an equatorial range where it is about local noon right now, planned for now.

    The planned launch is now, not later: liftoff is declared at the moment the director clicks, and the
    windows are computed from the planned launch's UTC day, so a later NET could leave liftoff (just
    before midnight UTC) outside every computed window."""
    now = timezone.now().replace(microsecond=0)
    longitude = ((12 - (now.hour + now.minute / 60)) * 15 + 180) % 360 - 180
    port = SpaceportFactory(code="eqx", name="Equator Range", latitude_deg=0.0, longitude_deg=round(longitude, 3),
                            timezone="UTC")
    director = person(django_user_model, "director", roles.FLIGHT_DIRECTOR)
    flight = FlightFactory(code="V-1", itinerary=None, purpose=Flight.Purpose.UNCREWED_VERIFICATION,
                           vehicle=VehicleFactory(home_spaceport=port), spaceport=port,
                           launch_at=now, flight_director=director)
    Flight.objects.filter(pk=flight.pk).update(status=Flight.Status.SCHEDULED)
    launch_windows_compute(computation=launch_windows_request(flight=flight))
    weather_officer = person(django_user_model, "wendy")
    range_officer = person(django_user_model, "ravi")
    holders = {Position.WEATHER: weather_officer, Position.RANGE: range_officer}
    for position in Position.values:
        PositionAssignment.objects.create(flight=flight, position=position, person=holders.get(position, director))
    WeatherReport.objects.create(spaceport=port, valid_at=now, wind_kt=6, gust_kt=9)
    return flight

def answer(page, position_label, vote="GO"):
    page.select_option("select[name=position]", label=position_label)
    page.check(f"input[name=vote][value={'go' if vote == 'GO' else 'no_go'}]")
    page.click("button[name=submit-vote]")
    expect(page.locator(".messages")).to_contain_text("Your answer is recorded.")

def test_director_polls_two_positions_answer_and_the_board_updates_live(new_page, flight_at_noon):
    board_url = f"/flights/{flight_at_noon.pk}/poll/"
    director = new_page()
    log_in(director, "director", PASSWORD)
    director.goto(board_url)
    director.click("#open-poll")
    expect(director.locator("#poll-status")).to_have_text("Open")
    expect(director.locator("#position-weather .answer")).to_have_text("—")

    weather = new_page()
    log_in(weather, "wendy", PASSWORD)
    weather.goto(board_url)
    answer(weather, "Weather")
    ranger = new_page()
    log_in(ranger, "ravi", PASSWORD)
    ranger.goto(board_url)
    answer(ranger, "Range")

    # The director's page was not reloaded: htmx brought both answers in.
    expect(director.locator("#position-weather .answer")).to_contain_text("GO", timeout=10_000)
    expect(director.locator("#position-range .answer")).to_contain_text("GO", timeout=10_000)
    expect(director.locator("#board-summary")).to_contain_text("Not all GO yet.")

    director.reload()
    for label in ("Flight Director", "Vehicle", "Traffic (collision avoidance)", "Verification", "Medical",
                  "Manifest", "Recovery"):
        answer(director, label)
    expect(director.locator("#board-summary")).to_contain_text("Every position and every check is GO.")
    director.click("#declare-go")
    expect(director.locator(".messages")).to_contain_text("GO for launch. Liftoff recorded.")
    flight_at_noon.refresh_from_db()
    assert flight_at_noon.status == "launched"
    expect(weather.locator("#poll-status")).to_have_text("Go for launch", timeout=10_000)
