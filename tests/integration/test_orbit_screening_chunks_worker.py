"""The on-orbit screening run's catalog chunks go through the real broker to two real worker processes, each chunk
runs twice, the join records each event once, and what they record equals the single-process run computed here."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_celery_results.models import TaskResult

from flights.catalog import tracked_object_fields
from flights.models import CatalogImport, Flight, Regime, TrackedObject
from flights.orbits.fit import element_set_through
from flights.orbits.frames import julian_date
from flights.traffic.models import ConjunctionEvent, ConjunctionUpdate, ProtectedObject, ScreeningRun, ScreeningRunChunk
from flights.traffic.screening import screening_run_execute, screening_run_request
from flights.traffic.tasks import screen_orbit_chunk
from tests.flights.factories import FlightFactory, OrbitalItineraryFactory, VehicleFactory
from tests.integration.test_worker import wait_for
from tests.orbits.data import catalog, requires_data, stations
from tests.orbits.test_orbit_screening import planted
from tests.traffic.test_screening_chunks import CHUNK_OBJECTS, recorded


@requires_data
@pytest.mark.worker
def test_two_workers_screen_the_chunks_and_record_what_one_process_records(start_worker, director, settings):
    now = timezone.now()
    settings.TRAFFIC_SCREENING_DAYS = 1.0
    # The station's real elements moved to today, a crossing planted 3 h ahead, and a slice of the catalog.
    iss = stations()[25544]
    _, r, v = iss.satrec().sgp4(*julian_date(iss.epoch))
    fresh = element_set_through(r, v, now, norad_id=25544, name="ISS (ZARYA)")
    crossing = planted(0.8, 99901, "PLANTED CROSSING", at=now + dt.timedelta(hours=3), base=fresh)
    others = [e for i, e in enumerate(catalog()) if i % 40 == 0 and e.norad_id != 25544]
    TrackedObject.objects.bulk_create(
        [TrackedObject(norad_id=e.norad_id, **tracked_object_fields(e)) for e in (fresh, crossing, *others)]
    )
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
    workers = [start_worker(TRAFFIC_SCREENING_CHUNK_OBJECTS=str(CHUNK_OBJECTS)) for _ in range(2)]

    chunked = screening_run_request(now=now)
    assert wait_for(lambda: ScreeningRun.objects.get(pk=chunked.pk).chunks_total > 0), [w.log() for w in workers]
    total = ScreeningRun.objects.get(pk=chunked.pk).chunks_total
    assert total >= 3
    for index in range(total):  # every chunk a second time, as an acks-late redelivery would
        screen_orbit_chunk.delay(chunked.pk, index)
    done = lambda: TaskResult.objects.filter(task_name="traffic.screen_orbit_chunk").count() == 2 * total  # noqa: E731
    assert wait_for(done, timeout_s=240), [w.log()[-3000:] for w in workers]
    chunked.refresh_from_db()
    assert chunked.status == "done", (chunked.stage, chunked.error)
    outcomes = [r.result.strip('"') for r in TaskResult.objects.filter(task_name="traffic.screen_orbit_chunk")]
    assert outcomes.count("joined") == 1, outcomes  # the join ran exactly once
    assert ScreeningRunChunk.objects.filter(run=chunked).count() == total
    assert all(chunk.worker.startswith("pytest-") for chunk in ScreeningRunChunk.objects.filter(run=chunked))
    expected = recorded(chunked)
    assert [e[1] for e in expected[2]] == ["99901"] and ConjunctionUpdate.objects.count() == 1
    for worker in workers:
        worker.stop()

    # The same run in this process, in one piece, from the chunked run's start.
    ConjunctionUpdate.objects.all().delete()
    ConjunctionEvent.objects.all().delete()
    single = screening_run_request(now=chunked.span_start, dispatch=False)
    single = screening_run_execute(run_id=single.pk, now=chunked.span_start, in_process=True)
    assert single.chunks_total == 0
    assert recorded(single) == expected
