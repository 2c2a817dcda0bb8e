"""What both screeners share: the time grid of a liftoff window and SGP4 propagation into ECEF.

Times are whole seconds after window open. For liftoff offset tau (a multiple of the resolution)
and trajectory sample k (seconds after liftoff), the vehicle is at trajectory[k] at t = tau + k.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray
from sgp4.api import SGP4_ERRORS, Satrec, SatrecArray

from flights.orbits.errors import OrbitError
from flights.orbits.frames import ecef_to_geodetic, gmst_rad, julian_date, require_utc, teme_to_ecef
from flights.orbits.screening_types import (
    STANDOFF_KM,
    Closure,
    FailedObject,
    ScreeningObject,
    ScreeningResult,
    ScreeningStats,
)

__all__ = ["Propagated", "ScreeningSpan", "closures_from_hits", "failed_object", "propagate_ecef", "standoffs_km"]


@dataclass(frozen=True)
class ScreeningSpan:
    """The liftoff grid, the screened part of the trajectory, and the absolute span they cover."""

    window_open: datetime
    window_close: datetime
    resolution_s: int
    liftoff_count: int  # liftoffs at tau = 0, res, ..., (liftoff_count - 1) * res
    trajectory_km: NDArray[np.float64]
    screened: NDArray[np.bool_]  # trajectory samples above the screening altitude
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
        if trajectory.ndim != 2 or trajectory.shape[1] != 3 or len(trajectory) == 0:
            raise OrbitError(f"trajectory must be an array of shape (n, 3) at 1 s steps, got {trajectory.shape}")
        altitude_km = ecef_to_geodetic(trajectory)[2]
        resolution = int(resolution_s)
        window_s = (window_close - window_open).total_seconds()
        jd0, fraction0 = julian_date(window_open)
        return cls(
            window_open=window_open,
            window_close=window_close,
            resolution_s=resolution,
            liftoff_count=int(math.floor(window_s / resolution)) + 1,
            trajectory_km=trajectory,
            # 14 CFR 450.169: only the flight above 150 km is screened.
            screened=altitude_km > min_altitude_km,
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
        return int(np.argmax(self.screened))

    @property
    def last_k(self) -> int:
        return len(self.screened) - 1 - int(np.argmax(self.screened[::-1]))

    @property
    def last_tau_s(self) -> int:
        return (self.liftoff_count - 1) * self.resolution_s

    @property
    def first_t(self) -> int:
        """First absolute second (after window open) at which any liftoff puts the vehicle above 150 km."""
        return self.first_k

    @property
    def last_t(self) -> int:
        return self.last_tau_s + self.last_k

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
    offsets = np.asarray(seconds, dtype=float)
    jd = np.full(offsets.shape, span.jd0)
    fraction = span.fraction0 + offsets / 86400.0
    if isinstance(satellites, SatrecArray):
        errors, r_teme, v_teme = satellites.sgp4(jd, fraction)
    else:
        errors, r_teme, v_teme = satellites.sgp4_array(jd, fraction)
    return Propagated(errors, teme_to_ecef(r_teme, gmst_rad(jd, fraction)), r_teme, v_teme)


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
    seconds: NDArray[np.int64],
) -> list[Closure]:
    """Merge (object, liftoff) hits into per-object closure intervals of consecutive liftoffs.

    Each hit says: liftoff `liftoff_index` puts the vehicle within the object's stand-off at
    `seconds` after window open, `distance_km` apart. Several hits per pair are fine.
    """
    if len(object_index) == 0:
        return []
    # Closest approach per (object, liftoff): sort by distance, keep the first of each pair.
    order = np.lexsort((distance_km, liftoff_index, object_index))
    object_index, liftoff_index = object_index[order], liftoff_index[order]
    distance_km, seconds = distance_km[order], seconds[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (object_index[1:] != object_index[:-1]) | (liftoff_index[1:] != liftoff_index[:-1])
    object_index, liftoff_index = object_index[first], liftoff_index[first]
    distance_km, seconds = distance_km[first], seconds[first]

    closures = []
    starts = np.ones(len(object_index), dtype=bool)
    starts[1:] = (object_index[1:] != object_index[:-1]) | (liftoff_index[1:] != liftoff_index[:-1] + 1)
    bounds = np.append(np.nonzero(starts)[0], len(object_index))
    for begin, end in zip(bounds[:-1], bounds[1:], strict=True):
        item = objects[int(object_index[begin])]
        closest = begin + int(np.argmin(distance_km[begin:end]))
        closures.append(
            Closure(
                start=span.moment(int(liftoff_index[begin]) * span.resolution_s),
                end=span.moment(int(liftoff_index[end - 1]) * span.resolution_s),
                norad_id=item.elements.norad_id,
                name=item.elements.name,
                object_class=item.object_class,
                min_distance_km=float(distance_km[closest]),
                time_of_closest_approach=span.moment(int(seconds[closest])),
            )
        )
    return closures


def standoffs_km(objects: list[ScreeningObject]) -> NDArray[np.float64]:
    return np.array([STANDOFF_KM[item.object_class] for item in objects], dtype=float)
