"""Nominal trajectories: the profile's numbers are met, the path is smooth, and it is tied to liftoff."""

from __future__ import annotations

import math

import numpy as np
import pytest

from flights.orbits.constants import EARTH_ROTATION_RAD_S
from flights.orbits.errors import OrbitError
from flights.orbits.fit import kepler_elements
from flights.orbits.frames import ecef_to_geodetic, geodetic_to_ecef, rotate_z
from flights.orbits.trajectory import SCREENING_DURATION_ORBITAL_S, AscentProfile, nominal_trajectory

KENNEDY = (28.573, -80.649)
PROFILE = AscentProfile(
    launch_azimuth_deg=42.7,
    time_to_150km_s=230.0,
    insertion_time_s=540.0,
    insertion_altitude_km=400.0,
    downrange_at_insertion_km=1500.0,
)


@pytest.fixture(scope="module")
def orbital():
    return nominal_trajectory(PROFILE, *KENNEDY)


def test_covers_three_hours_after_liftoff_at_one_second_steps(orbital):
    # 14 CFR 450.169: orbital launches are screened at least 3 h after liftoff.
    assert SCREENING_DURATION_ORBITAL_S == 3 * 3600
    assert orbital.shape == (3 * 3600 + 1, 3)


def test_meets_the_profile_numbers(orbital):
    _, _, altitude = ecef_to_geodetic(orbital)
    assert np.linalg.norm(orbital[0] - geodetic_to_ecef(*KENNEDY, 0.0)) < 0.01
    assert altitude[230] == pytest.approx(150.0, abs=0.5)
    assert altitude[540] == pytest.approx(400.0, abs=0.5)
    assert np.all(np.diff(altitude[:541]) >= -1e-9)  # monotone climb
    assert altitude[:230].max() < 150.0 < altitude[231:].min()
    # Downrange: great-circle angle between site and insertion point times the site radius.
    site, insertion = orbital[0], orbital[540]
    angle = math.acos(float(site @ insertion) / (np.linalg.norm(site) * np.linalg.norm(insertion)))
    assert angle * np.linalg.norm(site) == pytest.approx(1500.0, rel=1e-3)
    # The first heading is the launch azimuth.
    lat, lon, _ = ecef_to_geodetic(orbital[1:40])
    heading = math.degrees(
        math.atan2(math.radians(lon[-1] - lon[0]) * math.cos(math.radians(lat[0])), math.radians(lat[-1] - lat[0]))
    )
    assert heading == pytest.approx(42.7, abs=0.5)


def test_orbit_is_circular_at_the_insertion_altitude(orbital):
    radius = np.linalg.norm(orbital[541:], axis=1)
    assert radius.max() - radius.min() < 1e-6  # circular: rotation to ECEF keeps the radius
    _, _, altitude = ecef_to_geodetic(orbital[541:])
    # Constant radius over a flattened Earth: ~405 km over the equator, ~393 km at 51.6 deg.
    assert 385.0 < altitude.min() < 400.0 < altitude.max() < 410.0


def test_path_is_smooth_through_insertion(orbital):
    speed = np.linalg.norm(np.diff(orbital, axis=0), axis=1)  # km/s in ECEF
    assert speed.max() < 7.5
    assert np.abs(np.diff(speed)).max() < 0.05  # no jumps, including at insertion
    assert speed[-1] == pytest.approx(7.3, abs=0.3)


def test_insertion_orbit_has_about_the_target_inclination_and_j2_drift(orbital):
    seconds = np.arange(len(orbital))
    inertial = rotate_z(orbital, EARTH_ROTATION_RAD_S * seconds)  # frame aligned with ECEF at liftoff
    early = kepler_elements(inertial[1000], inertial[1001] - inertial[1000])
    late = kepler_elements(inertial[10000], inertial[10001] - inertial[10000])
    assert early["inclination_deg"] == pytest.approx(51.6, abs=1.0)
    # J2 node regression of about -5 deg/day, i.e. about -0.52 deg over these 9000 s.
    assert late["raan_deg"] - early["raan_deg"] == pytest.approx(-5.0 * 9000 / 86400, abs=0.05)


def test_trajectory_is_relative_to_liftoff_only():
    """No clock goes in: a later liftoff is the same Earth-fixed path, shifted in time."""
    assert np.array_equal(nominal_trajectory(PROFILE, *KENNEDY), nominal_trajectory(PROFILE, *KENNEDY))
    shorter = nominal_trajectory(PROFILE, *KENNEDY, duration_s=3600)
    assert np.array_equal(shorter, nominal_trajectory(PROFILE, *KENNEDY)[:3601])


def test_suborbital_hop():
    hop = AscentProfile(
        regime="suborbital",
        apogee_km=107.0,
        flight_duration_s=600.0,
        launch_azimuth_deg=0.0,
        downrange_at_insertion_km=3.0,
    )
    path = nominal_trajectory(hop, 31.42, -104.76, site_alt_km=1.1, duration_s=900)
    _, _, altitude = ecef_to_geodetic(path)
    assert altitude.max() == pytest.approx(107.0, abs=0.01)
    assert int(np.argmax(altitude)) == 300
    assert altitude[0] == pytest.approx(1.1, abs=1e-3)
    assert altitude[600:] == pytest.approx(1.1, abs=1e-3)  # landed and stays
    assert np.linalg.norm(path[-1] - path[0]) == pytest.approx(3.0, abs=0.01)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"insertion_altitude_km": 120.0}, "insertion altitude must be above 150 km"),
        ({"time_to_150km_s": 600.0}, "must be positive and before insertion"),
        ({"regime": "lunar"}, "regime must be"),
    ],
)
def test_bad_profiles_are_refused(overrides, message):
    with pytest.raises(OrbitError, match=message):
        AscentProfile(**overrides)
