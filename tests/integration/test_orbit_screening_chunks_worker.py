"""The on-orbit screening run's catalog chunks go through the real broker to two real worker processes, each chunk
runs twice, the join records each event once, and what they record equals the single-process run computed here."""

from __future__ import annotations

import pytest
from django.utils import timezone

from flights.traffic.models import ConjunctionEvent, ConjunctionUpdate, ScreeningRun
from flights.traffic.screening import screening_run_execute, screening_run_request
from flights.traffic.tasks import screen_orbit_chunk
from tests.integration.chunks import every_chunk_twice, station_in_orbit
from tests.orbits.data import catalog, requires_data
from tests.traffic.test_screening_chunks import CHUNK_OBJECTS, recorded


@requires_data
@pytest.mark.worker
def test_two_workers_screen_the_chunks_and_record_what_one_process_records(start_worker, director, settings):
    now = timezone.now()
    settings.TRAFFIC_SCREENING_DAYS = 1.0
    # The station on today's elements, a crossing planted 3 h ahead, and a slice of the catalog.
    others = [e for i, e in enumerate(catalog()) if i % 40 == 0 and e.norad_id != 25544]
    station_in_orbit(now=now, director=director, others=others)  # its commit queues the run
    chunked = ScreeningRun.objects.get()
    workers = [start_worker(TRAFFIC_SCREENING_CHUNK_OBJECTS=str(CHUNK_OBJECTS)) for _ in range(2)]

    every_chunk_twice(chunked, task=screen_orbit_chunk, chunks="chunks", workers=workers)
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
