"""Mean element sets that reproduce a given state: what-if objects for screening and its tests.

SGP4 mean elements are not osculating elements, so converting a state with two-body formulas
lands several km off. `element_set_through` corrects the state it converts until SGP4, at the
epoch, returns the wanted state (a fixed-point iteration that converges in a few steps).
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
from numpy.typing import ArrayLike

from flights.orbits.constants import WGS72_MU_KM3_S2
from flights.orbits.element_set import ElementSet
from flights.orbits.errors import OrbitError
from flights.orbits.frames import julian_date, require_utc

__all__ = ["element_set_through", "kepler_elements"]


def kepler_elements(r_km: ArrayLike, v_km_s: ArrayLike) -> dict[str, float]:
    """Two-body elements (degrees, rev/day) of an inertial state (Vallado, algorithm RV2COE)."""
    r = np.asarray(r_km, dtype=float)
    v = np.asarray(v_km_s, dtype=float)
    mu = WGS72_MU_KM3_S2
    radius, speed = float(np.linalg.norm(r)), float(np.linalg.norm(v))
    momentum = np.cross(r, v)
    node = np.cross([0.0, 0.0, 1.0], momentum)
    eccentricity_vector = ((speed**2 - mu / radius) * r - float(np.dot(r, v)) * v) / mu
    eccentricity = float(np.linalg.norm(eccentricity_vector))
    energy = speed**2 / 2.0 - mu / radius
    if energy >= 0.0:
        raise OrbitError("state is not a bound orbit (escape speed or more)")
    semi_major_km = -mu / (2.0 * energy)
    inclination = math.acos(max(-1.0, min(1.0, float(momentum[2] / np.linalg.norm(momentum)))))
    node_norm = float(np.linalg.norm(node))
    raan = math.atan2(float(node[1]), float(node[0])) if node_norm > 1e-9 else 0.0
    node_unit = node / node_norm if node_norm > 1e-9 else np.array([1.0, 0.0, 0.0])
    in_plane = np.cross(momentum / np.linalg.norm(momentum), node_unit)
    # Argument of latitude always exists; split it into perigee + true anomaly when e > 0.
    latitude_arg = math.atan2(float(np.dot(r, in_plane)), float(np.dot(r, node_unit)))
    if eccentricity > 1e-9:
        arg_perigee = math.atan2(
            float(np.dot(eccentricity_vector, in_plane)), float(np.dot(eccentricity_vector, node_unit))
        )
    else:
        arg_perigee = 0.0
    true_anomaly = latitude_arg - arg_perigee
    eccentric_anomaly = 2.0 * math.atan2(
        math.sqrt(1.0 - eccentricity) * math.sin(true_anomaly / 2.0),
        math.sqrt(1.0 + eccentricity) * math.cos(true_anomaly / 2.0),
    )
    mean_anomaly = eccentric_anomaly - eccentricity * math.sin(eccentric_anomaly)
    mean_motion_rad_s = math.sqrt(mu / semi_major_km**3)
    return {
        "inclination_deg": math.degrees(inclination),
        "raan_deg": math.degrees(raan) % 360.0,
        "eccentricity": eccentricity,
        "arg_perigee_deg": math.degrees(arg_perigee) % 360.0,
        "mean_anomaly_deg": math.degrees(mean_anomaly) % 360.0,
        "mean_motion_rev_per_day": mean_motion_rad_s * 86400.0 / (2.0 * math.pi),
    }


def element_set_through(
    r_teme_km: ArrayLike,
    v_teme_km_s: ArrayLike,
    epoch: datetime,
    *,
    norad_id: int,
    name: str,
    bstar: float = 0.0,
    tolerance_km: float = 1e-4,
    max_iterations: int = 20,
) -> ElementSet:
    """An `ElementSet` whose SGP4 state at `epoch` is (r, v) in TEME, to within `tolerance_km`."""
    require_utc(epoch, "epoch")
    target_r, target_v = np.asarray(r_teme_km, dtype=float), np.asarray(v_teme_km_s, dtype=float)
    guess_r, guess_v = target_r.copy(), target_v.copy()
    jd, fraction = julian_date(epoch)
    for _ in range(max_iterations):
        elements = ElementSet(
            norad_id=norad_id, name=name, epoch=epoch, bstar=bstar, **kepler_elements(guess_r, guess_v)
        )
        error, r, v = elements.satrec().sgp4(jd, fraction)
        if error:
            raise OrbitError(f"SGP4 error {error} while fitting elements for {name}")
        miss_r, miss_v = target_r - np.asarray(r), target_v - np.asarray(v)
        if float(np.linalg.norm(miss_r)) < tolerance_km and float(np.linalg.norm(miss_v)) < tolerance_km * 1e-3:
            return elements
        guess_r, guess_v = guess_r + miss_r, guess_v + miss_v
    raise OrbitError(f"elements for {name} did not converge within {max_iterations} iterations")
