"""Space traffic fixtures: an orbital flight in orbit whose vehicle is TERRA's catalog number.

CARA's real CDMs (read by path from /work/shared/data/cdm, never copied) name TERRA (25994) as object 1,
so registering 25994 as our vehicle makes those messages conjunctions of our flight in orbit. The same
message at other hard-body radii gives each tier: 0.5 m green (5.8e-7), 3 m yellow (2.2e-5), 15 m red (1.2e-3).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from flights.models import Flight, Regime
from flights.traffic.models import ProtectedObject, ScreeningRun
from tests.flights.factories import FlightFactory, OrbitalItineraryFactory, VehicleFactory
from tests.orbits.data import DATA_DIR

CDM_DIR = DATA_DIR / "cdm"
TERRA = "000025994_conj_000026132_20220224_100307_20220221_225515.cdm"
TERRA_TCA = dt.datetime(2022, 2, 24, 10, 3, 7, 749000, tzinfo=dt.UTC)
GREEN_HBR, YELLOW_HBR, RED_HBR = 0.5, 3.0, 15.0


def cdm_text(name: str = TERRA, *, message_id: str | None = None) -> str:
    text = (CDM_DIR / name).read_text()
    if message_id:
        text = re.sub(r"^MESSAGE_ID\s*=.*$", f"MESSAGE_ID = {message_id}", text, count=1, flags=re.MULTILINE)
    return text


@pytest.fixture
def before_tca():
    """A clock two days before TERRA's TCA (the messages are from 2022)."""
    return TERRA_TCA - dt.timedelta(days=2)


@pytest.fixture
def in_orbit(db, director):
    vehicle = VehicleFactory(model__regime=Regime.ORBITAL, model__name="Crew capsule", model__passenger_seats=4)
    return FlightFactory(
        code="ORB-1",
        itinerary=OrbitalItineraryFactory(),
        vehicle=vehicle,
        flight_director=director,
        status=Flight.Status.LAUNCHED,
        launched_at=TERRA_TCA - dt.timedelta(days=3),
        launch_at=TERRA_TCA - dt.timedelta(days=3),
    )


@pytest.fixture
def protected(in_orbit):
    item = ProtectedObject.objects.create(
        flight=in_orbit, kind=ProtectedObject.Kind.VEHICLE, designator="25994", name="Capsule ORB-1",
        created_at=timezone.now(),
    )
    screened_on_orbit(item, at=TERRA_TCA - dt.timedelta(hours=12))
    return item


def screened_on_orbit(*items, at, status=ScreeningRun.Status.DONE, error=""):
    """A finished on-orbit screening run that screened `items` (readiness asks for a current one)."""
    return ScreeningRun.objects.create(
        status=status, requested_at=at - dt.timedelta(minutes=1), started_at=at - dt.timedelta(minutes=1),
        finished_at=at, heartbeat_at=at, progress_percent=100, error=error,
        results=[{"designator": i.designator, "name": i.name, "flight": i.flight.code, "status": "screened"}
                 for i in items] if status == ScreeningRun.Status.DONE else [],
    )
