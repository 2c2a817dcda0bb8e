"""Time and reference frames: Julian dates, GMST, TEME <-> ECEF, geodetic <-> ECEF (WGS84).

All functions take numpy arrays (or scalars) and broadcast. Polar motion and UT1-UTC (< 0.9 s)
are ignored: at the kilometre level of collision screening they are far below the element-set error.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from numpy.typing import ArrayLike, NDArray

from flights.orbits.constants import (
    EARTH_ROTATION_RAD_S,
    WGS84_ECCENTRICITY_SQUARED,
    WGS84_EQUATORIAL_RADIUS_KM,
    WGS84_FLATTENING,
)
from flights.orbits.errors import OrbitError

__all__ = [
    "datetime_from_julian",
    "ecef_to_geodetic",
    "ecef_to_teme",
    "geocentric_latitude_deg",
    "geodetic_to_ecef",
    "gmst_rad",
    "julian_date",
    "require_utc",
    "rotate_z",
    "teme_to_ecef",
    "teme_velocity_to_ecef",
]

_J2000_JD = 2451545.0
_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_UNIX_EPOCH_JD = 2440587.5


def require_utc(moment: datetime, what: str = "time") -> datetime:
    """Refuse naive or non-UTC datetimes: every time in this package is timezone-aware UTC."""
    if moment.tzinfo is None or moment.utcoffset() != timedelta(0):
        raise OrbitError(f"{what} must be timezone-aware UTC, got {moment.isoformat()}")
    return moment


def julian_date(moment: datetime) -> tuple[float, float]:
    """(whole-ish day, fraction) Julian date of a UTC datetime, split to keep sub-millisecond precision."""
    require_utc(moment)
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    day_jd = _UNIX_EPOCH_JD + (midnight - _UNIX_EPOCH).days
    fraction = (moment - midnight) / timedelta(days=1)
    return float(day_jd), float(fraction)


def datetime_from_julian(jd: float, fraction: float = 0.0) -> datetime:
    """Inverse of `julian_date` (microsecond resolution)."""
    days = (jd - _UNIX_EPOCH_JD) + fraction
    return _UNIX_EPOCH + timedelta(days=days)


def gmst_rad(jd_ut1: ArrayLike, fraction: ArrayLike = 0.0) -> NDArray[np.float64]:
    """Greenwich mean sidereal time (IAU 1982), radians in [0, 2 pi).

    The same expression as SGP4's `gstime` (Vallado 2006), vectorised: TEME is defined with it,
    so using it for TEME -> ECEF keeps the rotation consistent with the propagator.
    """
    jd = np.asarray(jd_ut1, dtype=float)
    frac = np.asarray(fraction, dtype=float)
    centuries = ((jd - _J2000_JD) + frac) / 36525.0
    seconds = (
        -6.2e-6 * centuries**3
        + 0.093104 * centuries**2
        + (876600.0 * 3600.0 + 8640184.812866) * centuries
        + 67310.54841
    )
    return np.mod(np.deg2rad(seconds / 240.0), 2.0 * np.pi)


def rotate_z(vectors_km: ArrayLike, angle_rad: ArrayLike) -> NDArray[np.float64]:
    """Rotate vectors (..., 3) by +angle about z (active rotation)."""
    vectors = np.asarray(vectors_km, dtype=float)
    angle = np.asarray(angle_rad, dtype=float)
    cos_a, sin_a = np.cos(angle), np.sin(angle)
    x, y, z = vectors[..., 0], vectors[..., 1], vectors[..., 2]
    return np.stack(np.broadcast_arrays(cos_a * x - sin_a * y, sin_a * x + cos_a * y, z), axis=-1)


def teme_to_ecef(r_teme_km: ArrayLike, gmst: ArrayLike) -> NDArray[np.float64]:
    """TEME position (..., 3) to Earth-fixed: rotate by -GMST about z (polar motion ignored)."""
    return rotate_z(r_teme_km, -np.asarray(gmst, dtype=float))


def ecef_to_teme(r_ecef_km: ArrayLike, gmst: ArrayLike) -> NDArray[np.float64]:
    """Earth-fixed position (..., 3) to TEME: rotate by +GMST about z."""
    return rotate_z(r_ecef_km, gmst)


def teme_velocity_to_ecef(r_teme_km: ArrayLike, v_teme_km_s: ArrayLike, gmst: ArrayLike) -> NDArray[np.float64]:
    """TEME velocity to Earth-fixed velocity: rotate, then remove the frame's rotation (omega x r)."""
    r_ecef = teme_to_ecef(r_teme_km, gmst)
    v_rot = teme_to_ecef(v_teme_km_s, gmst)
    omega_cross_r = np.stack(
        [-EARTH_ROTATION_RAD_S * r_ecef[..., 1], EARTH_ROTATION_RAD_S * r_ecef[..., 0], np.zeros_like(r_ecef[..., 0])],
        axis=-1,
    )
    return v_rot - omega_cross_r


def geodetic_to_ecef(lat_deg: ArrayLike, lon_deg: ArrayLike, alt_km: ArrayLike = 0.0) -> NDArray[np.float64]:
    """WGS84 geodetic latitude/longitude/height to Earth-fixed Cartesian km, shape (..., 3)."""
    lat = np.deg2rad(np.asarray(lat_deg, dtype=float))
    lon = np.deg2rad(np.asarray(lon_deg, dtype=float))
    alt = np.asarray(alt_km, dtype=float)
    sin_lat = np.sin(lat)
    normal_radius = WGS84_EQUATORIAL_RADIUS_KM / np.sqrt(1.0 - WGS84_ECCENTRICITY_SQUARED * sin_lat**2)
    x = (normal_radius + alt) * np.cos(lat) * np.cos(lon)
    y = (normal_radius + alt) * np.cos(lat) * np.sin(lon)
    z = (normal_radius * (1.0 - WGS84_ECCENTRICITY_SQUARED) + alt) * sin_lat
    return np.stack(np.broadcast_arrays(x, y, z), axis=-1)


def ecef_to_geodetic(r_ecef_km: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Earth-fixed km (..., 3) to WGS84 (lat_deg, lon_deg, alt_km), by Bowring's method.

    Two Bowring iterations are accurate to well below a metre for LEO heights.
    """
    r = np.asarray(r_ecef_km, dtype=float)
    x, y, z = r[..., 0], r[..., 1], r[..., 2]
    a = WGS84_EQUATORIAL_RADIUS_KM
    b = a * (1.0 - WGS84_FLATTENING)
    e2 = WGS84_ECCENTRICITY_SQUARED
    ep2 = (a * a - b * b) / (b * b)
    p = np.hypot(x, y)
    lon = np.arctan2(y, x)
    beta = np.arctan2(z * a, p * b)
    lat = np.arctan2(z + ep2 * b * np.sin(beta) ** 3, p - e2 * a * np.cos(beta) ** 3)
    for _ in range(2):
        beta = np.arctan2((1.0 - WGS84_FLATTENING) * np.sin(lat), np.cos(lat))
        lat = np.arctan2(z + ep2 * b * np.sin(beta) ** 3, p - e2 * a * np.cos(beta) ** 3)
    sin_lat = np.sin(lat)
    normal_radius = a / np.sqrt(1.0 - e2 * sin_lat**2)
    # Height along the normal; the two forms are each well conditioned away from the poles / equator.
    cos_lat = np.cos(lat)
    with np.errstate(divide="ignore", invalid="ignore"):
        alt_from_p = p / cos_lat - normal_radius
        alt_from_z = z / sin_lat - normal_radius * (1.0 - e2)
    alt = np.where(np.abs(cos_lat) > 0.5, alt_from_p, alt_from_z)
    return np.rad2deg(lat), np.rad2deg(lon), alt


def geocentric_latitude_deg(lat_deg: ArrayLike) -> NDArray[np.float64]:
    """Geocentric latitude of a point on the WGS84 ellipsoid: the angle its position vector makes with the equator."""
    lat = np.deg2rad(np.asarray(lat_deg, dtype=float))
    return np.rad2deg(np.arctan((1.0 - WGS84_ECCENTRICITY_SQUARED) * np.tan(lat)))
