"""The launch screen spread over catalog chunks (issue 15): the same windows and closures as one process, a
chunk or a join run twice changes nothing, and any chunk that fails fails the whole computation closed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from flights import catalog, jobs, tasks
from flights.launch_screening import screening_chunk_run
from flights.launch_windows import flight_window_status, launch_windows_request
from flights.models import LaunchWindow, ScreeningChunk, TrackedObject, WindowClosure, WindowComputation
from tests.flights.factories import (
    FlightFactory,
    OrbitalItineraryFactory,
    SpaceportFactory,
    VehicleFactory,
    VehicleModelFactory,
)
from tests.orbits.data import catalog as catalog_2023
from tests.orbits.data import requires_data

pytestmark = [pytest.mark.django_db, requires_data]

CHUNK_OBJECTS = 700


def band_tle() -> str:
    """The 2023 catalog's objects that can reach a 400 km insertion (perigee below 460 km, apogee above 340 km):
    the brute-force test's band, in full, as 3LE text."""
    band = [e for e in catalog_2023() if e.perigee_km < 460 and e.apogee_km > 340]
    return "\n".join(f"0 {e.name}\n{e.line1}\n{e.line2}" for e in band) + "\n"


@pytest.fixture(scope="module")
def band_text():
    return band_tle()


def flight_at_kennedy_2023():
    """A Crew Dragon flight from Kennedy to the ISS plane on the catalog's day (2023-10-09)."""
    ksc = SpaceportFactory(
        code="ksc",
        name="Kennedy LC-39A",
        latitude_deg=28.6082,
        longitude_deg=-80.6041,
        altitude_m=3,
        timezone="America/New_York",
        azimuth_min_deg=35,
        azimuth_max_deg=120,
    )
    # A generous plane-change budget: windows of about an hour, long enough for real closures.
    model = VehicleModelFactory(name="Crew Dragon", regime="orbital", apogee_km=590, plane_change_budget_deg=5)
    return FlightFactory(
        code="AX-23",
        itinerary=OrbitalItineraryFactory(target_norad_id=25544),
        spaceport=ksc,
        vehicle=VehicleFactory(model=model, home_spaceport=ksc),
        launch_at=dt.datetime(2023, 10, 9, 14, 0, tzinfo=dt.UTC),
    )


@pytest.fixture
def flight(band_text):
    catalog.catalog_import_text(text=band_text, source="catalog-2023-10-09.tle (400 km band)")
    return flight_at_kennedy_2023()


@pytest.fixture
def compute(django_capture_on_commit_callbacks):
    def run(flight):
        with django_capture_on_commit_callbacks(execute=True):
            computation = launch_windows_request(flight=flight)
        computation.refresh_from_db()
        return computation

    return run


@pytest.fixture
def held_chunks(monkeypatch):
    """Chunks the coordinator hands to the broker, held back so the test runs them itself (twice, or never)."""
    sent = []
    monkeypatch.setattr(tasks.screen_catalog_chunk, "delay", lambda *args: sent.append(args))
    return sent


def stored(computation: WindowComputation):
    """Everything the flight page and readiness read from a finished computation."""
    computation.refresh_from_db()
    windows = [
        (
            w.kind,
            w.opens_at,
            w.closes_at,
            w.in_plane_at,
            w.azimuth_deg,
            [
                (
                    c.norad_id,
                    c.object_name,
                    c.object_class,
                    c.starts_at,
                    c.ends_at,
                    c.min_distance_km,
                    c.closest_approach_at,
                    c.rule,
                    c.allowance_km,
                )
                for c in WindowClosure.objects.filter(window=w).order_by("starts_at", "norad_id")
            ],
        )
        for w in LaunchWindow.objects.filter(computation=computation).order_by("opens_at")
    ]
    return (
        windows,
        computation.objects_screened,
        computation.failed_objects,
        computation.decayed_objects,
        computation.uncertain_objects,
        computation.object_counts,
        computation.catalog_size,
    )


def test_chunks_store_exactly_what_one_process_stores(flight, compute, settings):
    settings.SCREENING_CHUNK_OBJECTS = 0
    single = compute(flight)
    assert single.status == "done", single.error
    assert single.chunks_total == 0 and not ScreeningChunk.objects.exists()
    expected = stored(single)

    settings.SCREENING_CHUNK_OBJECTS = CHUNK_OBJECTS
    chunked = compute(flight)
    assert chunked.status == "done", chunked.error
    size = TrackedObject.objects.count()
    assert chunked.chunks_total == -(-size // CHUNK_OBJECTS) >= 3
    chunks = list(ScreeningChunk.objects.filter(computation=chunked))
    assert len(chunks) == chunked.chunks_total
    assert sum(chunk.object_count for chunk in chunks) == size
    assert max(chunk.object_count for chunk in chunks) <= CHUNK_OBJECTS  # each worker loaded only its slice
    assert stored(chunked) == expected
    windows, screened, failed, decayed, uncertain, counts, _ = expected
    assert len(windows) >= 2 and sum(len(w[-1]) for w in windows) > 0  # real closures to agree on
    assert failed and 0 < screened < size  # failures listed, not dropped
    assert chunked.progress_percent == 100 and chunked.stage.startswith(f"{len(windows)} windows")


def test_a_chunk_or_the_join_run_twice_stores_one_set(flight, compute, settings, held_chunks):
    settings.SCREENING_CHUNK_OBJECTS = CHUNK_OBJECTS
    computation = compute(flight)
    total = computation.chunks_total
    assert computation.status == "running" and sorted(index for _, index in held_chunks) == list(range(total))
    windows = len(computation.screening_plan["windows"])
    size = TrackedObject.objects.count()
    assert computation.stage == f"Screening {windows} windows against {size} objects in {total} chunks"
    assert computation.progress_percent == 10

    assert screening_chunk_run(computation_id=computation.pk, index=0) == "stored"
    assert screening_chunk_run(computation_id=computation.pk, index=0) == "stored"  # acks-late redelivery
    computation.refresh_from_db()
    assert ScreeningChunk.objects.filter(computation=computation).count() == 1
    assert computation.progress_percent == 10 + 85 // total
    assert computation.stage.startswith(f"Screened 1 of {total} catalog chunks")
    for index in range(1, total - 1):
        assert screening_chunk_run(computation_id=computation.pk, index=index) == "stored"
    assert screening_chunk_run(computation_id=computation.pk, index=total - 1) == "joined"
    # The join ran once: a late copy of the last chunk, or of any other, finds the computation done.
    assert screening_chunk_run(computation_id=computation.pk, index=total - 1) == "skipped"
    assert screening_chunk_run(computation_id=computation.pk, index=0) == "skipped"
    computation.refresh_from_db()
    assert computation.status == "done" and computation.progress_percent == 100
    windows = LaunchWindow.objects.filter(flight=flight)
    assert set(windows.values_list("computation", flat=True)) == {computation.pk}
    closures = WindowClosure.objects.filter(window__flight=flight)
    assert closures.count() == closures.values("window", "norad_id", "starts_at").distinct().count() > 0


def test_a_failing_chunk_fails_the_whole_screen_closed(flight, compute, settings):
    settings.SCREENING_CHUNK_OBJECTS = CHUNK_OBJECTS
    # A row in the second chunk's range whose stored elements cannot be read.
    broken = TrackedObject.objects.order_by("norad_id")[CHUNK_OBJECTS + 5]
    TrackedObject.objects.filter(pk=broken.pk).update(mean_elements={"norad_id": broken.norad_id})
    computation = compute(flight)
    assert computation.status == "failed"
    assert computation.error.startswith(f"Screening chunk 2 of {computation.chunks_total} (catalog numbers ")
    assert "KeyError: 'epoch'" in computation.error
    assert not LaunchWindow.objects.filter(flight=flight).exists()
    status = flight_window_status(flight)
    assert not status.ok and status.problems == [f"No launch windows have been computed for {flight}."]


def test_the_join_refuses_when_the_chunks_loaded_fewer_objects_than_the_catalog_held(
    flight, compute, settings, held_chunks
):
    settings.SCREENING_CHUNK_OBJECTS = CHUNK_OBJECTS
    computation = compute(flight)
    size = TrackedObject.objects.count()
    TrackedObject.objects.order_by("norad_id").last().delete()  # gone between the plan and the chunks
    outcomes = [screening_chunk_run(computation_id=computation.pk, index=i) for i in range(computation.chunks_total)]
    assert outcomes[-1] == "failed"
    computation.refresh_from_db()
    assert computation.status == "failed"
    assert f"loaded {size - 1} objects but the catalog held {size}" in computation.error
    assert not LaunchWindow.objects.filter(flight=flight).exists()


def test_a_lost_chunk_is_sent_again_by_the_stale_job_sweep(
    flight, compute, settings, held_chunks, django_capture_on_commit_callbacks
):
    settings.SCREENING_CHUNK_OBJECTS = CHUNK_OBJECTS
    computation = compute(flight)
    total = computation.chunks_total
    for index in range(total):
        if index != 1:  # chunk 1's message was lost
            screening_chunk_run(computation_id=computation.pk, index=index)
    held_chunks.clear()
    WindowComputation.objects.filter(pk=computation.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS + 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.stale_jobs_requeue() == {"requeued": 1, "failed": 0}
    assert held_chunks == [(computation.pk, 1)]  # the requeued coordinator sent only the missing chunk
    computation.refresh_from_db()
    assert computation.status == "running" and computation.attempts == 2
    assert screening_chunk_run(computation_id=computation.pk, index=1) == "joined"
    computation.refresh_from_db()
    assert computation.status == "done"
