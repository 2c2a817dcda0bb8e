"""The beat's sweep queues an on-orbit screening run; a real worker runs it, reports progress, records the event."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from flights.catalog import tracked_object_fields
from flights.models import CatalogImport, Flight, Regime, TrackedObject
from flights.orbits.fit import element_set_through
from flights.orbits.frames import julian_date
from flights.traffic.models import ConjunctionEvent, ProtectedObject, ScreeningRun
from flights.traffic.screening import screening_sweep
from tests.flights.factories import FlightFactory, OrbitalItineraryFactory, VehicleFactory
from tests.integration.test_worker import wait_for
from tests.orbits.data import requires_data, stations
from tests.orbits.test_orbit_screening import planted


@requires_data
@pytest.mark.worker
def test_the_sweep_queues_a_run_that_a_real_worker_completes(celery_worker_process, director, settings):
    now = timezone.now()
    # The station's real elements moved to today (the snapshot is months old: too old to screen with).
    iss = stations()[25544]
    _, r, v = iss.satrec().sgp4(*julian_date(iss.epoch))
    fresh = element_set_through(r, v, now, norad_id=25544, name="ISS (ZARYA)")
    crossing = planted(0.8, 99901, "PLANTED CROSSING", at=now + dt.timedelta(hours=3), base=fresh)
    for item in (fresh, crossing):
        TrackedObject.objects.create(norad_id=item.norad_id, **tracked_object_fields(item))
    CatalogImport.objects.create(source="test", started_at=now, finished_at=now)
    flight = FlightFactory(
        itinerary=OrbitalItineraryFactory(),
        flight_director=director,
        status=Flight.Status.LAUNCHED,
        vehicle=VehicleFactory(model__regime=Regime.ORBITAL),
        launched_at=now - dt.timedelta(days=1),
        launch_at=now - dt.timedelta(days=1),
    )
    ProtectedObject.objects.create(flight=flight, kind=ProtectedObject.Kind.STATION, designator="25544", name="ISS")

    queued = screening_sweep()["queued"]
    assert queued
    assert wait_for(lambda: ScreeningRun.objects.get(pk=queued).status == "done"), ScreeningRun.objects.get(
        pk=queued
    ).stage
    run = ScreeningRun.objects.get(pk=queued)
    assert run.progress_percent == 100 and run.approaches_found == 1 and run.attempts == 1
    event = ConjunctionEvent.objects.get(other_designator="99901")
    assert abs((event.tca - (now + dt.timedelta(hours=3))).total_seconds()) < 1.0
    assert screening_sweep()["queued"] is None  # not due again for TRAFFIC_SCREENING_INTERVAL_HOURS
