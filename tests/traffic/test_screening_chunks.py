"""The on-orbit screening run spread over catalog chunks (issue 15): the same approaches, entries and events as
one process, a chunk or the join run twice records nothing twice, and a chunk that fails fails the run closed
(the Traffic readiness then says NO-GO)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from flights.catalog import tracked_object_fields
from flights.models import CatalogImport, Flight, Position, Regime, TrackedObject, Verdict
from flights.readiness import flight_findings
from flights.traffic import screening, tasks
from flights.traffic.models import ConjunctionEvent, ConjunctionUpdate, ProtectedObject, ScreeningRun, ScreeningRunChunk
from flights.traffic.screening import screening_chunk_run
from tests.flights.factories import FlightFactory, OrbitalItineraryFactory, VehicleFactory, VehicleModelFactory
from tests.orbits.data import catalog as catalog_2023
from tests.orbits.data import requires_data

pytestmark = [requires_data, pytest.mark.django_db]

START = dt.datetime(2023, 10, 14, 6, tzinfo=dt.UTC)  # the 2023 catalog's real ISS approaches (test_orbit_screening)
CHUNK_OBJECTS = 200
DRAGON = 57697  # docked to the ISS in the snapshot


@pytest.fixture(autouse=True)
def _a_day_and_a_half(settings):
    settings.TRAFFIC_SCREENING_DAYS = 1.5


@pytest.fixture(scope="module")
def sample():
    """The ISS, the objects docked to it and those with real approaches to it in the 2023 catalog
    (test_orbit_screening), every fifth other object whose band reaches the ISS's, and every 200th of the rest."""
    keep = {25544, 52193, 47521, 44816, 49044, 56740, 57488, 57691, DRAGON, 57862}
    return [
        e
        for i, e in enumerate(catalog_2023())
        if e.norad_id in keep or (e.perigee_km < 505 and e.apogee_km > 330 and i % 5 == 0) or i % 200 == 0
    ]


@pytest.fixture
def flights(sample, director):
    TrackedObject.objects.bulk_create(
        [TrackedObject(norad_id=item.norad_id, **tracked_object_fields(item)) for item in sample]
    )
    vehicle_model = VehicleModelFactory(regime=Regime.ORBITAL, name="Crew capsule", passenger_seats=4)
    CatalogImport.objects.create(source="test", started_at=START, finished_at=START)

    def flight(code):
        return FlightFactory(
            code=code,
            itinerary=OrbitalItineraryFactory(),
            flight_director=director,
            vehicle=VehicleFactory(model=vehicle_model),
            status=Flight.Status.LAUNCHED,
            launched_at=START - dt.timedelta(days=2),
            launch_at=START - dt.timedelta(days=2),
        )

    docked, lost = flight("AX-3"), flight("ORB-9")
    for owner, kind, designator, name in (
        (docked, ProtectedObject.Kind.STATION, "25544", "ISS"),
        (docked, ProtectedObject.Kind.VEHICLE, str(DRAGON), "Dragon AX-3"),
        (lost, ProtectedObject.Kind.VEHICLE, "99999", "Capsule ORB-9"),  # not in the catalog: cannot be screened
    ):
        ProtectedObject.objects.create(
            flight=owner, kind=kind, designator=designator, name=name, created_at=START - dt.timedelta(days=2)
        )
    return docked, lost


def run_now(django_capture_on_commit_callbacks) -> ScreeningRun:
    with django_capture_on_commit_callbacks(execute=True):
        run = screening.screening_run_request(now=START, dispatch=False)
        run = screening.screening_run_execute(run_id=run.pk, now=START)
    run.refresh_from_db()
    return run


def recorded(run: ScreeningRun):
    """What a person sees from a run: its entries (without timings) and every event it recorded, exactly."""
    entries = [{k: v for k, v in entry.items() if k != "seconds"} for entry in run.results]
    events = [
        (e.protected.designator, e.other_designator, e.other_name, e.tca, e.miss_distance_m, e.tier, e.status)
        for e in ConjunctionEvent.objects.select_related("protected").order_by("protected__designator", "tca")
    ]
    counts = (run.status, run.objects_screened, run.approaches_found, run.events_created, run.events_updated)
    return counts, entries, events


@pytest.fixture
def held_chunks(monkeypatch):
    """Chunks the run hands to the broker, held back so the test runs them itself (twice, or never)."""
    sent = []
    monkeypatch.setattr(tasks.screen_orbit_chunk, "delay", lambda *args: sent.append(args))
    return sent


def test_chunks_record_exactly_what_one_process_records(flights, settings, django_capture_on_commit_callbacks):
    settings.TRAFFIC_SCREENING_CHUNK_OBJECTS = 0
    single = run_now(django_capture_on_commit_callbacks)
    assert single.status == "done", single.error
    assert single.chunks_total == 0 and not ScreeningRunChunk.objects.exists()
    expected = recorded(single)
    ConjunctionUpdate.objects.all().delete()  # a fresh start: the chunked run creates them again
    ConjunctionEvent.objects.all().delete()

    settings.TRAFFIC_SCREENING_CHUNK_OBJECTS = CHUNK_OBJECTS
    chunked = run_now(django_capture_on_commit_callbacks)
    assert chunked.status == "done", chunked.error
    size = TrackedObject.objects.count()
    assert chunked.chunks_total == -(-size // CHUNK_OBJECTS) >= 3
    chunks = list(ScreeningRunChunk.objects.filter(run=chunked))
    assert len(chunks) == chunked.chunks_total and sum(c.object_count for c in chunks) == size
    assert max(c.object_count for c in chunks) <= CHUNK_OBJECTS  # each chunk loaded only its slice
    assert recorded(chunked) == expected
    counts, entries, events = expected
    assert counts[:2] == ("done", 2) and counts[2] >= 11  # the ISS's 11 real approaches, and the Dragon's
    by_designator = {entry["designator"]: entry for entry in entries}
    assert (
        by_designator["99999"]["status"] == "failed"
        and "not in the tracked-object catalog" in (by_designator["99999"]["reason"])
    )
    assert DRAGON in [item["norad_id"] for item in by_designator["25544"]["excluded"]]  # docked: never a conjunction
    assert len(by_designator["25544"]["attached"]) >= 5  # the modules and vehicles published with its elements
    assert len(events) == counts[2]
    assert chunked.progress_percent == 100 and chunked.stage.startswith("2 protected objects screened")


def test_a_chunk_or_the_join_run_twice_records_one_set(
    flights, settings, held_chunks, django_capture_on_commit_callbacks
):
    settings.TRAFFIC_SCREENING_CHUNK_OBJECTS = CHUNK_OBJECTS
    run = run_now(django_capture_on_commit_callbacks)
    total = run.chunks_total
    assert run.status == "running" and sorted(index for _, index in held_chunks) == list(range(total))
    assert (
        run.stage
        == f"Screening 3 protected objects against {TrackedObject.objects.count()} catalog objects in {total} chunks"
    )

    assert screening_chunk_run(run_id=run.pk, index=0) == "stored"
    assert screening_chunk_run(run_id=run.pk, index=0) == "stored"  # acks-late redelivery
    run.refresh_from_db()
    assert ScreeningRunChunk.objects.filter(run=run).count() == 1
    assert run.progress_percent == 5 + 90 // total and run.stage.startswith(f"Screened 1 of {total} catalog chunks")
    assert not ConjunctionEvent.objects.exists()  # nothing is recorded before the join
    for index in range(1, total - 1):
        assert screening_chunk_run(run_id=run.pk, index=index) == "stored"
    assert screening_chunk_run(run_id=run.pk, index=total - 1) == "joined"
    events, updates = ConjunctionEvent.objects.count(), ConjunctionUpdate.objects.count()
    assert events >= 11 and updates == events
    # The join ran once: a late copy of the last chunk, or of any other, finds the run done.
    assert screening_chunk_run(run_id=run.pk, index=total - 1) == "skipped"
    assert screening_chunk_run(run_id=run.pk, index=0) == "skipped"
    assert (ConjunctionEvent.objects.count(), ConjunctionUpdate.objects.count()) == (events, updates)
    run.refresh_from_db()
    assert run.status == "done" and run.progress_percent == 100 and run.events_created == events


def test_a_failing_chunk_fails_the_run_closed_and_traffic_says_no_go(
    flights, settings, django_capture_on_commit_callbacks
):
    settings.TRAFFIC_SCREENING_CHUNK_OBJECTS = CHUNK_OBJECTS
    # A row of the second chunk's range, inside the ISS's band, whose stored elements cannot be read.
    band = TrackedObject.objects.filter(perigee_km__lt=500, apogee_km__gt=340).order_by("norad_id")
    broken = next(
        row for row in band if row.norad_id >= TrackedObject.objects.order_by("norad_id")[CHUNK_OBJECTS].norad_id
    )
    TrackedObject.objects.filter(pk=broken.pk).update(mean_elements={"norad_id": broken.norad_id})
    run = run_now(django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert run.error.startswith(f"Screening chunk 2 of {run.chunks_total} (catalog numbers ")
    assert "KeyError: 'epoch'" in run.error
    assert not ConjunctionEvent.objects.exists()
    docked, _ = flights
    findings = [f for f in flight_findings(docked, now=START) if f.position == Position.TRAFFIC]
    assert findings and all(f.verdict == Verdict.NO_GO for f in findings), findings


def test_a_lost_chunk_is_sent_again_by_the_sweep(flights, settings, held_chunks, django_capture_on_commit_callbacks):
    settings.TRAFFIC_SCREENING_CHUNK_OBJECTS = CHUNK_OBJECTS
    run = run_now(django_capture_on_commit_callbacks)
    for index in range(run.chunks_total):
        if index != 1:  # chunk 1's message was lost
            screening_chunk_run(run_id=run.pk, index=index)
    held_chunks.clear()
    stale = timezone.now() - dt.timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS + 1)
    ScreeningRun.objects.filter(pk=run.pk).update(heartbeat_at=stale)
    with django_capture_on_commit_callbacks(execute=True):
        assert screening.screening_sweep()["requeued"] == 1
    assert held_chunks == [(run.pk, 1)]  # the requeued run sent only the missing chunk
    run.refresh_from_db()
    assert run.status == "running" and run.attempts == 2 and run.span_start == START
    assert screening_chunk_run(run_id=run.pk, index=1) == "joined"
    run.refresh_from_db()
    assert run.status == "done" and run.approaches_found >= 11


def test_an_object_no_longer_protected_when_the_chunks_join_is_left_out(
    flights, settings, held_chunks, django_capture_on_commit_callbacks
):
    settings.TRAFFIC_SCREENING_CHUNK_OBJECTS = CHUNK_OBJECTS
    run = run_now(django_capture_on_commit_callbacks)
    for index in range(run.chunks_total - 1):
        assert screening_chunk_run(run_id=run.pk, index=index) == "stored"
    ProtectedObject.objects.filter(designator=str(DRAGON)).update(is_active=False)  # undocked and handed over
    assert screening_chunk_run(run_id=run.pk, index=run.chunks_total - 1) == "joined"
    run.refresh_from_db()
    assert run.status == "done" and [entry["designator"] for entry in run.results] == ["25544", "99999"]
    assert set(ConjunctionEvent.objects.values_list("protected__designator", flat=True)) == {"25544"}
