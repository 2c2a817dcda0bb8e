"""Nominal vehicle trajectories for collision screening, expressed relative to liftoff.

The trajectory is an array of Earth-fixed (ECEF) positions at fixed steps of time since liftoff.
Both parts of the flight are tied to the Earth's rotation at liftoff: the ascent follows a great
circle over the ground along the launch azimuth, and the insertion orbit is propagated in an
inertial frame that coincides with ECEF at liftoff. Moving liftoff by tau therefore only shifts the
whole trajectory in time, which is what lets screening test every liftoff second against one array.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from flights.orbits.constants import (
    EARTH_ROTATION_RAD_S,
    WGS84_EQUATORIAL_RADIUS_KM,
    WGS84_FLATTENING,
    WGS84_J2,
    WGS84_MU_KM3_S2,
)
from flights.orbits.errors import OrbitError
from flights.orbits.frames import geodetic_to_ecef, rotate_z

__all__ = ["AscentProfile", "nominal_trajectory", "SCREENING_DURATION_ORBITAL_S"]

Regime = Literal["orbital", "suborbital"]

# 14 CFR 450.169: orbital launches are screened for at least 3 hours after liftoff.
SCREENING_DURATION_ORBITAL_S = 3 * 3600


@dataclass(frozen=True)
class AscentProfile:
    """The few numbers a vehicle model stores to describe its nominal flight.

    Orbital: altitude rises smoothly through 150 km at `time_to_150km_s` to a circular insertion
    orbit at `insertion_altitude_km`, reached `downrange_at_insertion_km` along the launch azimuth at
    `insertion_time_s`. Suborbital: a ballistic hop to `apogee_km` lasting `flight_duration_s`,
    landing `downrange_at_insertion_km` away (0 for a vertical hop).
    Defaults are a Falcon 9 / Crew Dragon-like ascent and a New Shepard-like hop.
    """

    regime: Regime = "orbital"
    launch_azimuth_deg: float = 45.0
    time_to_150km_s: float = 270.0
    insertion_time_s: float = 530.0
    insertion_altitude_km: float = 210.0
    downrange_at_insertion_km: float = 1600.0
    apogee_km: float = 107.0
    flight_duration_s: float = 600.0

    def __post_init__(self) -> None:
        if self.regime not in ("orbital", "suborbital"):
            raise OrbitError(f"regime must be 'orbital' or 'suborbital', got {self.regime!r}")
        if self.regime == "orbital":
            if self.insertion_altitude_km <= 150.0:
                raise OrbitError(f"orbital insertion altitude must be above 150 km, got {self.insertion_altitude_km}")
            if not 0.0 < self.time_to_150km_s < self.insertion_time_s:
                raise OrbitError(
                    f"time to 150 km ({self.time_to_150km_s} s) must be positive and before insertion "
                    f"({self.insertion_time_s} s)"
                )
            if self.downrange_at_insertion_km <= 0.0:
                raise OrbitError(f"downrange at insertion must be positive, got {self.downrange_at_insertion_km}")
        else:
            if self.apogee_km <= 0.0 or self.flight_duration_s <= 0.0:
                raise OrbitError(
                    f"a suborbital hop needs a positive apogee and duration, got {self.apogee_km} km, "
                    f"{self.flight_duration_s} s"
                )
            if self.downrange_at_insertion_km < 0.0:
                raise OrbitError(f"downrange must not be negative, got {self.downrange_at_insertion_km}")


def nominal_trajectory(
    profile: AscentProfile,
    site_lat_deg: float,
    site_lon_deg: float,
    site_alt_km: float = 0.0,
    duration_s: float = SCREENING_DURATION_ORBITAL_S,
    step_s: float = 1.0,
) -> NDArray[np.float64]:
    """ECEF positions (km), shape (n, 3), at t = 0, step_s, ... , duration_s seconds after liftoff.

    Screening wants `step_s=1`: liftoff times and closures are resolved to the second.
    """
    if duration_s <= 0.0 or step_s <= 0.0:
        raise OrbitError(f"duration and step must be positive, got {duration_s} s and {step_s} s")
    times_s = np.arange(0.0, duration_s + step_s / 2.0, step_s)
    site = _Site.build(site_lat_deg, site_lon_deg, site_alt_km, profile.launch_azimuth_deg)
    if profile.regime == "suborbital":
        return _suborbital(profile, site, times_s)
    return _orbital(profile, site, times_s)


@dataclass(frozen=True)
class _Site:
    """Launch site and the great circle leaving it along the launch azimuth (ECEF).

    Ground distance is measured on the sphere of the site's geocentric radius; heights are added to
    the WGS84 ellipsoid's radius under each point, so they read as (near-)geodetic altitudes.
    """

    position_km: NDArray[np.float64]
    altitude_km: float
    radius_km: float
    up: NDArray[np.float64]
    heading: NDArray[np.float64]  # unit tangent along the launch azimuth
    latitude_rad: float  # geocentric

    @classmethod
    def build(cls, lat_deg: float, lon_deg: float, alt_km: float, azimuth_deg: float) -> _Site:
        position = geodetic_to_ecef(lat_deg, lon_deg, alt_km)
        radius = float(np.linalg.norm(position))
        up = position / radius
        east = np.array([-up[1], up[0], 0.0])
        if np.linalg.norm(east) < 1e-12:  # at a pole every direction is south (or north)
            east = np.array([0.0, 1.0, 0.0])
        east /= np.linalg.norm(east)
        north = np.cross(up, east)
        azimuth = math.radians(azimuth_deg)
        heading = math.sin(azimuth) * east + math.cos(azimuth) * north
        return cls(position, alt_km, radius, up, heading, math.asin(float(up[2])))

    def direction(self, downrange_km: NDArray[np.float64]) -> NDArray[np.float64]:
        angle = downrange_km / self.radius_km
        return np.cos(angle)[:, None] * self.up + np.sin(angle)[:, None] * self.heading

    def along(self, downrange_km: NDArray[np.float64], altitude_km: NDArray[np.float64]) -> NDArray[np.float64]:
        """Points over the great circle at a ground distance and a height above the ellipsoid."""
        direction = self.direction(downrange_km)
        return (_ellipsoid_radius_km(direction) + altitude_km)[:, None] * direction


def _suborbital(profile: AscentProfile, site: _Site, times_s: NDArray[np.float64]) -> NDArray[np.float64]:
    # A ballistic hop: parabolic altitude, constant ground speed; it stays at the landing point after.
    fraction = np.clip(times_s / profile.flight_duration_s, 0.0, 1.0)
    altitude_km = site.altitude_km + (profile.apogee_km - site.altitude_km) * 4.0 * fraction * (1.0 - fraction)
    return site.along(profile.downrange_at_insertion_km * fraction, altitude_km)


def _orbital(profile: AscentProfile, site: _Site, times_s: NDArray[np.float64]) -> NDArray[np.float64]:
    insertion_s = profile.insertion_time_s
    insertion_direction = site.direction(np.array([profile.downrange_at_insertion_km]))
    insertion_radius_km = float(_ellipsoid_radius_km(insertion_direction)[0]) + profile.insertion_altitude_km
    circular_speed_km_s = math.sqrt(WGS84_MU_KM3_S2 / insertion_radius_km)
    ground_speed_km_s = _ground_speed_for(circular_speed_km_s, profile.launch_azimuth_deg, site.latitude_rad)
    ground_rate_km_s = ground_speed_km_s * site.radius_km / insertion_radius_km

    ascent = times_s <= insertion_s
    positions = np.empty((len(times_s), 3))
    altitude_km = _monotone_altitude(
        times_s[ascent], profile.time_to_150km_s, insertion_s, profile.insertion_altitude_km
    )
    altitude_km = site.altitude_km + altitude_km * (1.0 - site.altitude_km / profile.insertion_altitude_km)
    downrange_km, _ = _downrange(times_s[ascent], insertion_s, profile.downrange_at_insertion_km, ground_rate_km_s)
    positions[ascent] = site.along(downrange_km, altitude_km)

    # Insertion state in the inertial frame that coincides with ECEF at liftoff.
    distance_end_km, rate_end_km_s = _downrange(
        np.array([insertion_s]), insertion_s, profile.downrange_at_insertion_km, ground_rate_km_s
    )
    r_ecef = site.along(distance_end_km, np.array([profile.insertion_altitude_km]))[0]
    angle = float(distance_end_km[0]) / site.radius_km
    tangent = -math.sin(angle) * site.up + math.cos(angle) * site.heading
    v_ecef = float(rate_end_km_s[0]) * insertion_radius_km / site.radius_km * tangent
    omega = np.array([0.0, 0.0, EARTH_ROTATION_RAD_S])
    r_inertial = rotate_z(r_ecef, EARTH_ROTATION_RAD_S * insertion_s)
    v_inertial = rotate_z(v_ecef + np.cross(omega, r_ecef), EARTH_ROTATION_RAD_S * insertion_s)

    coast = ~ascent
    orbit_inertial = _circular_j2_orbit(r_inertial, v_inertial, times_s[coast] - insertion_s)
    positions[coast] = rotate_z(orbit_inertial, -EARTH_ROTATION_RAD_S * times_s[coast])
    return positions


def _ellipsoid_radius_km(direction: NDArray[np.float64]) -> NDArray[np.float64]:
    """Distance from the centre to the WGS84 ellipsoid along unit vectors (n, 3)."""
    polar_radius_km = WGS84_EQUATORIAL_RADIUS_KM * (1.0 - WGS84_FLATTENING)
    sin2 = direction[:, 2] ** 2
    return (
        WGS84_EQUATORIAL_RADIUS_KM
        * polar_radius_km
        / np.sqrt(polar_radius_km**2 * (1.0 - sin2) + WGS84_EQUATORIAL_RADIUS_KM**2 * sin2)
    )


def _ground_speed_for(orbital_speed_km_s: float, azimuth_deg: float, latitude_rad: float) -> float:
    """Ground-relative speed along `azimuth_deg` that gives `orbital_speed_km_s` once Earth rotation is added."""
    eastward = EARTH_ROTATION_RAD_S * WGS84_EQUATORIAL_RADIUS_KM * math.cos(latitude_rad)
    sin_az = math.sin(math.radians(azimuth_deg))
    # |v_r (sin Az, cos Az) + (eastward, 0)| = v_o, solved for v_r > 0.
    return -sin_az * eastward + math.sqrt((sin_az * eastward) ** 2 - eastward**2 + orbital_speed_km_s**2)


def _monotone_altitude(
    times_s: NDArray[np.float64], time_to_150km_s: float, insertion_s: float, insertion_altitude_km: float
) -> NDArray[np.float64]:
    """Smooth, monotone altitude: 0 at liftoff, 150 km at `time_to_150km_s`, level at insertion.

    Piecewise cubic Hermite through the three points with zero slope at both ends and the
    Fritsch-Butland interior slope, which keeps it monotone (no dip below 150 km after crossing it).
    """
    t1, h1 = time_to_150km_s, 150.0
    t2, h2 = insertion_s, insertion_altitude_km
    slope0, slope1 = h1 / t1, (h2 - h1) / (t2 - t1)
    width0, width1 = t1, t2 - t1
    middle_slope = 3.0 * (width0 + width1) / ((2.0 * width1 + width0) / slope0 + (width1 + 2.0 * width0) / slope1)
    first = times_s <= t1
    altitude = np.empty_like(times_s)
    altitude[first] = _hermite(times_s[first], 0.0, t1, 0.0, h1, 0.0, middle_slope)
    altitude[~first] = _hermite(times_s[~first], t1, t2, h1, h2, middle_slope, 0.0)
    return altitude


def _downrange(
    times_s: NDArray[np.float64], insertion_s: float, downrange_km: float, final_rate_km_s: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Ground distance and its rate: a cubic from rest to the insertion ground speed (kept monotone)."""
    final_rate = min(final_rate_km_s, 3.0 * downrange_km / insertion_s)
    distance = _hermite(times_s, 0.0, insertion_s, 0.0, downrange_km, 0.0, final_rate)
    x = times_s / insertion_s
    # Derivative of the Hermite cubic with zero start slope.
    rate = (6.0 * x - 6.0 * x * x) * downrange_km / insertion_s + (3.0 * x * x - 2.0 * x) * final_rate
    return distance, rate


def _hermite(t, t0: float, t1: float, y0: float, y1: float, m0: float, m1: float):
    width = t1 - t0
    x = (t - t0) / width
    x2, x3 = x * x, x * x * x
    return (
        (2 * x3 - 3 * x2 + 1) * y0 + (x3 - 2 * x2 + x) * width * m0 + (-2 * x3 + 3 * x2) * y1 + (x3 - x2) * width * m1
    )


def _circular_j2_orbit(
    r_km: NDArray[np.float64], v_km_s: NDArray[np.float64], elapsed_s: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Circular orbit through r in the plane of (r, v), with J2 secular node and latitude-argument rates.

    The insertion velocity only sets the plane and direction: the speed is the circular speed.
    Rates from Vallado, "Fundamentals of Astrodynamics", secular J2 (e = 0):
    dRAAN/dt = -3/2 n J2 (R/a)^2 cos i, du/dt = n (1 + 3/2 J2 (R/a)^2 (4 cos^2 i - 1)).
    """
    radius = float(np.linalg.norm(r_km))
    normal = np.cross(r_km, v_km_s)
    normal /= np.linalg.norm(normal)
    inclination = math.acos(max(-1.0, min(1.0, float(normal[2]))))
    if math.sin(inclination) < 1e-9:
        raan0 = 0.0  # equatorial: the node is undefined, any reference direction will do
    else:
        raan0 = math.atan2(float(normal[0]), float(-normal[1]))
    node = np.array([math.cos(raan0), math.sin(raan0), 0.0])
    in_plane = np.cross(normal, node)
    u0 = math.atan2(float(np.dot(r_km, in_plane)), float(np.dot(r_km, node)))

    mean_motion = math.sqrt(WGS84_MU_KM3_S2 / radius**3)
    j2_factor = 1.5 * WGS84_J2 * (WGS84_EQUATORIAL_RADIUS_KM / radius) ** 2
    cos_i = math.cos(inclination)
    raan = raan0 - j2_factor * mean_motion * cos_i * elapsed_s
    u = u0 + mean_motion * (1.0 + j2_factor * (4.0 * cos_i * cos_i - 1.0)) * elapsed_s

    sin_i = math.sin(inclination)
    cos_raan, sin_raan = np.cos(raan), np.sin(raan)
    cos_u, sin_u = np.cos(u), np.sin(u)
    x = cos_u * cos_raan - sin_u * sin_raan * cos_i
    y = cos_u * sin_raan + sin_u * cos_raan * cos_i
    z = sin_u * sin_i
    return radius * np.stack([x, y, z], axis=-1)
