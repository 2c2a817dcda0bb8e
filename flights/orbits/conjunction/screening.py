"""On-orbit conjunction screening: one protected object against a catalog, days ahead (CARA practice).

Finds every close approach inside a screening volume around the protected object, in its RTN frame
(for crewed vehicles the ISS "pizza box": +-2 km radial, +-25 km in-track, +-25 km cross-track),
with the TCA refined to the millisecond. Filters, each only discarding what cannot come close:

1. health: every object is propagated at the start, middle and end of the span; SGP4 errors are
   reported in `failed`, never silently dropped;
2. shell: an object whose mean perigee..apogee band, padded by `SHELL_PAD_KM` (short-period and
   drag variation over a week, far below it for LEO) plus the volume's largest half-size, does not
   overlap the protected object's band cannot come within the volume;
3. coarse grid: survivors and the protected object are propagated every `step_s` seconds (SGP4,
   TEME). Around a close approach the distance has one minimum over many steps (the relative orbit
   repeats each revolution), so a sample within one step of the true TCA t* is a local minimum of
   the sampled distance. From that sample's relative position dr and velocity dv, the straight-line
   closest approach |dr + tau dv| (min over tau) is at most |dr + (t* - t_i) dv|, which differs from
   the true miss by at most a_rel step^2 / 2 (a_rel: `MAX_RELATIVE_ACCELERATION_KM_S2`). So a
   candidate is kept when its straight-line miss is within the volume's half-diagonal plus that pad;
   everything else provably misses the volume;
4. refine: Newton steps on the range rate from the straight-line guess (scalar SGP4), inside two
   steps either side (golden-section search if a step leaves them), to `tca_tolerance_s`; the miss
   is then resolved in the protected object's RTN frame and tested against the volume.

Relative distances do not depend on the (quasi-)inertial frame, so TEME is used throughout.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from sgp4.api import SatrecArray

from flights.orbits.conjunction.pc import relative_rtn
from flights.orbits.element_set import ElementSet
from flights.orbits.errors import OrbitError
from flights.orbits.frames import julian_date, require_utc

__all__ = ["ISS_PIZZA_BOX_KM", "CloseApproach", "OrbitScreeningResult", "screen_orbit"]

ISS_PIZZA_BOX_KM = (2.0, 25.0, 25.0)
SHELL_PAD_KM = 60.0
# Bound on |a_other - a_protected| in TEME: two gravity accelerations at LEO (<= 0.0098 km/s^2 each at
# the surface) in opposite directions, plus J2, drag and third bodies (far smaller).
MAX_RELATIVE_ACCELERATION_KM_S2 = 0.02
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


@dataclass
class OrbitScreeningResult:
    approaches: list[CloseApproach]
    failed: list[tuple[int, str, int]]  # (norad id, name, SGP4 error code)
    screened_count: int
    stats: dict = field(default_factory=dict)


def screen_orbit(
    *,
    protected: ElementSet,
    catalog: Sequence[ElementSet],
    start: datetime,
    days: float = 7.0,
    volume_km: tuple[float, float, float] = ISS_PIZZA_BOX_KM,
    step_s: float = 120.0,
    tca_tolerance_s: float = 1e-3,
    progress=None,
) -> OrbitScreeningResult:
    """Close approaches of `protected` with `catalog` in [start, start + days] inside `volume_km`."""
    require_utc(start, "start")
    if not days > 0 or not step_s > 0:
        raise OrbitError("the span and the step must be positive")
    if any(not limit > 0 for limit in volume_km):
        raise OrbitError("the screening volume's half-sizes must be positive")
    started = time.perf_counter()
    jd0, fraction0 = julian_date(start)
    offsets = np.arange(0.0, days * 86400.0 + step_s, step_s)
    jd = np.full(offsets.shape, jd0)
    fraction = fraction0 + offsets / 86400.0
    own = protected.satrec()
    own_errors, own_r, own_v = own.sgp4_array(jd, fraction)
    if np.any(own_errors):
        raise OrbitError(f"SGP4 cannot propagate the protected object {protected.norad_id} over the span "
                         f"(error {int(own_errors[own_errors != 0][0])})")
    others = [item for item in catalog if item.norad_id != protected.norad_id]
    # 1 + 2: health and shell.
    reach = max(volume_km) + SHELL_PAD_KM
    low, high = protected.perigee_km - reach, protected.apogee_km + reach
    candidates = [item for item in others if item.apogee_km >= low and item.perigee_km <= high]
    failed: list[tuple[int, str, int]] = []
    healthy = []
    if candidates:
        probe = SatrecArray([item.satrec() for item in candidates])
        probe_offsets = np.array([0.0, offsets[-1] / 2.0, offsets[-1]])
        errors, _, _ = probe.sgp4(np.full(3, jd0), fraction0 + probe_offsets / 86400.0)
        for item, codes in zip(candidates, errors, strict=True):
            bad = codes[codes != 0]
            if bad.size:
                failed.append((item.norad_id, item.name, int(bad[0])))
            else:
                healthy.append(item)
    shell_s = time.perf_counter() - started
    # 3: coarse grid: local minima of the sampled distance whose straight-line closest approach
    # (from the relative position and velocity at that sample) can be inside the volume.
    gate_km = math.sqrt(sum(limit * limit for limit in volume_km)) + 0.5 * MAX_RELATIVE_ACCELERATION_KM_S2 * step_s**2
    brackets: list[tuple[ElementSet, float]] = []
    last = len(offsets) - 1
    for begin in range(0, len(healthy), CHUNK):
        chunk = healthy[begin : begin + CHUNK]
        errors, r, v = SatrecArray([item.satrec() for item in chunk]).sgp4(jd, fraction)
        dr = r - own_r[None, :, :]
        distance = np.sqrt(np.einsum("ijk,ijk->ij", dr, dr))
        distance[errors != 0] = np.inf
        minimum = np.zeros(distance.shape, dtype=bool)
        minimum[:, 1:-1] = (distance[:, 1:-1] <= distance[:, :-2]) & (distance[:, 1:-1] <= distance[:, 2:])
        minimum[:, 0] = distance[:, 0] <= distance[:, 1]
        minimum[:, last] = distance[:, last] <= distance[:, last - 1]
        rows, columns = np.nonzero(minimum)
        rel_r = dr[rows, columns]
        rel_v = v[rows, columns] - own_v[columns]
        speed2 = np.einsum("ij,ij->i", rel_v, rel_v)
        with np.errstate(divide="ignore", invalid="ignore"):
            tau = np.where(speed2 > 0, -np.einsum("ij,ij->i", rel_r, rel_v) / speed2, 0.0)
        tau = np.clip(tau, -step_s, step_s)
        straight = np.linalg.norm(rel_r + tau[:, None] * rel_v, axis=1)
        for row, column, shift in zip(rows[straight <= gate_km], columns[straight <= gate_km],
                                      tau[straight <= gate_km], strict=True):
            brackets.append((chunk[row], float(offsets[column] + shift)))
        if progress:
            progress(min(begin + CHUNK, len(healthy)), len(healthy))
    coarse_s = time.perf_counter() - started - shell_s
    # 4: refine each candidate (Newton on the range rate, kept inside its bracket), test the volume.
    approaches: dict[tuple[int, int], CloseApproach] = {}
    span_end = float(offsets[-1])
    for item, guess in brackets:
        satrec = item.satrec()
        low, high = max(guess - 2 * step_s, 0.0), min(guess + 2 * step_s, span_end)
        t_best = _refine(own, satrec, jd0, fraction0, guess, low, high, tca_tolerance_s)
        if t_best is None:
            continue
        error_own, r1, v1 = own.sgp4(jd0, fraction0 + t_best / 86400.0)
        error_other, r2, v2 = satrec.sgp4(jd0, fraction0 + t_best / 86400.0)
        if error_own or error_other:
            continue
        rtn, _ = relative_rtn(r1, v1, r2, v2)
        if not all(abs(value) <= limit for value, limit in zip(rtn, volume_km, strict=True)):
            continue
        tca = start + timedelta(seconds=float(t_best))
        key = (item.norad_id, round(t_best / 60.0))
        approaches[key] = CloseApproach(
            norad_id=item.norad_id,
            name=item.name,
            tca=tca,
            miss_km=float(np.linalg.norm(np.subtract(r2, r1))),
            miss_rtn_km=tuple(float(value) for value in rtn),
            relative_speed_km_s=float(np.linalg.norm(np.subtract(v2, v1))),
            r_protected_km=tuple(r1),
            v_protected_km_s=tuple(v1),
            r_other_km=tuple(r2),
            v_other_km_s=tuple(v2),
        )
    total = time.perf_counter() - started
    return OrbitScreeningResult(
        approaches=sorted(approaches.values(), key=lambda a: a.tca),
        failed=failed,
        screened_count=len(healthy),
        stats={
            "catalog": len(others), "after_shell": len(candidates), "brackets": len(brackets), "shell_s": shell_s,
            "coarse_s": coarse_s, "refine_s": total - shell_s - coarse_s, "total_s": total,
        },
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
