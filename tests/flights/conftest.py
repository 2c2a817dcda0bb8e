"""Flights tests test the flights app's own rules; fixtures for launch day: a flight an hour before launch
with its whole launch team."""

import datetime as dt

import pytest
from django.contrib.auth.hashers import make_password

from flights.launch_windows import launch_windows_request
from flights.models import Flight, LaunchWindow, Position, PositionAssignment, WeatherReport
from tests.flights.factories import FlightFactory, SpaceportFactory, VehicleFactory

LAUNCH = dt.datetime(2030, 6, 12, 15, 0, tzinfo=dt.UTC)  # 09:00 MDT at Spaceport America
NOW = LAUNCH - dt.timedelta(hours=1)


@pytest.fixture
def crew_of_positions(django_user_model, director):
    people = {Position.FLIGHT_DIRECTOR.value: director}
    for position in Position.values:
        if position != Position.FLIGHT_DIRECTOR:
            people[position] = django_user_model.objects.create(
                username=f"pos-{position}", email=f"{position}@example.test", password=make_password("x" * 12)
            )
    return people


@pytest.fixture
def launch_day(django_capture_on_commit_callbacks, director, crew_of_positions):
    """A suborbital flight an hour before launch: windows computed, every position held, good weather."""
    spa = SpaceportFactory(code="spa", name="Spaceport America", timezone="America/Denver",
                           latitude_deg=32.99, longitude_deg=-106.975)
    flight = FlightFactory(code="NS-70", vehicle=VehicleFactory(home_spaceport=spa), spaceport=spa,
                           launch_at=LAUNCH, flight_director=director)
    Flight.objects.filter(pk=flight.pk).update(status=Flight.Status.SCHEDULED)
    flight.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        launch_windows_request(flight=flight, now=NOW - dt.timedelta(hours=2))
    # Screened two hours before launch, as the 14 CFR 450.169 currency rule wants.
    LaunchWindow.objects.filter(flight=flight).update(closures_computed_at=NOW - dt.timedelta(hours=1))
    for position, person in crew_of_positions.items():
        PositionAssignment.objects.create(flight=flight, position=position, person=person)
    WeatherReport.objects.create(spaceport=spa, valid_at=NOW - dt.timedelta(minutes=10), wind_kt=8, gust_kt=12)
    return flight


@pytest.fixture(autouse=True)
def _flights_rules_only(flights_rules_only):
    """Unit tests of the flights app test its own rules; the guards other apps register (a commercial
    flight needs a certified vehicle, ...) are tested in those apps' tests, demo included."""
