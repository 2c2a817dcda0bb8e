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
3. coarse grid: survivors are propagated every `coarse_step_s` (s). Coarse segment m, from t_m to
   t_{m+1}, owns the intervals starting at t in [t_m, t_{m+1} - 1]; by the chord lemma (`screening_span`)
   every chord point of the object in them is within e_m = a (t_{m+1} - t_m)^2 / 8 of the straight segment
   X(t_m) X(t_{m+1}) (a = `OBJECT_MAX_ACCELERATION_KM_S2`). The trajectory is cut into chunks of
   `coarse_step_s` interval starts, each a segment from its first to its last screened sample plus the
   largest distance of its samples from that segment. A (object, segment, chunk) triple can only hold a
   closure when the two segments come within reach + e_m + that deviation, where reach is what closes
   (stand-off + allowance + chord pad). Candidates are found sparsely: the object segment's radius band
   against the chunks' bands (its smallest radius bounded below by sqrt(r^2 - L^2 / 4) from its shorter end
   radius r and length L, then computed exactly where that bound keeps it), a sweep over the chunk centres
   sorted by x, a ball test, then the exact segment-to-segment gap (`segment_gap_lower_bound`, a
   separating-axis lower bound, so rounding or nearly parallel segments can only keep a triple). No
   assumption about either side's speed;
4. fine: each surviving (object, segment, chunk) is checked from SGP4 positions at every second: only the
   object's 1 s chords that come within reach of the chunk's segment (plus its deviation) are paired with
   the vehicle chords that come within reach of the object's segment (plus e_m), pairs that belong to no
   liftoff of the window are dropped, and each remaining pair's chord distance is computed exactly as the
   reference does (the same separations and `segment_minimum` arithmetic, on x, y, z arrays).

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

from flights.orbits.errors import OrbitError
from flights.orbits.frames import gmst_rad
from flights.orbits.propagation import BulkPropagator
from flights.orbits.screening_brute import screen_brute_force
from flights.orbits.screening_span import (
    BAND_PAD_KM,
    OBJECT_MAX_ACCELERATION_KM_S2,
    Allowances,
    ScreeningSpan,
    closures_from_hits,
    failed_object,
    finish,
    osculating_radii,
    segment_minimum,
    segment_minimum_xyz,
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
    "segment_gap_lower_bound",
    "smallest_radius_lower_bound",
]

# Shell pad (see `screening_span.BAND_PAD_KM`): SGP4's short-period terms move an object's radius
# ~10-20 km around its osculating two-body perigee/apogee, and drift between health-check times adds a little.
SHELL_PAD_KM = BAND_PAD_KM
# Slack on every filter bound for floating-point rounding (coordinates ~7,000 km carry ~1e-12 km of it).
ROUNDING_KM = 1e-3
OBJECT_BLOCK = 2000  # objects propagated together on the coarse grid (bounds memory)
PAIR_BLOCK = 20000  # (object, coarse segment) pairs swept against the chunks at once
HIT_BLOCK = 1000  # (object, coarse time, chunk) hits refined at once


def screen(
    *,
    trajectory_ecef_km,
    objects: list[ScreeningObject],
    window_open: datetime,
    window_close: datetime,
    min_altitude_km: float = 150.0,
    resolution_s: int = 1,
    coarse_step_s: int = 40,
    policy: UncertaintyPolicy | None = None,
    propagator: str = "sgp4",
) -> ScreeningResult:
    """Screen every liftoff of [window_open, window_close] (every `resolution_s`) against `objects`.

    `trajectory_ecef_km` is the nominal trajectory (n, 3) at 1 s steps from liftoff (see
    `trajectory.nominal_trajectory`); orbital flights should cover at least 3 h after liftoff.
    `policy` says when elements are too old and how their stand-off grows (default `UncertaintyPolicy()`).
    `propagator` is the coarse grid's bulk propagator: "sgp4" (the reference) or "astroz" (cross-checked
    against sgp4 object by object, see `propagation`); every other stage and so the result are sgp4's.
    """
    policy = policy or UncertaintyPolicy()
    bulk = BulkPropagator(propagator)
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
    trusted = bulk.trusted(objects, survivors, *healthy.check_state(survivors))
    counts["astroz_propagated"] = int(np.count_nonzero(trusted))
    clock.lap("cross_check")

    # Coarse segments cover the span: every interval start belongs to exactly one of them.
    coarse_seconds = np.append(np.arange(span.first_t, span.last_t, step_s), span.last_t)
    coarse = _CoarseFilter(span, chunks, coarse_seconds)
    closing_km = standoff + span.chord_pad_km
    jd, fraction = span.julian_dates(coarse_seconds)
    gmst = gmst_rad(jd, fraction)
    hit_blocks, counts["coarse_pairs"] = [], 0
    for block in _blocks(len(survivors), OBJECT_BLOCK):
        block_index = survivors[block]
        propagated = bulk.coarse(satellites, objects, block_index, trusted[block], jd, fraction)
        r_ecef = _teme_to_ecef_xyz(propagated.r_teme_km, gmst)
        clock.lap("coarse_propagation")
        bad = propagated.errors.any(axis=1)
        failed.extend(failed_object(objects[block_index[row]], propagated.errors[row]) for row in np.nonzero(bad)[0])
        reach_km = closing_km[block_index] + propagated.slack_km
        block_hits, pair_count = coarse.hits(block_index, r_ecef, ~bad, reach_km)
        hit_blocks.append(block_hits)
        counts["coarse_pairs"] += pair_count
        clock.lap("coarse_filter")
    hits = np.concatenate(hit_blocks) if hit_blocks else np.empty((0, 3), dtype=np.int64)
    counts["coarse_hits"] = len(hits)

    fine = _FineCheck(span, chunks, coarse_seconds, step_s)
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
    jd: NDArray[np.float64]  # the check times
    fraction: NDArray[np.float64]
    errors: NDArray[np.uint8]  # every object at the check times (objects, times)
    r_teme_km: NDArray[np.float64]  # (objects, times, 3)

    def check_state(self, index: NDArray[np.int64]):
        """(jd, fraction, errors, TEME positions) of `objects[index]` at the check times."""
        return self.jd, self.fraction, self.errors[index], self.r_teme_km[index]

    def overlapping(self, low_km: NDArray[np.float64], high_km: NDArray[np.float64]) -> NDArray[np.int64]:
        """Indices of objects whose [perigee, apogee] radii overlap [low, high] (per object)."""
        keep = (self.perigee_radius_km <= high_km) & (self.apogee_radius_km >= low_km)
        return self.index[keep]


def _health_check(satellites, objects, span: ScreeningSpan, failed: list[FailedObject]) -> _Healthy:
    """Propagate everything at the span's start, middle and end; errors go to `failed`."""
    check_seconds = np.array(sorted({span.first_t, (span.first_t + span.last_t) // 2, span.last_t}))
    jd, fraction = span.julian_dates(check_seconds)
    if not satellites:
        nothing = np.empty((0, len(check_seconds)))
        return _Healthy(np.empty(0, dtype=np.int64), np.empty(0), np.empty(0), jd, fraction, nothing, nothing)
    errors, r_teme_km, v_teme_km_s = SatrecArray(satellites).sgp4(jd, fraction)  # TEME is all it needs
    bad = errors.any(axis=1)
    failed.extend(failed_object(objects[row], errors[row]) for row in np.nonzero(bad)[0])
    good = np.nonzero(~bad)[0]
    perigee, apogee = osculating_radii(r_teme_km[good], v_teme_km_s[good])
    return _Healthy(good, perigee.min(axis=1), apogee.max(axis=1), jd, fraction, errors, r_teme_km)


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
    start_km: NDArray[np.float64]  # the chunk's segment: first and last of its screened chords' ends
    end_km: NDArray[np.float64]
    deviation_km: NDArray[np.float64]  # every point of its screened chords is within this of that segment
    length: int

    @classmethod
    def build(cls, span: ScreeningSpan, chunk_length: int) -> _TrajectoryChunks:
        # All chunks at once: row c holds the intervals begin_c .. begin_c + length - 1 and their samples,
        # masked to the chunk's screened intervals and the samples at their ends.
        trajectory = span.trajectory_km
        begin = np.arange(span.first_k, span.last_k + 1, chunk_length)
        end = np.minimum(begin + chunk_length - 1, span.last_k)
        interval = begin[:, None] + np.arange(chunk_length)[None, :]
        screened = (interval <= end[:, None]) & span.interval_screened[np.minimum(interval, span.last_k)]
        kept = screened.any(axis=1)
        begin, end, interval, screened = begin[kept], end[kept], interval[kept], screened[kept]
        sample = np.minimum(begin[:, None] + np.arange(chunk_length + 1)[None, :], span.last_k + 1)
        # A sample is a chord's end when the interval starting or ending there is screened.
        at_end = np.zeros(sample.shape, dtype=bool)
        at_end[:, :-1] |= screened
        at_end[:, 1:] |= screened
        points = trajectory[sample]  # (chunks, length + 1, 3)
        # A ball is convex: holding both ends of every chord, it holds the chords.
        low = np.where(at_end[:, :, None], points, np.inf).min(axis=1)
        high = np.where(at_end[:, :, None], points, -np.inf).max(axis=1)
        centre = (low + high) / 2.0
        bound = np.where(at_end, np.linalg.norm(points - centre[:, None, :], axis=2), -np.inf).max(axis=1)
        # A chord's largest radius is at one of its ends; its smallest may be inside it.
        chord_lowest_km, _ = segment_minimum(trajectory[:-1], trajectory[1:])
        radius_min = np.where(screened, chord_lowest_km[np.minimum(interval, span.last_k)], np.inf).min(axis=1)
        radius_max = np.where(at_end, np.linalg.norm(trajectory, axis=1)[sample], -np.inf).max(axis=1)
        # The distance to a segment is convex too: a chord is no further from it than its ends.
        rows = np.arange(len(begin))
        first = points[rows, np.argmax(at_end, axis=1)]
        last = points[rows, at_end.shape[1] - 1 - np.argmax(at_end[:, ::-1], axis=1)]
        off_segment_km, _ = segment_minimum(first[:, None, :] - points, last[:, None, :] - points)
        deviation = np.where(at_end, off_segment_km, -np.inf).max(axis=1) + ROUNDING_KM
        return cls(
            begin.astype(np.int64),
            end.astype(np.int64),
            centre.reshape(-1, 3),
            bound,
            radius_min,
            radius_max,
            first.reshape(-1, 3),
            last.reshape(-1, 3),
            deviation,
            chunk_length,
        )

    @property
    def radius_min_km(self) -> float:
        return float(self.chunk_radius_min_km.min())

    @property
    def radius_max_km(self) -> float:
        return float(self.chunk_radius_max_km.max())


class _CoarseFilter:
    """Which (object, coarse segment, chunk) triples could hide a closure (see the module docstring, step 3).

    Coarse segment m runs from coarse second t_m to t_{m+1} and owns the intervals starting at t in
    [t_m, t_{m+1} - 1]: both ends of those intervals lie in [t_m, t_{m+1}], so the object's chord points are
    within `deviation_km[m]` of the straight segment X(t_m) X(t_{m+1}). Candidate chunks come from a sweep
    over the chunk centres sorted by x (sparse: a few per pair), then a ball test, then the exact test
    between the two segments: no dense pairs x chunks matrix.
    """

    def __init__(self, span: ScreeningSpan, chunks: _TrajectoryChunks, coarse_seconds: NDArray[np.int64]):
        self.chunks = chunks
        starts, ends = coarse_seconds[:-1], coarse_seconds[1:]
        # Chord lemma (`screening_span`): a path with |r''| <= a strays at most a dt^2 / 8 from its chord.
        self.deviation_km = OBJECT_MAX_ACCELERATION_KM_S2 * (ends - starts) ** 2 / 8.0 + ROUNDING_KM
        # An interval starting at t for liftoff tau in [0, last_tau] starts at sample k = t - tau, so only
        # chunks overlapping [t_m - last_tau, t_{m+1} - 1] matter for segment m.
        self.first_chunk = np.searchsorted(chunks.k_end, starts - span.last_tau_s, side="left")
        self.last_chunk = np.searchsorted(chunks.k_begin, ends - 1, side="right") - 1
        self.radius_min_km = np.full(len(starts), np.inf)
        self.radius_max_km = np.full(len(starts), -np.inf)
        for m, (first, last) in enumerate(zip(self.first_chunk, self.last_chunk, strict=True)):
            if first <= last:
                self.radius_min_km[m] = chunks.chunk_radius_min_km[first : last + 1].min()
                self.radius_max_km[m] = chunks.chunk_radius_max_km[first : last + 1].max()
        self.sweep_order = np.argsort(chunks.centre_km[:, 0], kind="stable")
        self.sweep_x_km = chunks.centre_km[self.sweep_order, 0]
        self.largest_bound_km = float(chunks.bound_km.max()) if len(chunks.bound_km) else 0.0

    def hits(
        self, object_index: NDArray[np.int64], r_ecef_km, usable: NDArray[np.bool_], reach_km
    ) -> tuple[NDArray[np.int64], int]:
        """Rows (object, coarse segment, chunk) that need the fine check, and how many pairs were tested.

        `r_ecef_km` is the (x, y, z) of the objects' positions, each (objects, coarse seconds); `reach_km` per
        object: the distance that closes (stand-off, allowance and chord pad), plus the bulk propagator's slack.
        """
        chunks = self.chunks
        radius_km = np.sqrt(_dot(r_ecef_km, r_ecef_km))
        highest_km = np.maximum(radius_km[:, :-1], radius_km[:, 1:])
        threshold = reach_km[:, None] + self.deviation_km[None, :]
        # The segment's smallest radius may be inside it: a cheap bound on it first, the exact smallest radius
        # only for the pairs that bound keeps (so the same candidates).
        chord = _minus(_tail(r_ecef_km), _head(r_ecef_km))
        lowest_bound_km = smallest_radius_lower_bound(radius_km[:, :-1], radius_km[:, 1:], _dot(chord, chord))
        candidate = (lowest_bound_km - threshold <= self.radius_max_km[None, :]) & (
            highest_km + threshold >= self.radius_min_km[None, :]
        )
        candidate &= usable[:, None]
        rows, columns = np.nonzero(candidate)
        begin = tuple(component[rows, columns] for component in r_ecef_km)
        end = tuple(component[rows, columns + 1] for component in r_ecef_km)
        lowest_km, _ = segment_minimum_xyz(begin, end)
        exact = lowest_km - threshold[rows, columns] <= self.radius_max_km[columns]
        rows, columns, lowest_km = rows[exact], columns[exact], lowest_km[exact]
        begin, end = tuple(c[exact] for c in begin), tuple(c[exact] for c in end)

        found = []
        chunk_start, chunk_end, chunk_centre = _xyz(chunks.start_km), _xyz(chunks.end_km), _xyz(chunks.centre_km)
        for block in _blocks(len(rows), PAIR_BLOCK):
            row, m = rows[block], columns[block]
            p0, p1 = tuple(c[block] for c in begin), tuple(c[block] for c in end)
            gap_km, low, high = threshold[row, m], lowest_km[block], highest_km[row, m]
            middle = tuple((a + b) / 2.0 for a, b in zip(p0, p1, strict=True))
            chord = _minus(p1, p0)
            half = np.sqrt(_dot(chord, chord)) / 2.0
            pair, chunk = self._sweep(middle[0], half + gap_km + self.largest_bound_km)
            m_pair = m[pair]
            keep = (chunk >= self.first_chunk[m_pair]) & (chunk <= self.last_chunk[m_pair])
            keep &= low[pair] - gap_km[pair] <= chunks.chunk_radius_max_km[chunk]
            keep &= high[pair] + gap_km[pair] >= chunks.chunk_radius_min_km[chunk]
            pair, chunk = pair[keep], chunk[keep]
            ball = half[pair] + gap_km[pair] + chunks.bound_km[chunk]
            apart = tuple(middle[n][pair] - chunk_centre[n][chunk] for n in range(3))
            keep = _dot(apart, apart) <= ball * ball
            pair, chunk = pair[keep], chunk[keep]
            apart = segment_gap_lower_bound_xyz(
                tuple(c[pair] for c in p0),
                tuple(c[pair] for c in p1),
                tuple(c[chunk] for c in chunk_start),
                tuple(c[chunk] for c in chunk_end),
            )
            keep = apart <= gap_km[pair] + chunks.deviation_km[chunk]
            pair, chunk = pair[keep], chunk[keep]
            found.append(np.stack([object_index[row[pair]], m[pair], chunk], axis=1))
        hits = np.concatenate(found) if found else np.empty((0, 3), dtype=np.int64)
        return hits.astype(np.int64), len(rows)

    def _sweep(self, x_km: NDArray[np.float64], radius_km: NDArray[np.float64]):
        """(pair, chunk) for every chunk whose centre's x is within `radius_km` of the pair's `x_km`."""
        low = np.searchsorted(self.sweep_x_km, x_km - radius_km, side="left")
        high = np.searchsorted(self.sweep_x_km, x_km + radius_km, side="right")
        counts = high - low
        pair = np.repeat(np.arange(len(x_km)), counts)
        offset = np.arange(len(pair)) - np.repeat(np.cumsum(counts) - counts, counts)
        return pair, self.sweep_order[np.repeat(low, counts) + offset]


def smallest_radius_lower_bound(radius0_km, radius1_km, length2_km2) -> NDArray[np.float64]:
    """A lower bound on the smallest distance from the origin of a segment with these end radii and squared length.

    sqrt(r^2 - L^2 / 4), r the smaller end radius and L the length: when the closest point q is inside the
    segment, q is square to it and the nearer end is at most L / 2 from q, so r^2 <= |q|^2 + L^2 / 4; when it
    is an end, |q| >= r. Less `ROUNDING_KM`, so rounding can only lower it.
    """
    inner_km2 = np.minimum(radius0_km, radius1_km) ** 2 - length2_km2 / 4.0
    return np.sqrt(np.maximum(inner_km2, 0.0)) - ROUNDING_KM


def segment_gap_lower_bound(p0, p1, q0, q1) -> NDArray[np.float64]:
    """A lower bound, equal to it up to rounding, on the distance between segments p0 p1 and q0 q1 (..., 3).

    The closest points come from the usual clamped solution (Ericson, "Real-Time Collision Detection",
    5.1.9); the returned gap is the separation of the two segments along the direction joining them,
    min over the first segment's ends of n . x minus max over the second's: a lower bound for any
    direction n (a separating-axis bound), so a badly conditioned (nearly parallel) pair can only be
    kept, never wrongly dropped. `segment_gap_lower_bound_xyz` is the same on (x, y, z) tuples of arrays.
    """
    return segment_gap_lower_bound_xyz(*(_xyz(point) for point in (p0, p1, q0, q1)))


def _xyz(vectors):
    return vectors[..., 0], vectors[..., 1], vectors[..., 2]


def _dot(a, b):
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _minus(a, b):
    return a[0] - b[0], a[1] - b[1], a[2] - b[2]


def segment_gap_lower_bound_xyz(p0, p1, q0, q1) -> NDArray[np.float64]:
    """`segment_gap_lower_bound` for points given as (x, y, z) tuples of broadcastable arrays."""
    d1, d2, r = _minus(p1, p0), _minus(q1, q0), _minus(p0, q0)
    a, e, b = _dot(d1, d1), _dot(d2, d2), _dot(d1, d2)
    c, f = _dot(d1, r), _dot(d2, r)
    denominator = a * e - b * b
    with np.errstate(divide="ignore", invalid="ignore"):
        s_alone = np.where(a > 0.0, np.clip(-c / a, 0.0, 1.0), 0.0)  # the first segment against a point
        s = np.where(denominator > 0.0, np.clip((b * f - c * e) / denominator, 0.0, 1.0), 0.0)
        s = np.where(e > 0.0, s, s_alone)
        t = np.where(e > 0.0, (b * s + f) / e, 0.0)
        s = np.where(t < 0.0, s_alone, s)
        s = np.where(t > 1.0, np.where(a > 0.0, np.clip((b - c) / a, 0.0, 1.0), 0.0), s)
        t = np.clip(t, 0.0, 1.0)
        direction = tuple((p0[n] + s * d1[n]) - (q0[n] + t * d2[n]) for n in range(3))
        length = np.sqrt(_dot(direction, direction))
        n = tuple(np.where(length > 0.0, component / length, 0.0) for component in direction)
    along = np.minimum(_dot(n, p0), _dot(n, p1)) - np.maximum(_dot(n, q0), _dot(n, q1))
    return np.maximum(along, 0.0)


class _FineCheck:
    """Exact check of the (object, coarse time, chunk) hits: every interval, from SGP4 at every second."""

    def __init__(self, span: ScreeningSpan, chunks: _TrajectoryChunks, coarse_seconds, step_s: int):
        self.span = span
        self.chunks = chunks
        self.coarse_seconds = coarse_seconds
        self.step_s = step_s
        self.counts = {"fine_objects": 0, "fine_propagations": 0, "fine_pairs": 0}

    def run(self, hits, satellites, objects, standoff_km, failed: list[FailedObject]):
        """Closure hits as arrays (object, liftoff index, distance km, fractional second after window open)."""
        span = self.span
        empty = (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0), np.empty(0))
        if len(hits) == 0:
            return empty
        hits = hits[np.lexsort((hits[:, 1], hits[:, 0]))]
        # Seconds to propagate: both ends of the segment's intervals (its last segment may be shorter).
        t_first, t_last = self.coarse_seconds[hits[:, 1]], self.coarse_seconds[hits[:, 1] + 1]
        positions = self._propagate(hits, t_first, t_last, satellites, objects, failed)
        if positions is None:
            return empty
        usable, row_of_first, object_xyz = positions
        vehicle_xyz = tuple(np.ascontiguousarray(span.trajectory_km[:, n]) for n in range(3))
        reach = standoff_km + span.chord_pad_km
        results = []
        for block in _blocks(len(hits), HIT_BLOCK):
            rows = block.start + np.nonzero(usable[block])[0]
            if len(rows):
                results.append(
                    self._block(
                        hits[rows], t_first[rows], t_last[rows], row_of_first[rows], object_xyz, vehicle_xyz, reach
                    )
                )
        if not results:
            return empty
        return tuple(np.concatenate(column) for column in zip(*results, strict=True))

    def _propagate(self, hits, t_first, t_last, satellites, objects, failed: list[FailedObject]):
        """SGP4 at every second the hits need, one call per object over the union of its hits' seconds.

        Returns (usable hits, row of each hit's first second, positions as x, y, z arrays over the rows), or
        None when nothing was propagated. An object SGP4 fails on goes to `failed` and its hits are unusable.
        """
        span = self.span
        # An object's seconds are the union of its hits' segments [t_m, t_{m+1}] (hits come sorted by object,
        # then segment): each distinct (object, segment) gives t_m .. t_{m+1}, less its end second when the
        # object's next segment starts there.
        pair_start = np.ones(len(hits), dtype=bool)
        pair_start[1:] = (hits[1:, 0] != hits[:-1, 0]) | (hits[1:, 1] != hits[:-1, 1])
        pair_obj, pair_first, pair_last = hits[pair_start, 0], t_first[pair_start], t_last[pair_start]
        continued = np.zeros(len(pair_obj), dtype=bool)
        continued[:-1] = (pair_obj[1:] == pair_obj[:-1]) & (pair_first[1:] == pair_last[:-1])
        lengths = pair_last - pair_first + np.where(continued, 0, 1)
        pair_row = np.cumsum(lengths) - lengths
        all_seconds = np.repeat(pair_first - pair_row, lengths) + np.arange(int(lengths.sum()))
        row_of_first = pair_row[np.cumsum(pair_start) - 1]
        object_ids, first_pair = np.unique(pair_obj, return_index=True)
        object_rows = np.append(pair_row[first_pair], len(all_seconds))
        r_teme, failed_ids = [], []
        for obj, begin, end in zip(object_ids, object_rows[:-1], object_rows[1:], strict=True):
            errors, r, _ = satellites[obj].sgp4_array(*span.julian_dates(all_seconds[begin:end]))
            if np.any(errors):
                failed.append(failed_object(objects[obj], errors))
                failed_ids.append(obj)
            r_teme.append(r)
        usable = ~np.isin(hits[:, 0], failed_ids)
        offset = len(all_seconds)
        self.counts["fine_objects"] = len(object_ids)
        self.counts["fine_propagations"] = offset
        if offset == 0:
            return None
        # The rotation to ECEF is elementwise: done once over every object's seconds.
        r_ecef = _teme_to_ecef_xyz(np.concatenate(r_teme), gmst_rad(*span.julian_dates(all_seconds)))
        return usable, row_of_first, r_ecef

    def _block(self, hits, t_first, t_last, row_of_first, object_xyz, vehicle_xyz, reach):
        """Closure hits of a block of usable (object, coarse segment, chunk) hits."""
        span, chunks = self.span, self.chunks
        obj, chunk = hits[:, 0], hits[:, 2]
        first, last = t_first[:, None], t_last[:, None]
        width_t, width_k = self.step_s + 1, chunks.length + 1  # samples: seconds t_first + i, trajectory k_begin + j
        t = first + np.arange(width_t)[None, :]  # (B, T + 1); interval i runs from second i to i + 1
        t_ok = t <= last
        rows = np.where(t_ok, row_of_first[:, None] + (t - first), 0)
        k_begin, k_end = chunks.k_begin[chunk][:, None], chunks.k_end[chunk][:, None]
        k = k_begin + np.arange(width_k)[None, :]  # (B, K + 1); interval j from sample j to j + 1
        k = np.where(k <= k_end + 1, k, k_begin)
        o = tuple(component[rows] for component in object_xyz)  # (B, T + 1) each
        v = tuple(component[k] for component in vehicle_xyz)  # (B, K + 1) each
        t, k = t[:, :-1], k[:, :-1]  # interval starts
        interval_t_ok = t_ok[:, :-1] & t_ok[:, 1:]
        interval_k_ok = (k <= k_end) & span.interval_screened[np.minimum(k, k_end)]
        self.counts["fine_pairs"] += int(np.dot(interval_t_ok.sum(axis=1), interval_k_ok.sum(axis=1)))
        # Only intervals that can come within reach of the other side's segment are paired: an object
        # chord further than reach + the chunk's deviation from the chunk's segment closes with none of
        # its vehicle chords, and a vehicle chord the same way with the object's chords of the segment.
        closing = reach[obj][:, None]
        starts, ends = _xyz(chunks.start_km[chunk][:, None]), _xyz(chunks.end_km[chunk][:, None])
        object_gap = segment_gap_lower_bound_xyz(_head(o), _tail(o), starts, ends)
        near_t = interval_t_ok & (object_gap <= closing + chunks.deviation_km[chunk][:, None])
        span_t = (last - first)[:, 0]
        segment_end = tuple(component[np.arange(len(obj)), span_t][:, None] for component in o)
        deviation = OBJECT_MAX_ACCELERATION_KM_S2 * (last - first) ** 2 / 8.0 + ROUNDING_KM
        vehicle_gap = segment_gap_lower_bound_xyz(_head(v), _tail(v), tuple(c[:, :1] for c in o), segment_end)
        near_k = interval_k_ok & (vehicle_gap <= closing + deviation)
        # Object interval i (second t_first + i) and vehicle interval j (sample k_begin + j) meet for liftoff
        # tau = (t_first - k_begin) + i - j: only pairs of a liftoff of the window are taken.
        offset = (first - k_begin)[:, 0]
        i_minus_j = np.arange(width_t - 1)[:, None] - np.arange(width_k - 1)[None, :]
        pairs = near_t[:, :, None] & near_k[:, None, :]
        pairs &= i_minus_j[None, :, :] >= -offset[:, None, None]
        pairs &= i_minus_j[None, :, :] <= span.last_tau_s - offset[:, None, None]
        if span.resolution_s > 1:
            pairs &= (offset[:, None, None] + i_minus_j[None, :, :]) % span.resolution_s == 0
        b, i, j = np.nonzero(pairs)
        tau = offset[b] + i - j
        # Chord distances from flat gathers of each component (the separations are those of `segment_minimum`).
        at_t, at_k = b * width_t + i, b * width_k + j
        o_flat, v_flat = [c.ravel() for c in o], [c.ravel() for c in v]
        distance, u = segment_minimum_xyz(
            tuple(o_flat[n][at_t] - v_flat[n][at_k] for n in range(3)),
            tuple(o_flat[n][at_t + 1] - v_flat[n][at_k + 1] for n in range(3)),
        )
        self.counts["fine_distances"] = self.counts.get("fine_distances", 0) + len(b)
        close = distance <= reach[obj[b]]
        b, i, tau = b[close], i[close], tau[close]
        return obj[b], tau // span.resolution_s, distance[close], (t_first[b] + i) + u[close]


def _teme_to_ecef_xyz(r_teme_km: NDArray[np.float64], gmst: NDArray[np.float64]):
    """`frames.teme_to_ecef` of positions (..., times, 3), as their (x, y, z) arrays (same arithmetic)."""
    angle = -gmst
    cos_a, sin_a = np.cos(angle), np.sin(angle)
    x, y, z = _xyz(r_teme_km)
    return cos_a * x - sin_a * y, sin_a * x + cos_a * y, np.ascontiguousarray(z)


def _head(xyz):
    return tuple(component[:, :-1] for component in xyz)


def _tail(xyz):
    return tuple(component[:, 1:] for component in xyz)
