"""On-orbit conjunction screening: one protected object against a catalog, days ahead (CARA practice).

Finds every close approach inside a screening volume around the protected object, in its RTN frame
(for crewed vehicles the ISS "pizza box": +-2 km radial, +-25 km in-track, +-25 km cross-track),
with the TCA refined to the millisecond. Each filter only discards what provably cannot come into the
volume (its half-diagonal `gate` bounds the distance of any point inside it):

1. exclusions: the protected object itself and the objects docked to it (`exclude_ids`), listed;
2. shell: an object whose mean perigee..apogee band, padded by `SHELL_PAD_KM` (short-period and
   drag variation over a week, far below it for LEO) plus the volume's largest half-size, does not
   overlap the protected object's band cannot come within the volume;
3. health: SGP4 errors (at the start, middle and end of the span, or at any sample) are reported in
   `failed`, never silently dropped;
4. coarse sweep (vectorised `SatrecArray`, every `coarse_step_s`, default 10 min): each sample stands
   for the half-step either side of it. Over that half-step the relative position departs from its
   straight line (position + s x velocity at the sample) by at most `straight_line_deviation_km`, a
   bound from the gravity gradient (relative acceleration <= 2 mu / r^3 x distance, plus a margin for
   J2, drag and SGP4's own terms; Gronwall's inequality). A half-step whose straight-line closest
   approach, less that bound, is beyond the gate cannot hold a point inside the volume;
5. attached: an object that never leaves `attached_km` (10 km) of the protected object over the whole
   span moves with it (a module or vehicle docked to a station, published with the station's own
   elements): no encounter to screen; listed in `attached`;
6. fine sweep: only the coarse half-steps that passed are sampled again every `step_s` (default 20 s),
   per object, and filtered the same way (the bound is metres there);
7. refine: each fine sample that passed is refined (Newton steps on the range rate from its
   straight-line guess, scalar SGP4, inside one step either side, golden-section search if a step
   leaves it) to `tca_tolerance_s`; a minimum at the edge of its bracket belongs to the neighbouring
   sample, which then passed too. The miss is resolved in the protected object's RTN frame and tested
   against the volume.

Stale elements (`uncertainty`, the launch screen's `UncertaintyPolicy`: 7 days, 2 km per day). An element
set whose age |t - epoch| exceeds `max_element_age_days` at a time t of the span is not taken as exact
there: its position error is bounded by `in_track_growth_km_per_day` x that age (a sphere). The protected
object's own elements count the same way, and the two allowances add (triangle inequality), so at time t
the pair's allowance is pad(t) = growth x (own age(t) if stale + other age(t) if stale). Over the span the
ages are largest at one of its ends, so P = growth x (the stale ages at whichever end is further from each
epoch) bounds pad(t) everywhere. Each object is screened with filters 2, 4 and 6 widened by its own P (the
shell reach by P, the gate to the half-diagonal of the volume grown by P on each axis: a true point inside
the volume with an error of at most P is predicted inside that grown box), so they stay conservative. A
refined minimum outside the volume but inside the volume grown by pad(TCA) on each axis is not a miss: it
is listed in `uncertain` (with both ages and the allowance), never an approach. `uncertainty=None` screens
every element set as exact (the brute-force comparisons).

Relative distances do not depend on the (quasi-)inertial frame, so TEME is used throughout.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray
from sgp4.api import SatrecArray

from flights.orbits.conjunction.pc import relative_rtn
from flights.orbits.constants import WGS72_EQUATORIAL_RADIUS_KM, WGS72_MU_KM3_S2
from flights.orbits.element_set import ElementSet
from flights.orbits.errors import OrbitError
from flights.orbits.frames import julian_date, require_utc
from flights.orbits.screening_types import UncertaintyPolicy

__all__ = [
    "ISS_PIZZA_BOX_KM",
    "AttachedObject",
    "CloseApproach",
    "OrbitScreeningResult",
    "UncertainApproach",
    "closest_approach_near",
    "element_allowance_km",
    "screen_orbit",
    "straight_line_deviation_km",
]

ISS_PIZZA_BOX_KM = (2.0, 25.0, 25.0)
SHELL_PAD_KM = 60.0
# Objects SGP4 keeps above the Earth's surface: the gravity gradient is bounded by its value there.
MIN_RADIUS_KM = WGS72_EQUATORIAL_RADIUS_KM
# |a_other - a_protected| can never exceed two surface gravities in opposite directions (plus margins).
CRUDE_RELATIVE_ACCELERATION_KM_S2 = 2.0 * WGS72_MU_KM3_S2 / MIN_RADIUS_KM**2 + 1e-4
# What each SGP4 trajectory's acceleration may add to point-mass gravity: J2 (at most 3 J2 mu Re^2 / r^4,
# 3.2e-5 km/s^2 at the surface), drag, luni-solar terms; both objects, with margin.
NON_KEPLERIAN_KM_S2 = 1e-4
# The J2 term's gradient over the point mass's (3/2 J2 (Re/r)^2 x a few), with margin.
GRADIENT_MARGIN = 1.01
# Moving with the protected object: two element sets of one docked complex (a station and the vehicles
# docked to it, published with the station's elements of an older epoch) drift up to ~8 km apart over a
# week of SGP4; a free object that stays this close all week is in formation with it (proximity
# operations), not in a conjunction. Such objects are listed, not screened.
ATTACHED_KM = 10.0
CHUNK = 256


@dataclass(frozen=True)
class CloseApproach:
    """One close approach inside the volume."""

    norad_id: int
    name: str
    tca: datetime
    miss_km: float
    miss_rtn_km: tuple[float, float, float]
    relative_speed_km_s: float
    r_protected_km: tuple[float, float, float]
    v_protected_km_s: tuple[float, float, float]
    r_other_km: tuple[float, float, float]
    v_other_km_s: tuple[float, float, float]


@dataclass(frozen=True)
class AttachedObject:
    """A catalog object that stayed within `ATTACHED_KM` of the protected object all span (docked to it)."""

    norad_id: int
    name: str
    max_distance_km: float


@dataclass(frozen=True)
class UncertainApproach:
    """A minimum outside the volume but inside it grown by the allowance for stale elements at its TCA: the
    miss is not known well enough to call it one. Ages in days at the TCA (0 when within the policy's limit)."""

    norad_id: int
    name: str
    tca: datetime
    miss_km: float
    miss_rtn_km: tuple[float, float, float]
    element_age_days: float
    protected_element_age_days: float
    allowance_km: float


@dataclass
class OrbitScreeningResult:
    approaches: list[CloseApproach]
    failed: list[tuple[int, str, int]]  # (norad id, name, SGP4 error code)
    screened_count: int
    excluded: list[tuple[int, str]] = field(default_factory=list)  # (norad id, name): docked, not screened
    attached: list[AttachedObject] = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    uncertain: list[UncertainApproach] = field(default_factory=list)  # stale elements: not known to miss


def straight_line_deviation_km(distance_km: NDArray[np.float64] | float, seconds: float) -> NDArray[np.float64]:
    """How far the relative position can depart from its straight line within `seconds` of a sample.

    `distance_km` bounds the straight line's distance over that time (the larger of its two ends: the
    distance along a line is convex). The relative acceleration is a difference of gravity at two
    points: at most |grad g| x distance, |grad g| <= 2 mu / r^3 on the chord between the objects (r its
    closest point to the Earth's centre, at least sqrt(R^2 - (chord/2)^2)), plus the non-Keplerian
    margin; Gronwall's inequality on e'' <= K (L + e) + eps gives e <= (L + eps/K)(cosh(sqrt(K) s) - 1).
    Never more than the crude bound of two surface gravities, a s^2 / 2.
    """
    distance = np.asarray(distance_km, dtype=float)
    crude = 0.5 * CRUDE_RELATIVE_ACCELERATION_KM_S2 * seconds * seconds
    chord = distance + crude
    closest_squared = MIN_RADIUS_KM**2 - 0.25 * chord * chord
    valid = closest_squared > 0
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        gradient = GRADIENT_MARGIN * 2.0 * WGS72_MU_KM3_S2 / np.where(valid, closest_squared, 1.0) ** 1.5
        tidal = (distance + NON_KEPLERIAN_KM_S2 / gradient) * (np.cosh(np.sqrt(gradient) * seconds) - 1.0)
    return np.where(valid, np.minimum(crude, tidal), crude)


def _lower_bounds(dr: NDArray, dv: NDArray, half_step_s: float) -> tuple[NDArray, NDArray, NDArray]:
    """Per sample: lower bounds on the distance over the half-step after and before it, and the
    straight-line time of closest approach (unclipped) from it."""
    dd = np.einsum("...k,...k->...", dr, dr)
    rv = np.einsum("...k,...k->...", dr, dv)
    vv = np.einsum("...k,...k->...", dv, dv)
    with np.errstate(invalid="ignore", divide="ignore"):
        tau = np.where(vv > 0, -rv / vv, 0.0)
    bounds = []
    for sign in (1.0, -1.0):
        lo, hi = (0.0, half_step_s) if sign > 0 else (-half_step_s, 0.0)
        t = np.clip(tau, lo, hi)
        line = np.sqrt(np.maximum(dd + 2.0 * t * rv + t * t * vv, 0.0))
        far_end = np.sqrt(np.maximum(dd, dd + 2.0 * sign * half_step_s * rv + half_step_s**2 * vv))
        bounds.append(line - straight_line_deviation_km(far_end, half_step_s))
    return bounds[0], bounds[1], tau


def _grid(span_s: float, step_s: float) -> NDArray[np.float64]:
    """Sample offsets from 0 to exactly `span_s`, no further apart than `step_s`."""
    count = max(1, math.ceil(span_s / step_s - 1e-9))
    return np.linspace(0.0, span_s, count + 1)


def screen_orbit(
    *,
    protected: ElementSet,
    catalog: Sequence[ElementSet],
    start: datetime,
    days: float = 7.0,
    volume_km: tuple[float, float, float] = ISS_PIZZA_BOX_KM,
    step_s: float = 20.0,
    coarse_step_s: float = 600.0,
    tca_tolerance_s: float = 1e-3,
    exclude_ids: Iterable[int] = (),
    attached_km: float = ATTACHED_KM,
    progress: Callable[[int, int], None] | None = None,
    uncertainty: UncertaintyPolicy | None = UncertaintyPolicy(),  # noqa: B008 (frozen)
) -> OrbitScreeningResult:
    """Close approaches of `protected` with `catalog` in [start, start + days] inside `volume_km`.

    `exclude_ids`: catalog numbers docked to the protected object (never its conjunctions).
    `uncertainty`: when elements count as stale and how their allowance grows (module docstring).
    `progress(done, total)` is called as the coarse sweep goes through the objects.
    """
    require_utc(start, "start")
    if not days > 0 or not step_s > 0 or not coarse_step_s > 0:
        raise OrbitError("the span and the steps must be positive")
    if any(not limit > 0 for limit in volume_km):
        raise OrbitError("the screening volume's half-sizes must be positive")
    started = time.perf_counter()
    span_s = days * 86400.0
    jd0, fraction0 = julian_date(start)
    own = protected.satrec()
    check = _grid(span_s, min(step_s, 60.0))
    own_errors, _, _ = own.sgp4_array(np.full(check.shape, jd0), fraction0 + check / 86400.0)
    if np.any(own_errors):
        raise OrbitError(
            f"SGP4 cannot propagate the protected object {protected.norad_id} over the span "
            f"(error {int(own_errors[own_errors != 0][0])})"
        )
    # 1: exclusions.
    excluded_ids = {int(value) for value in exclude_ids} - {protected.norad_id}
    others = [item for item in catalog if item.norad_id != protected.norad_id]
    excluded = sorted((item.norad_id, item.name) for item in others if item.norad_id in excluded_ids)
    others = [item for item in others if item.norad_id not in excluded_ids]
    # 2 + 3: shell (widened by each object's allowance for stale elements) and health.
    stale = _Staleness(uncertainty, start, span_s, protected)
    reach = max(volume_km) + SHELL_PAD_KM
    pads = {item.norad_id: stale.pad_km(item) for item in others}
    candidates = [
        item
        for item in others
        if item.apogee_km >= protected.perigee_km - reach - pads[item.norad_id]
        and item.perigee_km <= protected.apogee_km + reach + pads[item.norad_id]
    ]
    failed: dict[int, tuple[int, str, int]] = {}
    healthy = []
    if candidates:
        probe = SatrecArray([item.satrec() for item in candidates])
        probe_offsets = np.array([0.0, span_s / 2.0, span_s])
        errors, _, _ = probe.sgp4(np.full(3, jd0), fraction0 + probe_offsets / 86400.0)
        for item, codes in zip(candidates, errors, strict=True):
            bad = codes[codes != 0]
            if bad.size:
                failed[item.norad_id] = (item.norad_id, item.name, int(bad[0]))
            else:
                healthy.append(item)
    shell_s = time.perf_counter() - started
    # 4 + 5: the coarse sweep, and attached objects.
    def gate_km(pad: float) -> float:
        return math.sqrt(sum((limit + pad) ** 2 for limit in volume_km))
    levels = [_Level.build(own, jd0, fraction0, span_s, step) for step in _steps(coarse_step_s, step_s)]
    coarse, fine = levels[0], levels[-1]
    attached: list[AttachedObject] = []
    windows: list[tuple[ElementSet, object, tuple[NDArray, NDArray]]] = []  # (item, satrec, spans to sample finer)
    for begin in range(0, len(healthy), CHUNK):
        chunk = healthy[begin : begin + CHUNK]
        satrecs = [item.satrec() for item in chunk]
        errors, r, v = SatrecArray(satrecs).sgp4(coarse.jd, coarse.fraction)
        dr = r - coarse.own_r[None, :, :]
        after, before, _ = _lower_bounds(dr, v - coarse.own_v[None, :, :], coarse.half_s)
        ok = errors == 0
        gates = np.array([gate_km(pads[item.norad_id]) for item in chunk])[:, None]
        after_hit, before_hit = (after <= gates) & ok, (before <= gates) & ok
        for row in np.nonzero(~ok.all(axis=1))[0]:
            item = chunk[row]
            failed.setdefault(item.norad_id, (item.norad_id, item.name, int(errors[row][errors[row] != 0][0])))
        for row in np.nonzero(after_hit.any(axis=1) | before_hit.any(axis=1))[0]:
            item = chunk[row]
            farthest = float(np.sqrt(np.einsum("ij,ij->i", dr[row], dr[row])).max())
            if ok[row].all() and farthest <= attached_km:
                attached.append(AttachedObject(item.norad_id, item.name, farthest))
                continue
            windows.append((item, satrecs[row], coarse.half_steps(after_hit[row], before_hit[row])))
        if progress:
            progress(min(begin + CHUNK, len(healthy)), len(healthy))
    coarse_s = time.perf_counter() - started - shell_s
    # 6: the finer sweeps, each over the half-steps that passed the one before.
    guesses: list[tuple[ElementSet, object, float, float, float]] = []  # (item, satrec, guess, low, high)
    samples = {level.step_s: 0 for level in levels[1:]}
    for item, satrec, spans in windows:
        gate = gate_km(pads[item.norad_id])
        for level in levels[1:]:
            index = np.nonzero(level.covering(*spans))[0]
            samples[level.step_s] += index.size
            errors, r, v = satrec.sgp4_array(level.jd[index], level.fraction[index])
            after, before, tau = _lower_bounds(r - level.own_r[index], v - level.own_v[index], level.half_s)
            ok = errors == 0
            after_hit, before_hit = (after <= gate) & ok, (before <= gate) & ok
            spans = level.half_steps(after_hit, before_hit, index)
        for position in np.nonzero(after_hit | before_hit)[0]:
            moment = float(fine.offsets[index[position]])
            guess = moment + float(np.clip(tau[position], -fine.half_s, fine.half_s))
            guesses.append((item, satrec, guess, max(moment - fine.step_s, 0.0), min(moment + fine.step_s, span_s)))
    fine_s = time.perf_counter() - started - shell_s - coarse_s
    # 7: refine each guess, keep interior minima inside the volume, one per approach.
    found: dict[int, list[tuple[float, CloseApproach]]] = {}
    unsure: dict[int, list[tuple[float, UncertainApproach]]] = {}
    edge_s = max(10 * tca_tolerance_s, 1e-2)
    for item, satrec, guess, low, high in guesses:
        t_best = _refine(own, satrec, jd0, fraction0, guess, low, high, tca_tolerance_s)
        if t_best is None:
            continue
        at_edge = (t_best - low < edge_s and low > 0.0) or (high - t_best < edge_s and high < span_s)
        if at_edge:
            continue  # the neighbouring sample's bracket holds this minimum
        approach = _approach(own, satrec, item, start, jd0, fraction0, t_best, None)
        if approach is None:
            continue
        if _inside(approach.miss_rtn_km, volume_km):
            _keep(found, item.norad_id, t_best, approach, fine.step_s)
        elif pads[item.norad_id] > 0:
            doubt = stale.uncertain(approach, item)
            if doubt is not None and _inside(approach.miss_rtn_km, volume_km, doubt.allowance_km):
                _keep(unsure, item.norad_id, t_best, doubt, fine.step_s)
    approaches = sorted((a for per_object in found.values() for _, a in per_object), key=lambda a: (a.tca, a.norad_id))
    uncertain = sorted((a for per_object in unsure.values() for _, a in per_object), key=lambda a: (a.tca, a.norad_id))
    total = time.perf_counter() - started
    return OrbitScreeningResult(
        approaches=approaches,
        failed=sorted(failed.values()),
        screened_count=len(healthy) - len(attached),
        excluded=excluded,
        attached=sorted(attached, key=lambda a: a.norad_id),
        uncertain=uncertain,
        stats={
            "catalog": len(others),
            "excluded": len(excluded),
            "after_shell": len(candidates),
            "after_coarse": len(windows),
            "samples": samples,
            "brackets": len(guesses),
            "attached": len(attached),
            "uncertain": len(uncertain),
            "padded": sum(1 for item in healthy if pads[item.norad_id] > 0),
            "shell_s": shell_s,
            "coarse_s": coarse_s,
            "fine_s": fine_s,
            "refine_s": total - shell_s - coarse_s - fine_s,
            "total_s": total,
        },
    )


def element_allowance_km(elements: ElementSet, *, policy: UncertaintyPolicy | None, start: datetime, days: float) -> float:
    """The most an element set's stale age adds to a pair's allowance over [start, start + days] (0: never stale)."""
    return _Staleness(policy, start, days * 86400.0, elements).own_pad_km


def _inside(rtn, volume_km, pad: float = 0.0) -> bool:
    return all(abs(value) <= limit + pad for value, limit in zip(rtn, volume_km, strict=True))


def _keep(found: dict, norad_id: int, moment: float, approach, step_s: float) -> None:
    """One approach per minimum: a twin within a fine step of a known one keeps the smaller miss."""
    known = found.setdefault(norad_id, [])
    twin = next((index for index, (other, _) in enumerate(known) if abs(other - moment) < step_s), None)
    if twin is None:
        known.append((moment, approach))
    elif approach.miss_km < known[twin][1].miss_km:
        known[twin] = (moment, approach)


class _Staleness:
    """The allowance for stale elements over the span (module docstring): growth x each age beyond the limit."""

    def __init__(self, policy: UncertaintyPolicy | None, start: datetime, span_s: float, protected: ElementSet):
        self.policy, self.start, self.end = policy, start, start + timedelta(seconds=span_s)
        self.own = protected
        self.own_pad_km = self._pad(protected)

    def _stale_age(self, elements: ElementSet, at: datetime) -> float:
        age = abs((at - elements.epoch).total_seconds()) / 86400.0
        return age if self.policy is not None and age > self.policy.max_element_age_days else 0.0

    def _pad(self, elements: ElementSet) -> float:
        """growth x the larger stale age at the span's ends: |t - epoch| is largest at one of them."""
        if self.policy is None:
            return 0.0
        age = max(self._stale_age(elements, self.start), self._stale_age(elements, self.end))
        return self.policy.in_track_growth_km_per_day * age

    def pad_km(self, elements: ElementSet) -> float:
        return self.own_pad_km + self._pad(elements)

    def uncertain(self, approach: CloseApproach, other: ElementSet) -> UncertainApproach | None:
        other_age, own_age = self._stale_age(other, approach.tca), self._stale_age(self.own, approach.tca)
        if not other_age and not own_age:
            return None  # both element sets within the limit at the TCA: the miss stands
        return UncertainApproach(
            norad_id=approach.norad_id,
            name=approach.name,
            tca=approach.tca,
            miss_km=approach.miss_km,
            miss_rtn_km=approach.miss_rtn_km,
            element_age_days=other_age,
            protected_element_age_days=own_age,
            allowance_km=self.policy.in_track_growth_km_per_day * (other_age + own_age),
        )


def _steps(coarse_step_s: float, step_s: float) -> list[float]:
    """The sweep's steps, coarse to fine: a middle one (their geometric mean) when they are far apart."""
    coarse_step_s = max(coarse_step_s, step_s)
    if coarse_step_s / step_s > 9.0:
        return [coarse_step_s, math.sqrt(coarse_step_s * step_s), step_s]
    return [coarse_step_s, step_s] if coarse_step_s > step_s else [step_s]


@dataclass(frozen=True)
class _Level:
    """One sampling grid of the sweep, with the protected object's states on it."""

    offsets: NDArray[np.float64]
    step_s: float
    jd: NDArray[np.float64]
    fraction: NDArray[np.float64]
    own_r: NDArray[np.float64]
    own_v: NDArray[np.float64]

    @classmethod
    def build(cls, own, jd0: float, fraction0: float, span_s: float, step_s: float) -> _Level:
        offsets = _grid(span_s, step_s)
        jd, fraction = np.full(offsets.shape, jd0), fraction0 + offsets / 86400.0
        _, r, v = own.sgp4_array(jd, fraction)
        step = float(offsets[1] - offsets[0]) if len(offsets) > 1 else span_s
        return cls(offsets, step, jd, fraction, r, v)

    @property
    def half_s(self) -> float:
        return self.step_s / 2.0

    def half_steps(self, after_hit, before_hit, index=None) -> tuple[NDArray, NDArray]:
        """The (starts, ends) of the half-steps that passed: after a sample, or before it."""
        times = self.offsets if index is None else self.offsets[index]
        starts = np.concatenate([times[after_hit], times[before_hit] - self.half_s])
        ends = np.concatenate([times[after_hit] + self.half_s, times[before_hit]])
        return starts, ends

    def covering(self, starts: NDArray, ends: NDArray) -> NDArray[np.bool_]:
        """The samples whose half-steps either side cover the spans [start, end]."""
        last_sample = len(self.offsets) - 1
        first = np.clip(np.floor(starts / self.step_s).astype(int), 0, last_sample)
        last = np.clip(np.ceil(ends / self.step_s).astype(int), 0, last_sample)
        marks = np.zeros(len(self.offsets) + 1, dtype=np.int32)
        np.add.at(marks, first, 1)
        np.add.at(marks, last + 1, -1)
        return np.cumsum(marks[:-1]) > 0


def closest_approach_near(
    *, protected: ElementSet, other: ElementSet, around: datetime, window_s: float, tca_tolerance_s: float = 1e-3
) -> CloseApproach | None:
    """The pair's closest approach within `window_s` of `around`, inside any volume or not (None when SGP4
    cannot propagate either object there): how a known event is re-assessed when a new screening no longer
    finds it inside the volume."""
    require_utc(around, "around")
    start = around - timedelta(seconds=window_s)
    jd0, fraction0 = julian_date(start)
    own, satrec = protected.satrec(), other.satrec()
    offsets = np.linspace(0.0, 2.0 * window_s, max(3, math.ceil(2.0 * window_s / 10.0) + 1))
    jd, fraction = np.full(offsets.shape, jd0), fraction0 + offsets / 86400.0
    errors_own, r1, _ = own.sgp4_array(jd, fraction)
    errors_other, r2, _ = satrec.sgp4_array(jd, fraction)
    distance = np.where((errors_own == 0) & (errors_other == 0), np.linalg.norm(r2 - r1, axis=1), np.inf)
    best = int(np.argmin(distance))
    if not np.isfinite(distance[best]):
        return None
    step = float(offsets[1] - offsets[0])
    low, high = max(float(offsets[best]) - step, 0.0), min(float(offsets[best]) + step, 2.0 * window_s)
    t_best = _refine(own, satrec, jd0, fraction0, float(offsets[best]), low, high, tca_tolerance_s)
    if t_best is None:
        return None
    return _approach(own, satrec, other, start, jd0, fraction0, t_best, None)


def _approach(own, satrec, item: ElementSet, start, jd0, fraction0, t_best, volume_km) -> CloseApproach | None:
    error_own, r1, v1 = own.sgp4(jd0, fraction0 + t_best / 86400.0)
    error_other, r2, v2 = satrec.sgp4(jd0, fraction0 + t_best / 86400.0)
    if error_own or error_other:
        return None
    rtn, _ = relative_rtn(r1, v1, r2, v2)
    if volume_km is not None and not _inside(rtn, volume_km):
        return None
    return CloseApproach(
        norad_id=item.norad_id,
        name=item.name,
        tca=start + timedelta(seconds=float(t_best)),
        miss_km=float(np.linalg.norm(np.subtract(r2, r1))),
        miss_rtn_km=tuple(float(value) for value in rtn),
        relative_speed_km_s=float(np.linalg.norm(np.subtract(v2, v1))),
        r_protected_km=tuple(r1),
        v_protected_km_s=tuple(v1),
        r_other_km=tuple(r2),
        v_other_km_s=tuple(v2),
    )


def _relative(own, other, jd0: float, fraction0: float, t: float):
    fraction = fraction0 + t / 86400.0
    e1, r1, v1 = own.sgp4(jd0, fraction)
    e2, r2, v2 = other.sgp4(jd0, fraction)
    if e1 or e2:
        return None
    return np.subtract(r2, r1), np.subtract(v2, v1)


def _refine(own, other, jd0, fraction0, guess: float, low: float, high: float, tolerance: float) -> float | None:
    """The time of minimum distance near `guess`: Newton steps on the range rate (straight-line step
    t -= dr.dv / |dv|^2), falling back to golden-section search if it leaves the bracket."""
    t = guess
    for _ in range(30):
        state = _relative(own, other, jd0, fraction0, t)
        if state is None:
            return None
        dr, dv = state
        speed2 = float(np.dot(dv, dv))
        if speed2 == 0:
            return t
        step = -float(np.dot(dr, dv)) / speed2
        t_next = t + step
        if not low <= t_next <= high:
            break
        t = t_next
        if abs(step) < tolerance:
            return t

    def distance(moment: float) -> float:
        state = _relative(own, other, jd0, fraction0, moment)
        return math.inf if state is None else float(np.linalg.norm(state[0]))

    return _golden(distance, low, high, tolerance)


def _golden(function, low: float, high: float, tolerance: float) -> float:
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    a, b = low, high
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = function(c), function(d)
    while b - a > tolerance:
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = function(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = function(d)
    return (a + b) / 2.0
