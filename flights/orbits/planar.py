"""Planar launch windows: when the launch site, turning with the Earth, passes under a target's plane.

The site's position vector is taken in an inertial (true-equator, mean-equinox) frame: the site's
longitude plus GMST. The target plane is fixed by inclination and RAAN, with RAAN drifting linearly
(J2 precession). A window is where the angle between the site vector and the plane is within the
tolerance: at most two a day (the site under the ascending and the descending half of the orbit),
merged into one when the site latitude equals the inclination, none when it is higher.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from flights.orbits.constants import EARTH_ROTATION_RAD_S, WGS72_MU_KM3_S2, WGS84_EQUATORIAL_RADIUS_KM
from flights.orbits.element_set import ElementSet
from flights.orbits.errors import OrbitError, UnreachableTarget
from flights.orbits.frames import geodetic_to_ecef, gmst_rad, julian_date, require_utc

__all__ = ["PlanarWindow", "launch_azimuth_deg", "planar_windows", "planar_windows_for_elements"]

Node = Literal["ascending", "descending"]


@dataclass(frozen=True)
class PlanarWindow:
    """One in-plane launch opportunity (UTC), refined to 1 s.

    `azimuth_deg` is the launch azimuth over the rotating Earth, clockwise from north.
    `node` says which half of the orbit the site is under: "ascending" (northbound, launch to the
    north-east for a prograde target) or "descending" (southbound, south-east).
    """

    open: datetime
    close: datetime
    in_plane: datetime
    azimuth_deg: float
    node: Node

    @property
    def duration_s(self) -> float:
        return (self.close - self.open).total_seconds()


def launch_azimuth_deg(
    *, site_latitude_deg: float, inclination_deg: float, node: Node, target_altitude_km: float = 400.0
) -> float:
    """Launch azimuth (deg from north, 0-360) into a plane of given inclination, over the rotating Earth.

    Inertial azimuth from spherical trigonometry, sin(Az_i) = cos(i) / cos(lat); then the standard
    rotating-Earth correction with the circular orbital speed at the target altitude:
    tan(Az_r) = (v_o sin Az_i - v_eq cos lat) / (v_o cos Az_i).
    """
    lat = math.radians(site_latitude_deg)
    inc = math.radians(inclination_deg)
    # At (or, within the tolerance, just above) the inclination latitude the site meets the plane at
    # the orbit's northern/southern turning point, where the plane heads due east (or west).
    sin_az = max(-1.0, min(1.0, math.cos(inc) / math.cos(lat)))
    azimuth_inertial = math.asin(sin_az)
    if node == "descending":
        azimuth_inertial = math.pi - azimuth_inertial
    orbital_speed_km_s = math.sqrt(WGS72_MU_KM3_S2 / (WGS84_EQUATORIAL_RADIUS_KM + target_altitude_km))
    equator_speed_km_s = EARTH_ROTATION_RAD_S * WGS84_EQUATORIAL_RADIUS_KM
    east = orbital_speed_km_s * math.sin(azimuth_inertial) - equator_speed_km_s * math.cos(lat)
    north = orbital_speed_km_s * math.cos(azimuth_inertial)
    return math.degrees(math.atan2(east, north)) % 360.0


def planar_windows(
    *,
    site_lat_deg: float,
    site_lon_deg: float,
    start: datetime,
    days: float,
    plane_tolerance_deg: float,
    inclination_deg: float,
    raan_deg: float,
    raan_epoch: datetime,
    raan_rate_deg_per_day: float = 0.0,
    azimuth_min_deg: float | None = None,
    azimuth_max_deg: float | None = None,
    step_s: float = 60.0,
    target_altitude_km: float = 400.0,
    site_alt_km: float = 0.0,
) -> list[PlanarWindow]:
    """Every in-plane window in [start, start + days], in time order.

    Raises `UnreachableTarget` when the site never gets within the tolerance of the plane, or when
    every window's launch azimuth is outside [azimuth_min_deg, azimuth_max_deg] (the range may wrap
    through north, e.g. 330..30). Windows with an azimuth outside the range are left out.
    """
    require_utc(start, "start")
    require_utc(raan_epoch, "raan_epoch")
    if days <= 0:
        raise OrbitError(f"days must be positive, got {days}")
    if not 0.0 < plane_tolerance_deg < 90.0:
        raise OrbitError(f"plane tolerance must be between 0 and 90 deg, got {plane_tolerance_deg}")
    if not 0.0 <= inclination_deg <= 180.0:
        raise OrbitError(f"inclination must be between 0 and 180 deg, got {inclination_deg}")
    if not -90.0 <= site_lat_deg <= 90.0:
        raise OrbitError(f"site latitude must be between -90 and 90 deg, got {site_lat_deg}")

    geometry = _PlaneGeometry.build(
        site_lat_deg=site_lat_deg,
        site_lon_deg=site_lon_deg,
        site_alt_km=site_alt_km,
        start=start,
        inclination_deg=inclination_deg,
        raan_deg=raan_deg,
        raan_epoch=raan_epoch,
        raan_rate_deg_per_day=raan_rate_deg_per_day,
    )
    # The closest the site ever gets to the plane is |geocentric latitude| - (inclination folded to
    # 0..90); the site's position vector is what must lie in the plane, hence geocentric latitude.
    prograde_inclination_deg = min(inclination_deg, 180.0 - inclination_deg)
    closest_deg = abs(geometry.geocentric_lat_deg) - prograde_inclination_deg
    if closest_deg > plane_tolerance_deg:
        raise UnreachableTarget(
            f"site latitude {site_lat_deg:.2f} deg is beyond the reach of inclination {inclination_deg:.2f} deg "
            f"(+ {plane_tolerance_deg:.2f} deg tolerance): the site never passes under the target plane"
        )

    sin_tolerance = math.sin(math.radians(plane_tolerance_deg))
    total_s = int(math.floor(days * 86400.0))
    # A window lasts at least 2 sin(tol) / max|d sin(angle)/dt|; sample at half that so none is missed
    # between samples (grazing passes are caught by the local-minimum search below).
    max_rate = geometry.max_rate_per_s
    step = float(min(step_s, max(1.0, sin_tolerance / max_rate)))
    raw_windows = _find_windows(lambda t: np.abs(geometry.sin_angle(t)) - sin_tolerance, total_s, step, max_rate)

    windows = []
    for open_s, close_s in raw_windows:
        in_plane_s = _golden_minimum(lambda t: abs(float(geometry.sin_angle(t))), open_s, close_s)
        node: Node = "ascending" if geometry.northbound(in_plane_s) else "descending"
        azimuth = launch_azimuth_deg(
            site_latitude_deg=geometry.geocentric_lat_deg,
            inclination_deg=inclination_deg,
            node=node,
            target_altitude_km=target_altitude_km,
        )
        windows.append(
            PlanarWindow(
                open=start + timedelta(seconds=open_s),
                close=start + timedelta(seconds=close_s),
                in_plane=start + timedelta(seconds=round(in_plane_s, 3)),
                azimuth_deg=azimuth,
                node=node,
            )
        )
    return _within_azimuth_range(windows, azimuth_min_deg, azimuth_max_deg)


def planar_windows_for_elements(elements: ElementSet, **kwargs) -> list[PlanarWindow]:
    """`planar_windows` into the plane of `elements`: inclination, RAAN and its J2 drift from the set.

    Takes the same keyword arguments as `planar_windows` except the plane's; the target altitude
    defaults to the set's mean altitude.
    """
    kwargs.setdefault("target_altitude_km", (elements.perigee_km + elements.apogee_km) / 2.0)
    return planar_windows(
        inclination_deg=elements.inclination_deg,
        raan_deg=elements.raan_deg,
        raan_epoch=elements.epoch,
        raan_rate_deg_per_day=elements.raan_rate_deg_per_day,
        **kwargs,
    )


@dataclass(frozen=True)
class _PlaneGeometry:
    """sin(angle between site vector and plane) as a function of seconds since `start`.

    With the plane normal h = (sin O sin i, -cos O sin i, cos i) and the site direction at
    geocentric latitude p and sidereal angle th = GMST + longitude:
    s . h = sin p cos i - cos p sin i sin(th - O).
    """

    geocentric_lat_deg: float
    sin_lat: float
    cos_lat: float
    sin_inc: float
    cos_inc: float
    theta0_rad: float  # GMST + site longitude at start
    theta_rate_rad_s: float
    raan0_rad: float  # RAAN at start
    raan_rate_rad_s: float

    @classmethod
    def build(
        cls,
        *,
        site_lat_deg: float,
        site_lon_deg: float,
        site_alt_km: float,
        start: datetime,
        inclination_deg: float,
        raan_deg: float,
        raan_epoch: datetime,
        raan_rate_deg_per_day: float,
    ) -> _PlaneGeometry:
        site = geodetic_to_ecef(site_lat_deg, site_lon_deg, site_alt_km)
        geocentric_lat = math.atan2(float(site[2]), math.hypot(float(site[0]), float(site[1])))
        jd, fraction = julian_date(start)
        # Sidereal rate from the GMST polynomial itself, so the linear model matches gmst_rad.
        one_day = float(gmst_rad(jd, fraction + 1.0) - gmst_rad(jd, fraction))
        theta_rate = (one_day % (2 * math.pi) + 2 * math.pi) / 86400.0
        raan_rate = math.radians(raan_rate_deg_per_day) / 86400.0
        raan0 = math.radians(raan_deg) + raan_rate * (start - raan_epoch).total_seconds()
        inc = math.radians(inclination_deg)
        return cls(
            geocentric_lat_deg=math.degrees(geocentric_lat),
            sin_lat=math.sin(geocentric_lat),
            cos_lat=math.cos(geocentric_lat),
            sin_inc=math.sin(inc),
            cos_inc=math.cos(inc),
            theta0_rad=float(gmst_rad(jd, fraction)) + math.radians(site_lon_deg),
            theta_rate_rad_s=theta_rate,
            raan0_rad=raan0,
            raan_rate_rad_s=raan_rate,
        )

    def _phase(self, t_s):
        return (self.theta0_rad + self.theta_rate_rad_s * t_s) - (self.raan0_rad + self.raan_rate_rad_s * t_s)

    def sin_angle(self, t_s) -> NDArray[np.float64]:
        return self.sin_lat * self.cos_inc - self.cos_lat * self.sin_inc * np.sin(self._phase(t_s))

    def northbound(self, t_s: float) -> bool:
        # Site direction . node vector = cos p cos(th - O): positive on the ascending (northbound) half.
        return math.cos(float(self._phase(t_s))) > 0.0

    @property
    def max_rate_per_s(self) -> float:
        return max(1e-12, self.cos_lat * self.sin_inc * abs(self.theta_rate_rad_s - self.raan_rate_rad_s))


def _find_windows(
    excess: Callable[[NDArray[np.float64] | float], NDArray[np.float64] | float],
    total_s: int,
    step_s: float,
    max_rate_per_s: float,
) -> list[tuple[int, int]]:
    """Whole-second intervals in [0, total_s] where excess(t) <= 0, found by sampling and bisection."""
    samples = np.unique(np.append(np.arange(0.0, total_s, step_s).round(), float(total_s))).astype(int)
    values = np.asarray(excess(samples.astype(float)))
    # Grazing dips shallower than the sampling can see: a local minimum within reach of zero gets a
    # golden-section search, and a second found inside becomes an extra sample.
    reach = max_rate_per_s * step_s
    seeds = []
    for k in range(1, len(samples) - 1):
        if 0.0 < values[k] <= reach and values[k] <= values[k - 1] and values[k] <= values[k + 1]:
            t_min = _golden_minimum(excess, int(samples[k - 1]), int(samples[k + 1]))
            seeds += [second for second in (math.floor(t_min), math.ceil(t_min)) if float(excess(float(second))) <= 0.0]
    if seeds:
        samples = np.unique(np.append(samples, seeds))
        values = np.asarray(excess(samples.astype(float)))
    inside = values <= 0.0

    windows = []
    k = 0
    while k < len(samples):
        if not inside[k]:
            k += 1
            continue
        first = k
        while k + 1 < len(samples) and inside[k + 1]:
            k += 1
        last = k
        open_s = int(samples[0]) if first == 0 else _boundary(excess, int(samples[first - 1]), int(samples[first]))
        if last == len(samples) - 1:
            close_s = int(samples[-1])
        else:
            close_s = _boundary(excess, int(samples[last + 1]), int(samples[last]))
        windows.append((open_s, close_s))
        k += 1
    return windows


def _boundary(excess, outside_s: int, inside_s: int) -> int:
    """The whole second nearest `outside_s` that is still inside, by bisection between the two."""
    while abs(inside_s - outside_s) > 1:
        middle = (inside_s + outside_s) // 2
        if float(excess(float(middle))) <= 0.0:
            inside_s = middle
        else:
            outside_s = middle
    return inside_s


def _golden_minimum(function, low_s: float, high_s: float, tolerance_s: float = 0.01) -> float:
    """Golden-section search for the minimum of a unimodal function on [low_s, high_s]."""
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    a, b = float(low_s), float(high_s)
    c = b - ratio * (b - a)
    d = a + ratio * (b - a)
    fc, fd = float(function(c)), float(function(d))
    while b - a > tolerance_s:
        if fc <= fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = float(function(c))
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = float(function(d))
    return (a + b) / 2.0


def _within_azimuth_range(
    windows: list[PlanarWindow], azimuth_min_deg: float | None, azimuth_max_deg: float | None
) -> list[PlanarWindow]:
    if azimuth_min_deg is None and azimuth_max_deg is None:
        return windows
    low = 0.0 if azimuth_min_deg is None else azimuth_min_deg % 360.0
    high = 360.0 if azimuth_max_deg is None else (azimuth_max_deg % 360.0 if azimuth_max_deg != 360.0 else 360.0)

    def allowed(azimuth: float) -> bool:
        # A range like 330..30 wraps through north.
        return low <= azimuth <= high if low <= high else (azimuth >= low or azimuth <= high)

    kept = [window for window in windows if allowed(window.azimuth_deg)]
    if windows and not kept:
        seen = {f"{w.azimuth_deg:.1f} deg ({w.node})": w.azimuth_deg for w in windows}
        refused = ", ".join(sorted(seen, key=seen.__getitem__))
        raise UnreachableTarget(f"launch azimuth {refused} is outside the allowed range {low:.1f}-{high:.1f} deg")
    return kept
