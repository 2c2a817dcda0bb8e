"""Collision-avoidance screening of a liftoff window against a catalog (14 CFR 450.169).

A liftoff at tau is closed when, during the flight above 150 km, the vehicle comes within an
object's stand-off (200 km inhabitable, 25 km active, 2.5 km debris). Because the trajectory is
fixed relative to liftoff in the rotating Earth frame, the vehicle at absolute time t for liftoff
tau is trajectory[t - tau]: every liftoff is the same Earth-fixed path, shifted in time.

Encounters are not only looked for at whole seconds: relative speeds reach ~15 km/s, so a debris
object can pass within metres of the vehicle between two samples that are both 7 km away. Each
1 s interval (vehicle from trajectory[k] to [k + 1], object from X(t) to X(t + 1)) is tested by
the minimum distance along its chord, with a pad `p` (a few metres) bounding how far the true
paths stray from the chord: closed when chord distance <= standoff + p (see `screening_span`).

`screen` gets the same answer as the brute-force reference (`screen_brute_force`) in a fraction of
the time, through filters that can only discard what provably cannot come close:

1. health check: every object is propagated at the start, middle and end of the span; SGP4 errors
   are reported in `failed`, never silently dropped;
2. shell: the object's osculating perigee/apogee radii at those times, padded, must overlap the
   screened trajectory's radius band;
3. coarse grid: survivors are propagated every `coarse_step_s` (s); coarse time t_m owns the
   intervals starting at t in [t_m - s/2 - 1/2, t_m + s/2 - 1/2], so every point of them, chord
   points included, lies within h = s/2 + 1/2 of t_m. A chunk of interval starts (all its chord
   points within rho of a centre C, whose radii span the chunk's radius band) can only hold a
   closure if |X(t_m) - C| <= standoff + p + v_max h + rho (the object's chord point is a mix of
   X(t) and X(t + 1), both within v_max h of X(t_m)) and the object's radius is within
   standoff + 2 p + |r'(t_m)| h + a_max h^2 / 2 of the band (one p for the chord distance, one for
   the object's chord sagging below its path): no assumption about the vehicle's speed;
4. fine: each surviving (object, coarse time, chunk) is checked exactly, interval by interval,
   from SGP4 positions at every second.

Fail closed, every object accounted for (`screening_span.finish`, shared with the reference): an object
is screened; or re-entered (SGP4 error 6 at the span's start: listed in `decayed`, closes nothing); or
uncertain (`ScreeningResult.uncertain`). Uncertain is elements further than `policy.max_element_age_days`
from a liftoff (screened with the stand-off padded by `policy.in_track_growth_km_per_day` x age; closures
say `stale_elements_padded`) or any other SGP4 failure (closes the whole span when its last known
perigee/apogee band can reach the trajectory's: `unpropagatable_band`).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from sgp4.api import SatrecArray

from flights.orbits.constants import EARTH_ROTATION_RAD_S
from flights.orbits.errors import OrbitError
from flights.orbits.screening_brute import screen_brute_force
from flights.orbits.screening_span import (
    BAND_PAD_KM,
    Allowances,
    Propagated,
    ScreeningSpan,
    closures_from_hits,
    failed_object,
    finish,
    osculating_radii,
    propagate_ecef,
    segment_minimum,
)
from flights.orbits.screening_types import (
    CLOSURE_RULES,
    INHABITABLE_NORAD_IDS,
    STANDOFF_KM,
    Closure,
    FailedObject,
    ScreeningObject,
    ScreeningResult,
    ScreeningStats,
    UncertainObject,
    UncertaintyPolicy,
    classify,
)

__all__ = [
    "CLOSURE_RULES",
    "INHABITABLE_NORAD_IDS",
    "STANDOFF_KM",
    "Closure",
    "FailedObject",
    "ScreeningObject",
    "ScreeningResult",
    "ScreeningStats",
    "UncertainObject",
    "UncertaintyPolicy",
    "classify",
    "screen",
    "screen_brute_force",
]

# Shell pad (see `screening_span.BAND_PAD_KM`): SGP4's short-period terms move an object's radius
# ~10-20 km around its osculating two-body perigee/apogee, and drift between health-check times adds a little.
SHELL_PAD_KM = BAND_PAD_KM
# Largest radial acceleration an Earth-orbiting object can have above the surface:
# |r''| <= v^2 / r with v below escape speed at 6378 km (11.2 km/s), plus margin.
MAX_RADIAL_ACCELERATION_KM_S2 = 0.021
# Largest total acceleration (gravity at the surface plus perturbation margin), for speed bounds.
MAX_ACCELERATION_KM_S2 = 0.0100
OBJECT_BLOCK = 2000  # objects propagated together on the coarse grid (bounds memory)
PAIR_BLOCK = 5000  # (object, coarse time) pairs tested against the chunks at once
HIT_BLOCK = 1000  # (object, coarse time, chunk) hits refined at once


def screen(
    *,
    trajectory_ecef_km,
    objects: list[ScreeningObject],
    window_open: datetime,
    window_close: datetime,
    min_altitude_km: float = 150.0,
    resolution_s: int = 1,
    coarse_step_s: int = 30,
    policy: UncertaintyPolicy | None = None,
) -> ScreeningResult:
    """Screen every liftoff of [window_open, window_close] (every `resolution_s`) against `objects`.

    `trajectory_ecef_km` is the nominal trajectory (n, 3) at 1 s steps from liftoff (see
    `trajectory.nominal_trajectory`); orbital flights should cover at least 3 h after liftoff.
    `policy` says when elements are too old and how their stand-off grows (default `UncertaintyPolicy()`).
    """
    policy = policy or UncertaintyPolicy()
    clock = _StageClock()
    span = ScreeningSpan.build(
        trajectory_ecef_km=trajectory_ecef_km,
        window_open=window_open,
        window_close=window_close,
        min_altitude_km=min_altitude_km,
        resolution_s=resolution_s,
    )
    if int(coarse_step_s) != coarse_step_s or coarse_step_s < 2:
        raise OrbitError(f"coarse step must be a whole number of seconds >= 2, got {coarse_step_s}")
    if span.exempt:
        return span.result([], [], 0, clock.stats({"objects": len(objects)}))
    step_s = int(coarse_step_s)

    failed: list[FailedObject] = []
    satellites = [item.elements.satrec() for item in objects]
    allowances = Allowances.build(objects, span, policy)
    standoff = allowances.reach_km(objects)
    healthy = _health_check(satellites, objects, span, failed)
    clock.lap("health_check")

    chunks = _TrajectoryChunks.build(span, chunk_length=step_s)
    reach = standoff[healthy.index] + 2.0 * span.chord_pad_km + SHELL_PAD_KM
    survivors = healthy.overlapping(chunks.radius_min_km - reach, chunks.radius_max_km + reach)
    counts = {"objects": len(objects), "failed_health_check": len(failed), "shell_survivors": len(survivors)}
    clock.lap("shell_filter")

    # Coarse times cover the whole span: every interval start belongs to exactly one of them.
    coarse_seconds = np.arange(span.first_t, span.last_t + step_s, step_s)
    coarse = _CoarseFilter(span, chunks, coarse_seconds, step_s)
    hit_blocks, counts["coarse_pairs"] = [], 0
    for block in _blocks(len(survivors), OBJECT_BLOCK):
        block_index = survivors[block]
        propagated = propagate_ecef(SatrecArray([satellites[i] for i in block_index]), span, coarse_seconds)
        clock.lap("coarse_propagation")
        bad = propagated.errors.any(axis=1)
        failed.extend(failed_object(objects[block_index[row]], propagated.errors[row]) for row in np.nonzero(bad)[0])
        block_hits, pair_count = coarse.hits(block_index, propagated, ~bad, standoff)
        hit_blocks.append(block_hits)
        counts["coarse_pairs"] += pair_count
        clock.lap("coarse_filter")
    hits = np.concatenate(hit_blocks) if hit_blocks else np.empty((0, 3), dtype=np.int64)
    counts["coarse_hits"] = len(hits)

    fine = _FineCheck(span, chunks, step_s)
    closure_hits = fine.run(hits, satellites, objects, standoff, failed)
    counts.update(fine.counts)
    closures = closures_from_hits(span, objects, *closure_hits, allowance_km=allowances.allowance_km)
    clock.lap("fine")
    result = finish(span, objects, closures, failed, allowances, clock.stats(counts))
    clock.lap("accounting")
    return dataclasses.replace(result, stats=clock.stats({**counts, **result.class_counts}))


class _StageClock:
    """Wall time per stage, for `ScreeningStats`."""

    def __init__(self) -> None:
        self.started = self.last = time.perf_counter()
        self.seconds: dict[str, float] = {}

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self.last
        self.last = now

    def stats(self, counts: dict[str, int]) -> ScreeningStats:
        return ScreeningStats(total_s=time.perf_counter() - self.started, stage_seconds=self.seconds, counts=counts)


def _blocks(count: int, size: int) -> Iterator[slice]:
    for begin in range(0, count, size):
        yield slice(begin, min(begin + size, count))


@dataclass(frozen=True)
class _Healthy:
    """Objects that propagated at the health-check times, with their osculating radius band."""

    index: NDArray[np.int64]
    perigee_radius_km: NDArray[np.float64]
    apogee_radius_km: NDArray[np.float64]

    def overlapping(self, low_km: NDArray[np.float64], high_km: NDArray[np.float64]) -> NDArray[np.int64]:
        """Indices of objects whose [perigee, apogee] radii overlap [low, high] (per object)."""
        keep = (self.perigee_radius_km <= high_km) & (self.apogee_radius_km >= low_km)
        return self.index[keep]


def _health_check(satellites, objects, span: ScreeningSpan, failed: list[FailedObject]) -> _Healthy:
    """Propagate everything at the span's start, middle and end; errors go to `failed`."""
    if not satellites:
        return _Healthy(np.empty(0, dtype=np.int64), np.empty(0), np.empty(0))
    check_seconds = np.array(sorted({span.first_t, (span.first_t + span.last_t) // 2, span.last_t}))
    propagated = propagate_ecef(SatrecArray(satellites), span, check_seconds)
    bad = propagated.errors.any(axis=1)
    failed.extend(failed_object(objects[row], propagated.errors[row]) for row in np.nonzero(bad)[0])
    good = np.nonzero(~bad)[0]
    perigee, apogee = osculating_radii(propagated.r_teme_km[good], propagated.v_teme_km_s[good])
    return _Healthy(good, perigee.min(axis=1), apogee.max(axis=1))


@dataclass(frozen=True)
class _TrajectoryChunks:
    """The screened intervals cut into runs of `chunk_length` interval starts, each bounded by a sphere.

    A chunk holds intervals k_begin..k_end (inclusive), i.e. the chords between samples k and k + 1;
    its sphere and radius band cover every point of its screened chords, not only the samples.
    """

    k_begin: NDArray[np.int64]
    k_end: NDArray[np.int64]  # inclusive: the last interval starts there and ends at k_end + 1
    centre_km: NDArray[np.float64]
    bound_km: NDArray[np.float64]  # every point of the chunk's screened chords is within this of the centre
    chunk_radius_min_km: NDArray[np.float64]  # geocentric radii of the chunk's screened chords
    chunk_radius_max_km: NDArray[np.float64]
    length: int

    @classmethod
    def build(cls, span: ScreeningSpan, chunk_length: int) -> _TrajectoryChunks:
        begins, ends, centres, bounds, radius_min, radius_max = [], [], [], [], [], []
        for begin in range(span.first_k, span.last_k + 1, chunk_length):
            end = min(begin + chunk_length - 1, span.last_k)
            starts = begin + np.nonzero(span.interval_screened[begin : end + 1])[0]
            if len(starts) == 0:
                continue
            # A ball is convex: holding both ends of every chord, it holds the chords.
            samples = span.trajectory_km[np.union1d(starts, starts + 1)]
            centre = (samples.min(axis=0) + samples.max(axis=0)) / 2.0
            # A chord's largest radius is at one of its ends; its smallest may be inside it.
            lowest_km, _ = segment_minimum(span.trajectory_km[starts], span.trajectory_km[starts + 1])
            begins.append(begin)
            ends.append(end)
            centres.append(centre)
            bounds.append(float(np.linalg.norm(samples - centre, axis=1).max()))
            radius_min.append(float(lowest_km.min()))
            radius_max.append(float(np.linalg.norm(samples, axis=1).max()))
        return cls(
            np.array(begins, dtype=np.int64),
            np.array(ends, dtype=np.int64),
            np.array(centres).reshape(-1, 3),
            np.array(bounds),
            np.array(radius_min),
            np.array(radius_max),
            chunk_length,
        )

    @property
    def radius_min_km(self) -> float:
        return float(self.chunk_radius_min_km.min())

    @property
    def radius_max_km(self) -> float:
        return float(self.chunk_radius_max_km.max())


class _CoarseFilter:
    """Which (object, coarse time, chunk) triples could hide a closure in an interval of the coarse time.

    Coarse time t_m owns the intervals starting at t in [t_m - step/2 - 1/2, t_m + step/2 - 1/2];
    every moment of those intervals is within h = step/2 + 1/2 of t_m.
    """

    def __init__(self, span: ScreeningSpan, chunks: _TrajectoryChunks, coarse_seconds, step_s: int):
        self.chunks = chunks
        self.coarse_seconds = coarse_seconds
        self.reach_s = step_s / 2.0 + 0.5
        self.chord_pad_km = span.chord_pad_km
        # An interval starting at t for liftoff tau in [0, last_tau] starts at sample k = t - tau, so
        # only chunks overlapping [t_m - step/2 - 1/2 - last_tau, t_m + step/2 - 1/2] matter at t_m.
        earliest_k = coarse_seconds - step_s / 2.0 - 0.5 - span.last_tau_s
        latest_k = coarse_seconds + step_s / 2.0 - 0.5
        self.first_chunk = np.searchsorted(chunks.k_end, earliest_k, side="left")
        self.last_chunk = np.searchsorted(chunks.k_begin, latest_k, side="right") - 1
        self.radius_min_km = np.full(len(coarse_seconds), np.inf)
        self.radius_max_km = np.full(len(coarse_seconds), -np.inf)
        for m, (first, last) in enumerate(zip(self.first_chunk, self.last_chunk, strict=True)):
            if first <= last:
                self.radius_min_km[m] = chunks.chunk_radius_min_km[first : last + 1].min()
                self.radius_max_km[m] = chunks.chunk_radius_max_km[first : last + 1].max()

    def hits(
        self, object_index: NDArray[np.int64], propagated: Propagated, usable: NDArray[np.bool_], standoff_km
    ) -> tuple[NDArray[np.int64], int]:
        """Rows (object, coarse index, chunk) that need the fine check, and how many pairs were tested."""
        h, pad = self.reach_s, self.chord_pad_km
        r_teme, v_teme = propagated.r_teme_km, propagated.v_teme_km_s
        radius = np.linalg.norm(r_teme, axis=2)
        radial_speed = np.abs(np.sum(r_teme * v_teme, axis=2)) / radius
        speed = np.linalg.norm(v_teme, axis=2)
        # Earth-fixed speed <= inertial speed + omega r. Within h of a coarse time the inertial speed
        # grows by at most a_max h and the radius by at most (that speed) h.
        inertial_speed = speed.max(axis=1) + MAX_ACCELERATION_KM_S2 * h
        max_speed = inertial_speed + EARTH_ROTATION_RAD_S * (radius.max(axis=1) + inertial_speed * h) + 0.01
        radial_drift = radial_speed * h + 0.5 * MAX_RADIAL_ACCELERATION_KM_S2 * h * h
        standoff = standoff_km[object_index]

        # One pad for the chord distance, one for the object's chord sagging below its path.
        reach = standoff[:, None] + 2.0 * pad + radial_drift
        candidate = (radius >= self.radius_min_km[None, :] - reach) & (radius <= self.radius_max_km[None, :] + reach)
        candidate &= usable[:, None]
        rows, columns = np.nonzero(candidate)

        chunk_index = np.arange(len(self.chunks.k_begin))
        found = []
        for block in _blocks(len(rows), PAIR_BLOCK):
            row, m = rows[block], columns[block]
            position = propagated.r_ecef_km[row, m]
            sphere = (standoff[row] + pad + max_speed[row] * h)[:, None] + self.chunks.bound_km[None, :]
            distance2 = (
                np.sum(position**2, axis=1)[:, None]
                + np.sum(self.chunks.centre_km**2, axis=1)[None, :]
                - 2.0 * position @ self.chunks.centre_km.T
            )
            near = distance2 <= sphere * sphere
            near &= (chunk_index[None, :] >= self.first_chunk[m][:, None]) & (
                chunk_index[None, :] <= self.last_chunk[m][:, None]
            )
            radial = (standoff[row] + 2.0 * pad + radial_drift[row, m])[:, None]
            near &= radius[row, m][:, None] >= self.chunks.chunk_radius_min_km[None, :] - radial
            near &= radius[row, m][:, None] <= self.chunks.chunk_radius_max_km[None, :] + radial
            pair, chunk = np.nonzero(near)
            found.append(np.stack([object_index[row[pair]], m[pair], chunk], axis=1))
        hits = np.concatenate(found) if found else np.empty((0, 3), dtype=np.int64)
        return hits.astype(np.int64), len(rows)


class _FineCheck:
    """Exact check of the (object, coarse time, chunk) hits: every interval, from SGP4 at every second."""

    def __init__(self, span: ScreeningSpan, chunks: _TrajectoryChunks, step_s: int):
        self.span = span
        self.chunks = chunks
        self.coarse_first_t = span.first_t
        self.step_s = step_s
        # Coarse time t_m owns the `step_s` interval starts from t_m - ceil(step/2): those within
        # [t_m - step/2 - 1/2, t_m + step/2 - 1/2], as the coarse filter assumes.
        self.lead_s = (step_s + 1) // 2
        self.counts = {"fine_objects": 0, "fine_propagations": 0, "fine_pairs": 0}

    def run(self, hits, satellites, objects, standoff_km, failed: list[FailedObject]):
        """Closure hits as arrays (object, liftoff index, distance km, fractional second after window open)."""
        span, step = self.span, self.step_s
        empty = (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0), np.empty(0))
        if len(hits) == 0:
            return empty
        hits = hits[np.lexsort((hits[:, 1], hits[:, 0]))]
        t_start = self.coarse_first_t + hits[:, 1] * step - self.lead_s  # first interval start of the hit
        # Seconds to propagate: both ends of the hit's intervals, within the span.
        t_first = np.maximum(t_start, span.first_t)
        t_last = np.minimum(t_start + step, span.last_t)

        # One SGP4 call per object over the union of the seconds its hits need.
        object_ids, starts = np.unique(hits[:, 0], return_index=True)
        bounds = np.append(starts, len(hits))
        positions, row_of_first = [], np.empty(len(hits), dtype=np.int64)
        usable = np.ones(len(hits), dtype=bool)
        offset = 0
        for obj, begin, end in zip(object_ids, bounds[:-1], bounds[1:], strict=True):
            seconds = np.unique(
                np.concatenate(
                    [np.arange(a, b + 1) for a, b in zip(t_first[begin:end], t_last[begin:end], strict=True)]
                )
            ).astype(np.int64)
            row_of_first[begin:end] = offset + np.searchsorted(seconds, t_first[begin:end])
            if len(seconds) == 0:
                continue
            propagated = propagate_ecef(satellites[obj], span, seconds)
            if np.any(propagated.errors):
                failed.append(failed_object(objects[obj], propagated.errors))
                usable[begin:end] = False
            positions.append(propagated.r_ecef_km)
            offset += len(seconds)
        self.counts["fine_objects"] = len(object_ids)
        self.counts["fine_propagations"] = offset
        if offset == 0:
            return empty
        fine_positions = np.concatenate(positions)

        results = []
        reach = standoff_km + span.chord_pad_km
        ends = np.arange(step + 1)  # seconds t_start + i; interval i runs from second i to i + 1
        samples = np.arange(self.chunks.length + 1)  # samples k_begin + j; interval j from j to j + 1
        for block in _blocks(len(hits), HIT_BLOCK):
            keep = usable[block]
            obj = hits[block, 0][keep]
            chunk = hits[block, 2][keep]
            first, last = t_first[block][keep][:, None], t_last[block][keep][:, None]
            t = t_start[block][keep][:, None] + ends[None, :]  # (B, T + 1)
            t_ok = (t >= first) & (t <= last)
            rows = np.where(t_ok, row_of_first[block][keep][:, None] + (t - first), 0)
            k_begin, k_end = self.chunks.k_begin[chunk][:, None], self.chunks.k_end[chunk][:, None]
            k = k_begin + samples[None, :]  # (B, K + 1)
            k = np.where(k <= k_end + 1, k, k_begin)
            difference = fine_positions[rows][:, :, None, :] - span.trajectory_km[k][:, None, :, :]
            distance, u = segment_minimum(difference[:, :-1, :-1], difference[:, 1:, 1:])  # (B, T, K)
            t, k = t[:, :-1], k[:, :-1]  # interval starts
            interval_t_ok = t_ok[:, :-1] & t_ok[:, 1:]
            interval_k_ok = (k <= k_end) & span.interval_screened[np.minimum(k, k_end)]
            tau = t[:, :, None] - k[:, None, :]
            close = (
                interval_t_ok[:, :, None]
                & interval_k_ok[:, None, :]
                & (tau >= 0)
                & (tau <= span.last_tau_s)
                & (tau % span.resolution_s == 0)
                & (distance <= reach[obj][:, None, None])
            )
            self.counts["fine_pairs"] += int(np.count_nonzero(interval_t_ok[:, :, None] & interval_k_ok[:, None, :]))
            b, i, j = np.nonzero(close)
            results.append((obj[b], tau[b, i, j] // span.resolution_s, distance[b, i, j], t[b, i] + u[b, i, j]))
        if not results:
            return empty
        return tuple(np.concatenate(column) for column in zip(*results, strict=True))
