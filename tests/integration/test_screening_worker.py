"""The launch screen's catalog chunks go through the real broker to two real worker processes, each chunk
runs twice, and what they store equals the single-process screen computed here."""

from __future__ import annotations

import pytest

from flights import catalog
from flights.launch_windows import launch_windows_compute, launch_windows_request
from flights.models import WindowComputation
from flights.tasks import screen_catalog_chunk
from tests.flights.test_screening_chunks import CHUNK_OBJECTS, band_tle, flight_at_kennedy_2023, stored
from tests.integration.chunks import every_chunk_twice
from tests.orbits.data import requires_data


@requires_data
@pytest.mark.worker
def test_two_workers_screen_the_chunks_and_store_what_one_process_stores(start_worker, settings):
    catalog.catalog_import_text(text=band_tle(), source="catalog-2023-10-09.tle (400 km band)")
    flight = flight_at_kennedy_2023()
    workers = [start_worker(SCREENING_CHUNK_OBJECTS=str(CHUNK_OBJECTS)) for _ in range(2)]

    settings.SCREENING_CHUNK_OBJECTS = CHUNK_OBJECTS
    chunked = launch_windows_request(flight=flight)
    every_chunk_twice(chunked, task=screen_catalog_chunk, chunks="screening_chunks", workers=workers)
    expected = stored(chunked)
    for worker in workers:
        worker.stop()

    # The same computation in this process, in one piece.
    settings.SCREENING_CHUNK_OBJECTS = 0
    single = WindowComputation.objects.create(
        flight=flight,
        search_start=chunked.search_start,
        search_end=chunked.search_end,
        flight_launch_at=flight.launch_at,
    )
    assert launch_windows_compute(computation=single).status == "done"
    assert stored(single) == expected
    assert sum(len(window[-1]) for window in expected[0]) > 0
