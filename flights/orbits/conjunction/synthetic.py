"""Made-up conjunctions around a real state: demo data and tests, never a real warning.

`synthetic_conjunction` takes the protected object's inertial state at TCA (from its element set) and
builds the other object's state so that the two meet as a LEO crossing does: the same orbital speed in a
plane turned by a crossing angle, the miss on the encounter plane (normal to the relative velocity, so the
given time is the time of closest approach), and a diagonal 6x6 covariance in each object's own RTN frame
with the position sigmas given (in-track the largest, as propagation makes it). The Pc of the result is
set by the miss, the sigmas and the hard-body radius alone, not by where the orbit is: the geometry is
built in the protected object's frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["SyntheticConjunction", "rtn_covariance", "synthetic_conjunction"]

# Velocity sigmas that go with metre-level position sigmas in LEO (CARA's CDMs carry mm/s to cm/s).
_VELOCITY_SIGMA_PER_M = 1e-3  # m/s of velocity sigma per metre of position sigma, on each axis


@dataclass(frozen=True)
class SyntheticConjunction:
    """Both objects' inertial states at TCA (km, km/s) and RTN covariances (m, m/s), with the geometry."""

    position1_km: tuple[float, float, float]
    velocity1_km_s: tuple[float, float, float]
    covariance1_rtn: tuple[tuple[float, ...], ...]
    position2_km: tuple[float, float, float]
    velocity2_km_s: tuple[float, float, float]
    covariance2_rtn: tuple[tuple[float, ...], ...]
    miss_distance_m: float
    relative_speed_m_s: float


def rtn_covariance(sigmas_m: ArrayLike) -> tuple[tuple[float, ...], ...]:
    """A diagonal 6x6 RTN covariance from (radial, in-track, cross-track) position sigmas in metres."""
    position = np.asarray(sigmas_m, dtype=float)
    if position.shape != (3,) or not np.all(position > 0):
        raise ValueError("give three positive position sigmas (radial, in-track, cross-track), in metres")
    variances = np.concatenate([position**2, (position * _VELOCITY_SIGMA_PER_M) ** 2])
    return tuple(tuple(float(v) for v in row) for row in np.diag(variances))


def _rtn_axes(position: NDArray[np.float64], velocity: NDArray[np.float64]) -> NDArray[np.float64]:
    radial = position / np.linalg.norm(position)
    normal = np.cross(position, velocity)
    normal /= np.linalg.norm(normal)
    return np.vstack([radial, np.cross(normal, radial), normal])


def synthetic_conjunction(
    position_km: ArrayLike,
    velocity_km_s: ArrayLike,
    *,
    crossing_angle_deg: float,
    miss_m: tuple[float, float],
    sigmas1_m: ArrayLike,
    sigmas2_m: ArrayLike,
) -> SyntheticConjunction:
    """The other object of a conjunction with the protected object at (position, velocity) at TCA.

    `miss_m` is the miss on the encounter plane: (along the protected object's radial direction as projected
    on the plane, across it), metres. `crossing_angle_deg` turns the other orbit's velocity out of the
    protected object's plane (0 < angle < 180): the relative speed is 2 v sin(angle / 2).
    """
    if not 0 < crossing_angle_deg < 180:
        raise ValueError("the crossing angle must be between 0 and 180 degrees (exclusive)")
    r1 = np.asarray(position_km, dtype=float)
    v1 = np.asarray(velocity_km_s, dtype=float)
    radial, transverse, normal = _rtn_axes(r1, v1)
    speed = float(np.linalg.norm(v1))
    angle = math.radians(crossing_angle_deg)
    # The other object flies at the same speed, turned out of plane about the radial direction.
    climb = float(np.dot(v1, radial))
    horizontal = math.sqrt(max(speed**2 - climb**2, 0.0))  # along the transverse axis, by its definition
    v2 = climb * radial + horizontal * (math.cos(angle) * transverse + math.sin(angle) * normal)
    relative = v2 - v1
    direction = relative / np.linalg.norm(relative)
    # Encounter-plane axes: the radial direction with its along-relative-velocity part removed, and across it.
    plane_x = radial - np.dot(radial, direction) * direction
    plane_x /= np.linalg.norm(plane_x)
    plane_y = np.cross(direction, plane_x)
    offset_km = (miss_m[0] * plane_x + miss_m[1] * plane_y) / 1000.0
    r2 = r1 + offset_km
    return SyntheticConjunction(
        position1_km=tuple(float(x) for x in r1),
        velocity1_km_s=tuple(float(x) for x in v1),
        covariance1_rtn=rtn_covariance(sigmas1_m),
        position2_km=tuple(float(x) for x in r2),
        velocity2_km_s=tuple(float(x) for x in v2),
        covariance2_rtn=rtn_covariance(sigmas2_m),
        miss_distance_m=float(math.hypot(*miss_m)),
        relative_speed_m_s=float(np.linalg.norm(relative) * 1000.0),
    )
