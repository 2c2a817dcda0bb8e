"""A screen split by catalog and merged (what the workers do) equals one screen of the whole catalog."""

from __future__ import annotations

import json
from datetime import timedelta

import numpy as np
import pytest

from flights.orbits.errors import OrbitError
from flights.orbits.screening import screen
from flights.orbits.screening_parts import merge_results, result_from_json, result_to_json
from flights.orbits.trajectory import nominal_trajectory
from tests.orbits.data import requires_data
from tests.orbits.test_screening import KENNEDY, TO_400_KM, WINDOW_OPEN, brute_force_sample


@pytest.fixture(scope="module")
def trajectory():
    return nominal_trajectory(TO_400_KM, *KENNEDY)


def by_catalog_number(objects, parts: int):
    """Disjoint slices by catalog number, as `flights.launch_screening.catalog_ranges` cuts the catalog."""
    ordered = sorted(objects, key=lambda item: item.elements.norad_id)
    return [list(chunk) for chunk in np.array_split(np.array(ordered, dtype=object), parts)]


def everything(result):
    """Every field a person or readiness sees, floats exact."""
    return (
        [
            (
                c.norad_id,
                c.start,
                c.end,
                c.object_class,
                c.min_distance_km,
                c.time_of_closest_approach,
                c.rule,
                c.allowance_km,
            )
            for c in result.closures
        ],
        result.failed,
        result.decayed,
        result.uncertain,
        result.screened_count,
        result.class_counts,
        result.exempt,
        result.open_intervals(),
    )


@requires_data
@pytest.mark.parametrize("parts", [2, 5])
def test_chunked_screen_equals_the_single_process_screen_on_the_brute_force_sample(trajectory, parts):
    sample = brute_force_sample(trajectory)
    arguments = {
        "trajectory_ecef_km": trajectory,
        "window_open": WINDOW_OPEN,
        "window_close": WINDOW_OPEN + timedelta(minutes=5),
    }
    single = screen(objects=sample, **arguments)
    # Through JSON, as the chunk rows carry them between workers.
    chunks = [
        result_from_json(json.loads(json.dumps(result_to_json(screen(objects=part, **arguments)))))
        for part in by_catalog_number(sample, parts)
    ]
    merged = merge_results(chunks)
    assert everything(merged) == everything(single)
    assert len(single.closures) >= 8 and single.failed and single.uncertain  # real closures, failures, stale ones
    # Every chunk saw a part of it, and the object lists add up.
    assert sum(chunk.stats.counts["objects"] for chunk in chunks) == len(sample)
    assert merged.stats.counts["objects"] == len(sample)


def test_parts_of_different_windows_are_not_merged(trajectory):
    arguments = {"trajectory_ecef_km": trajectory, "objects": [], "window_open": WINDOW_OPEN}
    first = screen(**arguments, window_close=WINDOW_OPEN + timedelta(minutes=5))
    other = screen(**arguments, window_close=WINDOW_OPEN + timedelta(minutes=6))
    with pytest.raises(OrbitError, match="different windows"):
        merge_results([first, other])
    with pytest.raises(OrbitError, match="no screening parts"):
        merge_results([])
