"""What the real-worker screening tests share: a station in orbit on today's elements, and a chunked job whose every
chunk is sent a second time (as an acks-late redelivery would) and joined exactly once by real workers."""

from __future__ import annotations

import datetime as dt

from django_celery_results.models import TaskResult

from flights.catalog import tracked_object_fields
from flights.models import CatalogImport, Flight, Regime, TrackedObject
from flights.orbits.fit import element_set_through
from flights.orbits.frames import julian_date
from flights.traffic.models import ProtectedObject
from tests.flights.factories import FlightFactory, OrbitalItineraryFactory, VehicleFactory
from tests.integration.test_worker import wait_for
from tests.orbits.data import stations
from tests.orbits.test_orbit_screening import planted


def station_in_orbit(*, now: dt.datetime, director, others=()) -> ProtectedObject:
    """The ISS's real elements moved to `now` (the snapshot is months old: too old to screen with), a crossing
    (99901) planted 3 h ahead and `others` in the catalog, and a launched flight that protects the station."""
    iss = stations()[25544]
    _, r, v = iss.satrec().sgp4(*julian_date(iss.epoch))
    fresh = element_set_through(r, v, now, norad_id=25544, name="ISS (ZARYA)")
    crossing = planted(0.8, 99901, "PLANTED CROSSING", at=now + dt.timedelta(hours=3), base=fresh)
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
    return ProtectedObject.objects.create(
        flight=flight, kind=ProtectedObject.Kind.STATION, designator="25544", name="ISS"
    )


def every_chunk_twice(job, *, task, chunks: str, workers) -> None:
    """Wait for the job's chunks to be sent, send each once more, and wait for every copy to run: the job is done,
    the join ran exactly once, and each chunk row was stored once by a test worker. `chunks`: the job's chunk
    rows (its related name)."""
    model = type(job)
    assert wait_for(lambda: model.objects.get(pk=job.pk).chunks_total > 0), [w.log() for w in workers]
    total = model.objects.get(pk=job.pk).chunks_total
    assert total >= 3
    for index in range(total):  # every chunk a second time, as an acks-late redelivery would
        task.delay(job.pk, index)
    results = TaskResult.objects.filter(task_name=task.name)
    assert wait_for(lambda: results.count() == 2 * total, timeout_s=240), [w.log()[-3000:] for w in workers]
    job.refresh_from_db()
    assert job.status == "done", (job.stage, job.error)
    outcomes = [r.result.strip('"') for r in results]
    assert outcomes.count("joined") == 1, outcomes  # the join ran exactly once
    rows = getattr(job, chunks).all()
    assert rows.count() == total
    assert all(row.worker.startswith("pytest-") for row in rows)
