"""What both screeners share: the time grid of a liftoff window, SGP4 propagation into ECEF, and
the closest approach between two whole-second samples.

Times are whole seconds after window open. For liftoff offset tau (a multiple of the resolution)
and trajectory sample k (seconds after liftoff), the vehicle is at trajectory[k] at t = tau + k.

Between samples. At up to ~15 km/s closing speed, two bodies can pass within metres of each other
between two whole seconds while both sampled distances exceed 7 km, far more than the 2.5 km debris
stand-off. So both screeners test *intervals*: interval k of liftoff tau runs from t = tau + k to
t + 1, with the vehicle going from trajectory[k] to trajectory[k + 1] and the object from X(t) to
X(t + 1). Its distance is the minimum over u in [0, 1] of |d0 + u (d1 - d0)| (`segment_minimum`),
d0 and d1 being the separations at the two ends: the separation taken as linear in time over the
second. The true separation differs from that chord by at most `chord_pad_km`:

    a path r(t) with |r''| <= a deviates from its chord over dt by at most a dt^2 / 8
    (r(u) - chord(u) = -(1/2) u (1 - u) dt^2 r''(xi) per component, and in norm via the integral
    form of the remainder), so the separation deviates by at most (a_object + a_vehicle) dt^2 / 8.

a_object bounds an object's acceleration in the Earth-fixed frame, `OBJECT_MAX_ACCELERATION_KM_S2`;
a_vehicle is the largest second difference |trajectory[k+1] - 2 trajectory[k] + trajectory[k-1]|
over the whole trajectory (its acceleration, already Earth-fixed; taken over all of it, ascent
included, it is well above the coast value). An interval closes a liftoff when its chord distance
minus the pad is within the stand-off (distance <= stand-off + pad): the chord can only make a
closure show up, never hide one. Closures report the chord distance and its moment (t + u, to the
millisecond). An interval is screened when either end is above the screening altitude.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray
from sgp4.api import SGP4_ERRORS, Satrec, SatrecArray

from flights.orbits.constants import WGS72_MU_KM3_S2
from flights.orbits.errors import OrbitError
from flights.orbits.frames import ecef_to_geodetic, gmst_rad, julian_date, require_utc, teme_to_ecef
from flights.orbits.screening_types import (
    RULE_SCREENED,
    RULE_STALE_PADDED,
    RULE_UNPROPAGATABLE_BAND,
    SGP4_DECAYED,
    STANDOFF_KM,
    Closure,
    FailedObject,
    ScreeningObject,
    ScreeningResult,
    ScreeningStats,
    UncertainObject,
    UncertaintyPolicy,
)

__all__ = [
    "BAND_PAD_KM",
    "OBJECT_MAX_ACCELERATION_KM_S2",
    "Allowances",
    "Propagated",
    "ScreeningSpan",
    "closures_from_hits",
    "failed_object",
    "finish",
    "osculating_radii",
    "propagate_ecef",
    "segment_minimum",
    "segment_minimum_xyz",
    "standoffs_km",
]

# Pad on a perigee/apogee band: SGP4's short-period terms move an object's radius ~10-20 km around its
# osculating two-body perigee/apogee, and drag/lunisolar drift over a span adds a little.
BAND_PAD_KM = 50.0
# Radial margin on an unpropagatable object's last good orbit (osculating perigee/apogee): the J2
# short-period terms move a LEO object's radius by up to ~10-20 km around its osculating two-body values.
UNPROPAGATABLE_BAND_PAD_KM = 20.0
LAST_GOOD_STEPS = 64  # grid from the epoch to the span on which the first SGP4 failure is looked for
LAST_GOOD_RESOLUTION_S = 60.0  # the failure is then bracketed to this
EARTH_RADIUS_KM = 6378.137  # for altitudes in messages (WGS84 equatorial)
# Drag only lowers an orbit. A last good orbit this low re-enters within this many days whatever the
# object (circular-orbit lifetimes: hours at 150 km, a few days at 200 km for any catalogued area-to-mass;
# King-Hele, "Satellite Orbits in an Atmosphere", 1987): if the span starts later than that after the last
# good state, the object's band cannot reach the flight any more. (max apogee altitude km, days); and an
# orbit whose perigee is below 100 km re-enters at that perigee pass, within a day.
REENTRY_BOUNDS = ((150.0, 1.0), (200.0, 7.0))
REENTRY_PERIGEE_KM, REENTRY_PERIGEE_DAYS = 100.0, 1.0

# Largest acceleration of a catalogued object in the Earth-fixed frame, for the chord pad: gravity at
# the surface (398600 / 6378^2 = 0.0098 km/s^2) + Coriolis 2 omega v (v <= 11.2 km/s escape speed +
# 0.5 km/s frame speed: 0.0017) + centrifugal omega^2 r (0.00004) + drag and third bodies (far below).
OBJECT_MAX_ACCELERATION_KM_S2 = 0.0120


@dataclass(frozen=True)
class ScreeningSpan:
    """The liftoff grid, the screened part of the trajectory, and the absolute span they cover."""

    window_open: datetime
    window_close: datetime
    resolution_s: int
    liftoff_count: int  # liftoffs at tau = 0, res, ..., (liftoff_count - 1) * res
    trajectory_km: NDArray[np.float64]
    screened: NDArray[np.bool_]  # trajectory samples above the screening altitude
    interval_screened: NDArray[np.bool_]  # intervals [k, k + 1] with either end above it (n - 1)
    chord_pad_km: float  # bound on |true separation - chord separation| within one interval
    max_altitude_km: float
    min_altitude_km: float
    jd0: float
    fraction0: float

    @classmethod
    def build(
        cls,
        *,
        trajectory_ecef_km,
        window_open: datetime,
        window_close: datetime,
        min_altitude_km: float,
        resolution_s: int,
    ) -> ScreeningSpan:
        require_utc(window_open, "window_open")
        require_utc(window_close, "window_close")
        if window_close < window_open:
            raise OrbitError(f"window closes ({window_close.isoformat()}) before it opens ({window_open.isoformat()})")
        if int(resolution_s) != resolution_s or resolution_s < 1:
            raise OrbitError(f"resolution must be a whole number of seconds >= 1, got {resolution_s}")
        trajectory = np.asarray(trajectory_ecef_km, dtype=float)
        if trajectory.ndim != 2 or trajectory.shape[1] != 3 or len(trajectory) < 3:
            raise OrbitError(
                f"trajectory must be an array of shape (n, 3), n >= 3, at 1 s steps, got {trajectory.shape}"
            )
        altitude_km = ecef_to_geodetic(trajectory)[2]
        # 14 CFR 450.169: only the flight above 150 km is screened.
        screened = altitude_km > min_altitude_km
        second_difference = trajectory[2:] - 2.0 * trajectory[1:-1] + trajectory[:-2]
        vehicle_acceleration = float(np.sqrt(np.sum(second_difference**2, axis=1)).max())
        resolution = int(resolution_s)
        window_s = (window_close - window_open).total_seconds()
        jd0, fraction0 = julian_date(window_open)
        return cls(
            window_open=window_open,
            window_close=window_close,
            resolution_s=resolution,
            liftoff_count=int(math.floor(window_s / resolution)) + 1,
            trajectory_km=trajectory,
            screened=screened,
            interval_screened=screened[:-1] | screened[1:],
            chord_pad_km=(OBJECT_MAX_ACCELERATION_KM_S2 + vehicle_acceleration) / 8.0,  # dt = 1 s
            max_altitude_km=float(altitude_km.max()),
            min_altitude_km=min_altitude_km,
            jd0=jd0,
            fraction0=fraction0,
        )

    @property
    def exempt(self) -> bool:
        return not bool(self.screened.any())

    @property
    def exempt_reason(self) -> str:
        if not self.exempt:
            return ""
        return (
            f"trajectory never rises above {self.min_altitude_km:.0f} km (highest {self.max_altitude_km:.1f} km): "
            "no collision-avoidance screening needed (14 CFR 450.169)"
        )

    @property
    def first_k(self) -> int:
        """First screened interval (it starts at sample first_k)."""
        return int(np.argmax(self.interval_screened))

    @property
    def last_k(self) -> int:
        """Last screened interval (it ends at sample last_k + 1)."""
        return len(self.interval_screened) - 1 - int(np.argmax(self.interval_screened[::-1]))

    @property
    def last_tau_s(self) -> int:
        return (self.liftoff_count - 1) * self.resolution_s

    @property
    def first_t(self) -> int:
        """First absolute second (after window open) that starts a screened interval of any liftoff."""
        return self.first_k

    @property
    def last_t(self) -> int:
        """Last absolute second that ends a screened interval of any liftoff (intervals start before it)."""
        return self.last_tau_s + self.last_k + 1

    def radius_band_km(self) -> tuple[float, float]:
        """Geocentric radii of the screened trajectory: lowest point of its chords, highest sample."""
        starts = np.nonzero(self.interval_screened)[0]
        lowest, _ = segment_minimum(self.trajectory_km[starts], self.trajectory_km[starts + 1])
        samples = self.trajectory_km[np.union1d(starts, starts + 1)]
        return float(lowest.min()), float(np.linalg.norm(samples, axis=1).max())

    def julian_dates(self, seconds) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(jd, fraction) for SGP4 at these seconds after window open."""
        offsets = np.asarray(seconds, dtype=float)
        return np.full(offsets.shape, self.jd0), self.fraction0 + offsets / 86400.0

    def moment(self, seconds: float) -> datetime:
        return self.window_open + timedelta(seconds=float(seconds))

    def empty_result(self, objects_screened: int, failed: list[FailedObject], stats: ScreeningStats) -> ScreeningResult:
        return self.result([], failed, objects_screened, stats)

    def result(
        self, closures: list[Closure], failed: list[FailedObject], screened_count: int, stats: ScreeningStats
    ) -> ScreeningResult:
        return ScreeningResult(
            window_open=self.window_open,
            window_close=self.window_close,
            resolution_s=self.resolution_s,
            closures=sorted(closures, key=lambda item: (item.start, item.norad_id)),
            failed=sorted(failed, key=lambda item: item.norad_id),
            exempt=self.exempt,
            exempt_reason=self.exempt_reason,
            screened_count=screened_count,
            stats=stats,
        )


@dataclass(frozen=True)
class Propagated:
    """SGP4 output at whole seconds after window open, with positions in both frames.

    For a `SatrecArray` the arrays are (objects, times[, 3]); for one `Satrec`, (times[, 3]).
    """

    errors: NDArray[np.uint8]
    r_ecef_km: NDArray[np.float64]
    r_teme_km: NDArray[np.float64]
    v_teme_km_s: NDArray[np.float64]


def propagate_ecef(satellites: SatrecArray | Satrec, span: ScreeningSpan, seconds: NDArray[np.int64]) -> Propagated:
    """Propagate with SGP4 at whole seconds after window open and rotate positions to ECEF."""
    jd, fraction = span.julian_dates(seconds)
    if isinstance(satellites, SatrecArray):
        errors, r_teme, v_teme = satellites.sgp4(jd, fraction)
    else:
        errors, r_teme, v_teme = satellites.sgp4_array(jd, fraction)
    return Propagated(errors, teme_to_ecef(r_teme, gmst_rad(jd, fraction)), r_teme, v_teme)


def segment_minimum(
    d0: NDArray[np.float64], d1: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """min over u in [0, 1] of |d0 + u (d1 - d0)| for separations (..., 3), and the u reaching it.

    Written component by component with elementwise operations only, so both screeners get
    bit-identical distances from identical separations whatever the arrays' memory layout
    (`segment_minimum_xyz` is the same computation on separations given as their x, y, z arrays).
    """
    return segment_minimum_xyz((d0[..., 0], d0[..., 1], d0[..., 2]), (d1[..., 0], d1[..., 1], d1[..., 2]))


def segment_minimum_xyz(d0, d1) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """`segment_minimum` for separations given as (x, y, z) tuples of same-shaped arrays."""
    x0, y0, z0 = d0
    ex, ey, ez = d1[0] - x0, d1[1] - y0, d1[2] - z0
    along = x0 * ex + y0 * ey + z0 * ez
    length2 = ex * ex + ey * ey + ez * ez
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where(length2 > 0.0, np.clip(-along / length2, 0.0, 1.0), 0.0)
    x, y, z = x0 + u * ex, y0 + u * ey, z0 + u * ez
    return np.sqrt(x * x + y * y + z * z), u


def failed_object(item: ScreeningObject, errors: NDArray[np.uint8]) -> FailedObject:
    """The first nonzero SGP4 error code of an object, as a `FailedObject`."""
    code = int(errors[np.nonzero(errors)[0][0]]) if np.any(errors) else 0
    message = SGP4_ERRORS.get(code, f"SGP4 error {code}")
    return FailedObject(
        norad_id=item.elements.norad_id,
        name=item.elements.name,
        error_code=code,
        message=f"SGP4 error {code}: {message}",
    )


def closures_from_hits(
    span: ScreeningSpan,
    objects: list[ScreeningObject],
    object_index: NDArray[np.int64],
    liftoff_index: NDArray[np.int64],
    distance_km: NDArray[np.float64],
    seconds: NDArray[np.float64],
    allowance_km: NDArray[np.float64] | None = None,
) -> list[Closure]:
    """Merge (object, liftoff) hits into per-object closure intervals of consecutive liftoffs.

    Each hit says: liftoff `liftoff_index` puts the vehicle within the object's stand-off (plus the
    chord pad) at `seconds` (fractional) after window open, `distance_km` apart on the chord.
    Several hits per pair are fine; of a pair's hits the closest is kept, the first given of equally close
    ones. Distances are real numbers (hits are those found within a stand-off, never NaN).
    """
    if len(object_index) == 0:
        return []
    # Closest approach per (object, liftoff): group the hits by pair with a stable sort on one integer key
    # (the hits keep their order inside a group), then keep the first hit at the group's smallest distance.
    key = np.asarray(object_index, dtype=np.int64) * span.liftoff_count + liftoff_index
    order = np.argsort(key, kind="stable")
    key = key[order]
    group_start = np.ones(len(key), dtype=bool)
    group_start[1:] = key[1:] != key[:-1]
    group = np.cumsum(group_start) - 1
    sorted_km = distance_km[order]
    at_smallest = np.nonzero(sorted_km == np.minimum.reduceat(sorted_km, np.nonzero(group_start)[0])[group])[0]
    first = np.ones(len(at_smallest), dtype=bool)
    first[1:] = group[at_smallest[1:]] != group[at_smallest[:-1]]
    pick = order[at_smallest[first]]
    object_index, liftoff_index = object_index[pick], liftoff_index[pick]
    distance_km, seconds = distance_km[pick], seconds[pick]

    closures = []
    starts = np.ones(len(object_index), dtype=bool)
    starts[1:] = (object_index[1:] != object_index[:-1]) | (liftoff_index[1:] != liftoff_index[:-1] + 1)
    bounds = np.append(np.nonzero(starts)[0], len(object_index))
    for begin, end in zip(bounds[:-1], bounds[1:], strict=True):
        item = objects[int(object_index[begin])]
        allowance = 0.0 if allowance_km is None else float(allowance_km[int(object_index[begin])])
        closest = begin + int(np.argmin(distance_km[begin:end]))
        closures.append(
            Closure(
                start=span.moment(int(liftoff_index[begin]) * span.resolution_s),
                end=span.moment(int(liftoff_index[end - 1]) * span.resolution_s),
                norad_id=item.elements.norad_id,
                name=item.elements.name,
                object_class=item.object_class,
                min_distance_km=float(distance_km[closest]),
                time_of_closest_approach=span.moment(round(float(seconds[closest]), 3)),
                rule=RULE_STALE_PADDED if allowance > 0 else RULE_SCREENED,
                allowance_km=allowance,
            )
        )
    return closures


def standoffs_km(objects: list[ScreeningObject]) -> NDArray[np.float64]:
    return np.array([STANDOFF_KM[item.object_class] for item in objects], dtype=float)


_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class Allowances:
    """Per object: element age (days, at the window's last liftoff, either side of the epoch) and the
    error-growth allowance added to its stand-off (zero unless the age exceeds the policy's limit)."""

    age_days: NDArray[np.float64]
    allowance_km: NDArray[np.float64]
    policy: UncertaintyPolicy

    @classmethod
    def build(cls, objects: list[ScreeningObject], span: ScreeningSpan, policy: UncertaintyPolicy) -> Allowances:
        # Whole microseconds from each epoch to the last liftoff, as `timedelta`s count them: the same seconds
        # as timedelta.total_seconds() (an integer below 2^53 over 10^6, rounded once either way).
        liftoff = span.moment(span.last_tau_s)
        to_liftoff_us = np.array([(liftoff - item.elements.epoch) // _MICROSECOND for item in objects], dtype=np.int64)
        to_end_us = to_liftoff_us + (span.moment(span.last_t) - liftoff) // _MICROSECOND
        # The allowance is for the age at the last screened second: the error keeps growing in flight.
        age = np.abs(to_liftoff_us) / 1e6 / 86400.0
        age_end = np.abs(to_end_us) / 1e6 / 86400.0
        stale = age > policy.max_element_age_days
        allowance = np.where(stale, policy.in_track_growth_km_per_day * age_end, 0.0)
        return cls(age, allowance, policy)

    def reach_km(self, objects: list[ScreeningObject]) -> NDArray[np.float64]:
        """Stand-off plus allowance: what each object's closures are measured against."""
        return standoffs_km(objects) + self.allowance_km


def osculating_radii(r_km: NDArray[np.float64], v_km_s: NDArray[np.float64]):
    """Two-body perigee and apogee radii of inertial states (..., 3); unbound states get apogee inf."""
    radius = np.linalg.norm(r_km, axis=-1)
    energy = np.sum(v_km_s**2, axis=-1) / 2.0 - WGS72_MU_KM3_S2 / radius
    momentum2 = np.sum(np.cross(r_km, v_km_s) ** 2, axis=-1)
    eccentricity = np.sqrt(np.maximum(0.0, 1.0 + 2.0 * energy * momentum2 / WGS72_MU_KM3_S2**2))
    bound = energy < 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        semi_major = np.where(bound, -WGS72_MU_KM3_S2 / (2.0 * energy), np.inf)
        perigee = np.where(bound, semi_major * (1.0 - eccentricity), momentum2 / WGS72_MU_KM3_S2 / (1.0 + eccentricity))
    apogee = np.where(bound, semi_major * (1.0 + eccentricity), np.inf)
    return perigee, apogee


def _last_good_state(item: ScreeningObject, span: ScreeningSpan) -> tuple[float, _State] | None:
    """The object's last SGP4 state before its first failure on the way from its epoch to the span.

    SGP4 is walked from the epoch towards the span's first second on a grid of `LAST_GOOD_STEPS` and the
    first failure is bracketed by bisection to `LAST_GOOD_RESOLUTION_S`. None when it fails at its epoch.
    Returns (seconds after window open, state). The bisection asks SGP4 one time at a time (`Satrec.sgp4`:
    the same C++ call and time arithmetic as `sgp4_array`, without building arrays for one value).
    """
    satellite = item.elements.satrec()
    epoch_s = (item.elements.epoch - span.window_open).total_seconds()
    target_s = float(span.first_t)
    grid = np.linspace(epoch_s, target_s, LAST_GOOD_STEPS)
    errors, _, _ = satellite.sgp4_array(np.full(grid.shape, span.jd0), span.fraction0 + grid / 86400.0)
    bad = np.nonzero(errors)[0]
    if len(bad) == 0:
        return target_s, _state_at(satellite, span, target_s)
    if bad[0] == 0:
        return None
    good_s, bad_s = float(grid[bad[0] - 1]), float(grid[bad[0]])
    while abs(bad_s - good_s) > LAST_GOOD_RESOLUTION_S:
        middle = (good_s + bad_s) / 2.0
        if _state_at(satellite, span, middle).error:
            bad_s = middle
        else:
            good_s = middle
    return good_s, _state_at(satellite, span, good_s)


@dataclass(frozen=True)
class _State:
    """One SGP4 answer: error code, TEME position (km) and velocity (km/s)."""

    error: int
    r_teme_km: NDArray[np.float64]
    v_teme_km_s: NDArray[np.float64]


def _state_at(satellite: Satrec, span: ScreeningSpan, seconds: float) -> _State:
    """SGP4 at (possibly fractional or negative) seconds after window open, as `ScreeningSpan.julian_dates`."""
    error, r_teme, v_teme = satellite.sgp4(span.jd0, span.fraction0 + float(seconds) / 86400.0)
    return _State(int(error), np.array(r_teme), np.array(v_teme))


def _reentered_since(perigee_km: float, apogee_km: float, days_before_span: float) -> bool:
    """Whether an orbit of these radii, this many days before the span, has re-entered by then (drag)."""
    perigee, apogee = perigee_km - EARTH_RADIUS_KM, apogee_km - EARTH_RADIUS_KM
    if perigee <= 0.0:  # under the ground at perigee: down within one revolution
        semi_major = (perigee_km + apogee_km) / 2.0
        period_days = 2.0 * math.pi * math.sqrt(semi_major**3 / WGS72_MU_KM3_S2) / 86400.0
        if days_before_span > period_days:
            return True
    if perigee < REENTRY_PERIGEE_KM and days_before_span > REENTRY_PERIGEE_DAYS:
        return True
    return any(apogee < altitude and days_before_span > days for altitude, days in REENTRY_BOUNDS)


def _last_known_band_km(item: ScreeningObject, span: ScreeningSpan) -> tuple[float, float, str, float] | None:
    """Radii of an unpropagatable object's last good orbit, and where that orbit comes from.

    The osculating perigee/apogee of its last good SGP4 state (see `_last_good_state`); when SGP4 fails
    at the epoch itself, the published mean elements' perigee/apogee. None when neither is known (then it
    must be taken as able to be anywhere). Drag, the usual cause of these failures, only lowers an orbit
    after its last good state; see `UNPROPAGATABLE_BAND_PAD_KM` for the margin.
    """
    last = _last_good_state(item, span)
    if last is not None:
        seconds, state = last
        perigee, apogee = osculating_radii(state.r_teme_km, state.v_teme_km_s)
        if np.isfinite(perigee) and np.isfinite(apogee) and apogee >= perigee:
            moment = span.moment(seconds)
            days_before = (span.first_t - seconds) / 86400.0
            return float(perigee), float(apogee), f"last good orbit ({moment:%Y-%m-%d %H:%M} UTC)", days_before
    elements = item.elements
    try:
        semi_major = elements.semi_major_axis_km
    except (OrbitError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if not (0.0 <= elements.eccentricity < 1.0 and math.isfinite(semi_major)):
        return None
    days_before = (span.moment(span.first_t) - elements.epoch).total_seconds() / 86400.0
    perigee, apogee = semi_major * (1.0 - elements.eccentricity), semi_major * (1.0 + elements.eccentricity)
    return perigee, apogee, "published elements", days_before


def finish(
    span: ScreeningSpan,
    objects: list[ScreeningObject],
    closures: list[Closure],
    failed: list[FailedObject],
    allowances: Allowances,
    stats: ScreeningStats,
) -> ScreeningResult:
    """Account for every object and build the result; both screeners end here, so they agree.

    `closures` are those of propagated objects (stale ones already padded). Each object SGP4 failed on is
    re-propagated at the span's first second: error 6 there means it had re-entered before the span (listed
    in `decayed`, closes nothing); any other failure makes it uncertain, and it closes the whole span when
    its last known perigee/apogee band, padded by its stand-off, its allowance and `BAND_PAD_KM`, reaches
    the trajectory's radius band (or when no orbit of it is known at all).
    """
    by_id: dict[int, FailedObject] = {}
    for item in failed:
        by_id.setdefault(item.norad_id, item)
    index_of: dict[int, int] = {}
    for index, item in enumerate(objects):
        index_of.setdefault(item.elements.norad_id, index)
    kept = [c for c in closures if c.norad_id not in by_id]
    decayed, uncertain = [], []
    low_km, high_km = span.radius_band_km()
    for norad_id, failure in sorted(by_id.items()):
        index = index_of[norad_id]
        item = objects[index]
        if _state_at(item.elements.satrec(), span, span.first_t).error == SGP4_DECAYED:
            decayed.append(failure)
            continue
        band = _last_known_band_km(item, span)
        # The band is about altitude: the stand-off and the radial margin, not the in-track allowance.
        pad = item.standoff_km + UNPROPAGATABLE_BAND_PAD_KM
        if band is None:
            gap, closes = 0.0, True
            where = "no orbit of it is known"
        else:
            gap = max(band[0] - high_km, low_km - band[1], 0.0)
            reentered = _reentered_since(band[0], band[1], band[3])
            closes = band[0] - pad <= high_km and band[1] + pad >= low_km and not reentered
            verdict = "reaches" if closes else "cannot reach"
            if reentered:
                verdict = f"re-entered in the {band[3]:.1f} days since, so cannot reach"
            where = (
                f"{band[2]} {band[0] - EARTH_RADIUS_KM:.0f}-{band[1] - EARTH_RADIUS_KM:.0f} km {verdict} the flight's "
                f"{low_km - EARTH_RADIUS_KM:.0f}-{high_km - EARTH_RADIUS_KM:.0f} km (margin {pad:g} km)"
            )
        uncertain.append(
            UncertainObject(
                norad_id=norad_id, name=item.elements.name, object_class=item.object_class,
                reason="propagation_failed", element_age_days=float(allowances.age_days[index]),
                allowance_km=float(allowances.allowance_km[index]), message=f"{failure.message}; {where}",
                closes_span=closes,
            )
        )
        if closes:
            kept.append(
                Closure(
                    start=span.window_open, end=span.moment(span.last_tau_s), norad_id=norad_id,
                    name=item.elements.name, object_class=item.object_class, min_distance_km=gap,
                    time_of_closest_approach=span.window_open, rule=RULE_UNPROPAGATABLE_BAND,
                    allowance_km=float(allowances.allowance_km[index]),
                )
            )
    for index in np.nonzero(allowances.allowance_km > 0)[0]:
        item = objects[int(index)]
        if item.elements.norad_id in by_id:
            continue
        age = float(allowances.age_days[index])
        allowance = float(allowances.allowance_km[index])
        uncertain.append(
            UncertainObject(
                norad_id=item.elements.norad_id, name=item.elements.name, object_class=item.object_class,
                reason="stale_elements", element_age_days=age, allowance_km=allowance,
                message=(
                    f"elements {age:.1f} days from the liftoff (limit {allowances.policy.max_element_age_days:g}): "
                    f"stand-off {item.standoff_km:g} km + {allowance:.1f} km error growth"
                ),
            )
        )
    result = span.result(kept, failed=list(by_id.values()), screened_count=len(objects) - len(by_id), stats=stats)
    return dataclasses.replace(result, decayed=decayed, uncertain=sorted(uncertain, key=lambda u: u.norad_id))
