"""Benchmark: planar launch windows and full-catalog collision screening (14 CFR 450.169).

Run with `.venv/bin/python bench/windows.py`. Prints figures; not part of the test suite.

The unit of time is raw SGP4 (vectorised `SatrecArray`) over the same catalog for a 10-minute span
at 1 s steps, measured in the same run, so the screen's cost can be compared across machines.

Then the screen spread over worker processes as the Celery chunks do it (`flights/launch_screening.py`):
the catalog cut into chunks of SCREENING_CHUNK_OBJECTS (default 4000) by catalog number, each chunk screened
by a pool process, the parts merged (`screening_parts.merge_results`); wall time with 1 and 2 processes, the
ratio, and the CPU time of each, and a check that the merged result is the single-process one. The pool is
started and warmed before it is timed (a Celery worker is a long-lived process too); the database and the
broker are not in these figures (tests/integration/test_screening_worker.py runs the real path).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sgp4.api import SatrecArray

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from flights.orbits.elements import parse_tle  # noqa: E402
from flights.orbits.frames import julian_date  # noqa: E402
from flights.orbits.planar import planar_windows_for_elements  # noqa: E402
from flights.orbits.propagation import astroz_api  # noqa: E402
from flights.orbits.screening import classify, screen  # noqa: E402
from flights.orbits.screening_parts import merge_results  # noqa: E402
from flights.orbits.trajectory import AscentProfile, nominal_trajectory  # noqa: E402

DATA = REPO.parent / "shared" / "data"
KENNEDY = {"site_lat_deg": 28.573, "site_lon_deg": -80.649}
UNIT_SPAN_S = 600
UNIT_CHUNK_S = 60  # times per SGP4 call: bounds memory to objects x 60 x 3 doubles (x2)


def main() -> None:
    print("== planar windows: ISS plane from Kennedy, 30 days ==")
    (iss,) = [
        item for item in parse_tle((DATA / "stations-2026-08-22.tle").read_text()).elements if item.norad_id == 25544
    ]
    start = datetime(2026, 8, 22, tzinfo=UTC)
    started = time.perf_counter()
    windows = planar_windows_for_elements(iss, start=start, days=30, plane_tolerance_deg=0.5, **KENNEDY)
    planar_s = time.perf_counter() - started
    print(
        f"windows: {len(windows)} in {planar_s * 1000:.1f} ms (tolerance 0.5 deg, RAAN drift "
        f"{iss.raan_rate_deg_per_day:.3f} deg/day)"
    )
    for window in windows[:2]:
        print(
            f"  {window.node:10s} in plane {window.in_plane:%Y-%m-%d %H:%M:%S} UTC, "
            f"open {window.open:%H:%M:%S}-{window.close:%H:%M:%S}, azimuth {window.azimuth_deg:.1f} deg"
        )

    print("\n== catalog ==")
    started = time.perf_counter()
    result = parse_tle((DATA / "catalog-2023-10-09.tle").read_text())
    catalog = result.raise_if_errors().elements
    print(f"parsed {len(catalog)} element sets in {time.perf_counter() - started:.2f} s")

    print(f"\n== unit: raw SGP4 (SatrecArray), {len(catalog)} objects x {UNIT_SPAN_S} s at 1 s ==")
    satellites = SatrecArray([item.satrec() for item in catalog])
    jd0, fraction0 = julian_date(datetime(2023, 10, 9, 12, tzinfo=UTC))
    started = time.perf_counter()
    for chunk in range(0, UNIT_SPAN_S, UNIT_CHUNK_S):
        seconds = np.arange(chunk, min(chunk + UNIT_CHUNK_S, UNIT_SPAN_S), dtype=float)
        satellites.sgp4(np.full(len(seconds), jd0), fraction0 + seconds / 86400.0)
    unit_s = time.perf_counter() - started
    print(f"unit: {unit_s:.2f} s ({unit_s / (len(catalog) * UNIT_SPAN_S) * 1e9:.0f} ns per propagation)")

    print("\n== full-catalog screen: Kennedy to 51.6 deg, 2 h liftoff window, 3 h flight, 1 s ==")
    iss_2023 = next(item for item in catalog if item.norad_id == 25544)
    day = datetime(2023, 10, 9, tzinfo=UTC)
    first = next(
        w
        for w in planar_windows_for_elements(iss_2023, start=day, days=1, plane_tolerance_deg=0.5, **KENNEDY)
        if w.node == "ascending"
    )
    window_open = first.in_plane.replace(microsecond=0) - timedelta(hours=1)
    window_close = window_open + timedelta(hours=2)
    profile = AscentProfile(
        launch_azimuth_deg=first.azimuth_deg,
        time_to_150km_s=230.0,
        insertion_time_s=540.0,
        insertion_altitude_km=400.0,
        downrange_at_insertion_km=1500.0,
    )
    trajectory = nominal_trajectory(profile, KENNEDY["site_lat_deg"], KENNEDY["site_lon_deg"])
    objects = [classify(item) for item in catalog]
    print(
        f"window {window_open:%Y-%m-%d %H:%M:%S}-{window_close:%H:%M:%S} UTC (ISS plane at "
        f"{first.in_plane:%H:%M:%S}), azimuth {first.azimuth_deg:.1f} deg, insertion 400 km, "
        f"trajectory {len(trajectory) - 1} s"
    )
    arguments = {"trajectory_ecef_km": trajectory, "window_open": window_open, "window_close": window_close}
    started, started_cpu = time.perf_counter(), time.process_time()
    screening = screen(objects=objects, **arguments)
    screen_s, screen_cpu_s = time.perf_counter() - started, time.process_time() - started_cpu

    closed = set()
    for closure in screening.closures:
        closed.update(
            range(
                int((closure.start - window_open).total_seconds()), int((closure.end - window_open).total_seconds()) + 1
            )
        )
    liftoffs = int((window_close - window_open).total_seconds()) + 1
    by_class = {
        name: sum(c.object_class == name for c in screening.closures) for name in ("inhabitable", "active", "debris")
    }
    print(
        f"screen: {screen_s:.2f} s wall = {screen_s / unit_s:.2f} units (goal: under 30 s), "
        f"{screen_cpu_s:.2f} s CPU (goal: at most 2 s)"
    )
    print(f"objects screened: {screening.screened_count}, failed (SGP4 error): {len(screening.failed)}")
    print(
        f"closures: {len(screening.closures)} ({', '.join(f'{k} {v}' for k, v in by_class.items())}) from "
        f"{len({c.norad_id for c in screening.closures})} objects; closed liftoff seconds {len(closed)} of {liftoffs}, "
        f"open intervals {len(screening.open_intervals())}"
    )
    print("stages: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in screening.stats.stage_seconds.items()))
    print("counts: " + ", ".join(f"{name} {count}" for name, count in screening.stats.counts.items()))
    codes = {}
    for item in screening.failed:
        codes[item.error_code] = codes.get(item.error_code, 0) + 1
    print("failed by SGP4 error code: " + ", ".join(f"{code}: {count}" for code, count in sorted(codes.items())))
    for item in screening.failed[:3]:
        print(f"  e.g. {item.norad_id} {item.name}: {item.message}")
    for closure in sorted(screening.closures, key=lambda c: c.min_distance_km)[:3]:
        print(
            f"  closest: {closure.norad_id} {closure.name} ({closure.object_class}) {closure.min_distance_km:.2f} km, "
            f"liftoffs {closure.start:%H:%M:%S}-{closure.end:%H:%M:%S}"
        )

    astroz_screen(objects, arguments, screening, screen_cpu_s)
    chunked_screen(objects, arguments, screening)


def closure_key(result):
    return [
        (c.norad_id, c.start, c.end, c.min_distance_km, c.time_of_closest_approach, c.rule) for c in result.closures
    ]


def same_result(result, reference) -> bool:
    return closure_key(result) == closure_key(reference) and (result.failed, result.decayed, result.uncertain) == (
        reference.failed,
        reference.decayed,
        reference.uncertain,
    )


def astroz_screen(objects, arguments, reference, reference_cpu_s: float) -> None:
    print("\n== the same screen with astroz as the coarse grid's bulk propagator (SCREENING_PROPAGATOR=astroz) ==")
    if astroz_api() is None:
        print("astroz is not installed: skipped")
        return
    started, started_cpu = time.perf_counter(), time.process_time()
    result = screen(objects=objects, propagator="astroz", **arguments)
    wall_s, cpu_s = time.perf_counter() - started, time.process_time() - started_cpu
    stages = result.stats.stage_seconds
    print(
        f"screen: {wall_s:.2f} s wall, {cpu_s:.2f} s CPU ({reference_cpu_s / cpu_s:.2f}x less than sgp4 in this run); "
        f"coarse propagation {stages['coarse_propagation']:.2f} s against sgp4's "
        f"{reference.stats.stage_seconds['coarse_propagation']:.2f} s; {result.stats.counts['astroz_propagated']} of "
        f"{result.stats.counts['shell_survivors']} objects cross-checked onto astroz; "
        f"result identical to sgp4's: {same_result(result, reference)}"
    )


# The pool's processes inherit these (fork), as a worker's chunk loads only its slice from the database.
_POOL_OBJECTS: list = []
_POOL_ARGUMENTS: dict = {}


def _screen_chunk(bounds: tuple[int, int]):
    started = time.process_time()
    part = screen(objects=_POOL_OBJECTS[bounds[0] : bounds[1]], **_POOL_ARGUMENTS)
    return part, time.process_time() - started


def chunked_screen(objects, arguments, single) -> None:
    chunk_objects = int(os.environ.get("SCREENING_CHUNK_OBJECTS", "4000"))
    ordered = sorted(objects, key=lambda item: item.elements.norad_id)
    _POOL_OBJECTS[:] = ordered
    _POOL_ARGUMENTS.update(arguments)
    chunks = [(begin, min(begin + chunk_objects, len(ordered))) for begin in range(0, len(ordered), chunk_objects)]
    print(f"\n== the same screen in {len(chunks)} chunks of {chunk_objects} objects, over worker processes ==")
    load = os.getloadavg()[0]
    print(
        f"load average {load:.2f} on {os.cpu_count()} cores"
        + ("  (busy machine: figures not final)" if load > 0.5 else "")
    )
    context = multiprocessing.get_context("fork")
    walls = {}
    for processes in (1, 2):
        with context.Pool(processes) as pool:
            pool.map(_screen_chunk, chunks[:processes])  # warm: imports and first-call costs, as a live worker
            started = time.perf_counter()
            outcomes = pool.map(_screen_chunk, chunks, chunksize=1)
            walls[processes] = time.perf_counter() - started
        merged = merge_results([part for part, _ in outcomes])
        cpu = sum(seconds for _, seconds in outcomes)
        same = same_result(merged, single)
        slowest = max(seconds for _, seconds in outcomes)
        print(
            f"{processes} process{'es' if processes > 1 else ''}: {walls[processes]:.2f} s wall, {cpu:.2f} s CPU in chunks "
            f"(slowest chunk {slowest:.2f} s); merged result identical to the single process: {same}"
        )
    print(f"ratio 1 process / 2 processes: {walls[1] / walls[2]:.2f}x (target at least 1.5x on a quiet 2-core machine)")
    # What two free cores would give: the chunks' own CPU times dealt in order to the first idle process
    # (as the pool and Celery's prefetch of one do). Independent of other load on the machine.
    free_at = [0.0, 0.0]
    for _, seconds in outcomes:
        free_at[free_at.index(min(free_at))] += seconds
    print(
        f"ratio on two idle cores from the chunks' CPU times: {cpu / max(free_at):.2f}x "
        f"(chunks {', '.join(f'{seconds:.2f}' for _, seconds in outcomes)} s)"
    )


if __name__ == "__main__":
    main()
