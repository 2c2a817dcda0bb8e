"""Probability of collision: Foster's 2D method for a circular hard body (Foster & Estes 1992).

The encounter is short next to the orbit, so the relative motion is a straight line at the
relative velocity: the collision probability is the integral of the combined (relative) position
uncertainty, projected on the encounter plane normal to the relative velocity, over the disc of
the combined hard-body radius (HBR) centred on the miss vector. Steps, as NASA CARA's
`Pc2D_Foster` does them:

1. each object's 3x3 position covariance is rotated from its RTN frame to the inertial frame of
   the states (`rtn_to_inertial`); the two are summed (the errors are independent);
2. the sum is projected on the encounter plane (`encounter`);
3. a projected covariance that is not positive definite is remediated by eigenvalue clipping
   (CARA, Hall et al. 2017): eigenvalues below (1e-4 x HBR)^2 are raised to it, and the result
   says it was remediated;
4. the 2D Gaussian is integrated over the HBR disc in its principal axes: one dimension in closed
   form (error functions), the other by Gauss-Legendre quadrature on x = HBR sin(theta), split
   at the points where the integrand turns, and summed in logarithms so that probabilities far
   below 1e-300 stay exact to many digits instead of cancelling (real CDMs state down to 1e-168).

Lengths may be in any one unit (m or km) as long as every input uses it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from flights.orbits.conjunction.errors import PcError

__all__ = ["CLIP_FACTOR", "Encounter", "PcResult", "encounter", "foster_pc", "pc_from_states", "rtn_to_inertial"]

# CARA's default clipping factor: eigenvalues of the projected covariance are kept >= (F HBR)^2.
CLIP_FACTOR = 1e-4
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(48)
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


@dataclass(frozen=True)
class Encounter:
    """The conjunction seen on the encounter plane."""

    miss_vector: NDArray[np.float64]  # 2D, in the plane basis (x along the miss)
    covariance: NDArray[np.float64] | None  # 2x2 combined, projected, before any remediation
    basis: NDArray[np.float64]  # rows: plane x, plane y, relative-velocity direction (inertial)
    miss_distance: float
    relative_speed: float


@dataclass(frozen=True)
class PcResult:
    """A probability of collision, how it was computed and whether the covariance was remediated."""

    pc: float
    log10_pc: float  # -inf when the probability is exactly 0
    method: str
    hbr: float
    remediated: bool
    covariance_2d: NDArray[np.float64]  # the one integrated (after remediation)
    eigenvalues_2d: tuple[float, float]  # of the integrated covariance (after clipping)
    miss_vector_2d: NDArray[np.float64]


def rtn_to_inertial(position: ArrayLike, velocity: ArrayLike, covariance_rtn: ArrayLike) -> NDArray[np.float64]:
    """Rotate a 3x3 RTN position covariance to the inertial frame of (position, velocity)."""
    rotation = _rtn_rows(position, velocity)
    covariance = np.asarray(covariance_rtn, dtype=float)[:3, :3]
    return rotation.T @ covariance @ rotation


def _rtn_rows(position: ArrayLike, velocity: ArrayLike) -> NDArray[np.float64]:
    r = np.asarray(position, dtype=float)
    v = np.asarray(velocity, dtype=float)
    radial = r / np.linalg.norm(r)
    normal = np.cross(r, v)
    if np.linalg.norm(normal) == 0:
        raise PcError("the state has zero angular momentum: no RTN frame")
    normal /= np.linalg.norm(normal)
    transverse = np.cross(normal, radial)
    return np.vstack([radial, transverse, normal])


def relative_rtn(position1, velocity1, position2, velocity2) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Object 2 relative to object 1, in object 1's RTN frame (how CDMs state the miss)."""
    rows = _rtn_rows(position1, velocity1)
    dr = np.asarray(position2, float) - np.asarray(position1, float)
    dv = np.asarray(velocity2, float) - np.asarray(velocity1, float)
    return rows @ dr, rows @ dv


def encounter(
    position1: ArrayLike,
    velocity1: ArrayLike,
    position2: ArrayLike,
    velocity2: ArrayLike,
    covariance1: ArrayLike | None = None,
    covariance2: ArrayLike | None = None,
) -> Encounter:
    """The encounter plane of two inertial states at TCA and the combined covariance on it.

    Covariances are 3x3 inertial position covariances (see `rtn_to_inertial`), or None.
    """
    dr = np.asarray(position2, float) - np.asarray(position1, float)
    dv = np.asarray(velocity2, float) - np.asarray(velocity1, float)
    speed = float(np.linalg.norm(dv))
    if not speed > 0:
        raise PcError("the objects have no relative velocity: the 2D method does not apply")
    normal = dv / speed
    in_plane = dr - np.dot(dr, normal) * normal
    if np.linalg.norm(in_plane) > 0:
        x_axis = in_plane / np.linalg.norm(in_plane)
    else:  # a direct hit: any direction in the plane will do
        helper = np.eye(3)[int(np.argmin(np.abs(normal)))]
        x_axis = np.cross(normal, helper)
        x_axis /= np.linalg.norm(x_axis)
    y_axis = np.cross(normal, x_axis)
    basis = np.vstack([x_axis, y_axis, normal])
    miss = np.array([np.dot(dr, x_axis), np.dot(dr, y_axis)])
    projected = None
    if covariance1 is not None and covariance2 is not None:
        combined = np.asarray(covariance1, float) + np.asarray(covariance2, float)
        plane = basis[:2]
        projected = plane @ combined @ plane.T
        projected = 0.5 * (projected + projected.T)
    return Encounter(
        miss_vector=miss,
        covariance=projected,
        basis=basis,
        miss_distance=float(np.linalg.norm(dr)),
        relative_speed=speed,
    )


def foster_pc(miss_vector_2d: ArrayLike, covariance_2d: ArrayLike, hbr: float) -> PcResult:
    """Foster's 2D Pc: the Gaussian N(miss, covariance) integrated over the disc |x| <= hbr."""
    if not (isinstance(hbr, int | float) and math.isfinite(hbr) and hbr > 0):
        raise PcError(f"the hard-body radius must be a positive number, got {hbr!r}")
    miss = np.asarray(miss_vector_2d, dtype=float).reshape(2)
    covariance = np.asarray(covariance_2d, dtype=float).reshape(2, 2)
    if not (np.all(np.isfinite(miss)) and np.all(np.isfinite(covariance))):
        raise PcError("the miss vector and covariance must be finite")
    covariance = 0.5 * (covariance + covariance.T)
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)
    floor = (CLIP_FACTOR * hbr) ** 2
    remediated = bool(np.any(eigenvalues < floor))
    eigenvalues = np.maximum(eigenvalues, floor)
    used = eigenvectors @ np.diag(eigenvalues) @ eigenvectors.T
    # Principal axes: u along eigenvector 0 (integrated numerically), w along eigenvector 1.
    centre = eigenvectors.T @ miss
    sigma_u, sigma_w = np.sqrt(eigenvalues)
    log_pc = _log_disc_integral(float(centre[0]), float(centre[1]), float(sigma_u), float(sigma_w), float(hbr))
    pc = math.exp(log_pc) if log_pc > -745.0 else 0.0
    return PcResult(
        pc=min(pc, 1.0),
        log10_pc=float(log_pc) / math.log(10.0) if log_pc > -math.inf else -math.inf,
        method="FOSTER-1992",
        hbr=float(hbr),
        remediated=remediated,
        covariance_2d=used,
        eigenvalues_2d=(float(eigenvalues[0]), float(eigenvalues[1])),
        miss_vector_2d=miss,
    )


def pc_from_states(
    position1: ArrayLike,
    velocity1: ArrayLike,
    covariance_rtn1: ArrayLike,
    position2: ArrayLike,
    velocity2: ArrayLike,
    covariance_rtn2: ArrayLike,
    hbr: float,
) -> PcResult:
    """Pc from two inertial TCA states and their RTN position covariances (all in one length unit)."""
    geometry = encounter(
        position1,
        velocity1,
        position2,
        velocity2,
        rtn_to_inertial(position1, velocity1, covariance_rtn1),
        rtn_to_inertial(position2, velocity2, covariance_rtn2),
    )
    return foster_pc(geometry.miss_vector, geometry.covariance, hbr)


# --- the integral -------------------------------------------------------------------------------


def _log_upper_tail(t: float) -> float:
    """log Q(t) = log P(Z > t) for a standard normal Z, accurate far into the tail."""
    if t < 30.0:
        return math.log(0.5 * math.erfc(t / math.sqrt(2.0)))
    # Asymptotic series (Abramowitz & Stegun 26.2.12); relative error < 1e-11 here.
    inverse = 1.0 / (t * t)
    series = 1.0 - inverse + 3.0 * inverse**2 - 15.0 * inverse**3 + 105.0 * inverse**4
    return -0.5 * t * t - math.log(t) - _LOG_SQRT_2PI + math.log(series)


def _log_interval(low: float, high: float) -> float:
    """log P(low < Z < high) for a standard normal Z, without cancellation in either tail."""
    if high <= low:
        return -math.inf
    if low >= 0.0:  # both in the upper tail
        a, b = _log_upper_tail(low), _log_upper_tail(high)
        return a + math.log(-math.expm1(b - a)) if b < a else -math.inf
    if high <= 0.0:  # both in the lower tail: mirror
        a, b = _log_upper_tail(-high), _log_upper_tail(-low)
        return a + math.log(-math.expm1(b - a)) if b < a else -math.inf
    outside = 0.5 * math.erfc(-low / math.sqrt(2.0)) + 0.5 * math.erfc(high / math.sqrt(2.0))
    return math.log1p(-outside)


def _log_disc_integral(u0: float, w0: float, sigma_u: float, sigma_w: float, radius: float) -> float:
    """log of the integral of N((u0, w0), diag(sigma_u^2, sigma_w^2)) over the disc of `radius`."""
    # u = radius sin(theta): the chord half-width is radius cos(theta), smooth in theta.
    breaks_u = [u0 + k * sigma_u for k in (-12, -6, -3, -1.5, 0, 1.5, 3, 6, 12)]
    for k in (-6, -3, -1, 0, 1, 3, 6):
        half = abs(w0) + k * sigma_w
        if 0 < half < radius:
            chord = math.sqrt(radius * radius - half * half)
            breaks_u += [-chord, chord]
    thetas = {-math.pi / 2, math.pi / 2}
    thetas.update(math.asin(u / radius) for u in breaks_u if -radius < u < radius)
    thetas = sorted(thetas)
    logs = []
    for start, end in zip(thetas[:-1], thetas[1:], strict=True):
        if end - start < 1e-15:
            continue
        half_width = 0.5 * (end - start)
        for node, weight in zip(_NODES, _WEIGHTS, strict=True):
            theta = start + half_width * (node + 1.0)
            u = radius * math.sin(theta)
            chord = radius * math.cos(theta)
            log_density_u = -0.5 * ((u - u0) / sigma_u) ** 2 - math.log(sigma_u) - _LOG_SQRT_2PI
            log_w = _log_interval((-chord - w0) / sigma_w, (chord - w0) / sigma_w)
            if log_w == -math.inf or chord <= 0:
                continue
            logs.append(math.log(weight * half_width * chord) + log_density_u + log_w)
    if not logs:
        return -math.inf
    peak = max(logs)
    return peak + math.log(sum(math.exp(value - peak) for value in logs))
