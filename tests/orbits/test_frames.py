"""Time and frames: GMST against SGP4's, TEME -> ECEF against skyfield's, WGS84 round trips."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest
from sgp4.api import jday
from sgp4.propagation import gstime
from skyfield.sgp4lib import TEME_to_ITRF

from flights.orbits.errors import OrbitError
from flights.orbits.frames import (
    datetime_from_julian,
    ecef_to_geodetic,
    ecef_to_teme,
    geocentric_latitude_deg,
    geodetic_to_ecef,
    gmst_rad,
    julian_date,
    teme_to_ecef,
    teme_velocity_to_ecef,
)

MOMENTS = [
    datetime(2000, 1, 1, 12, tzinfo=UTC),
    datetime(2023, 10, 9, 12, 34, 56, 789000, tzinfo=UTC),
    datetime(2026, 8, 22, 23, 59, 59, tzinfo=UTC),
]


@pytest.mark.parametrize("moment", MOMENTS)
def test_julian_date_matches_sgp4_jday(moment):
    jd, fraction = julian_date(moment)
    reference = jday(
        moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second + moment.microsecond / 1e6
    )
    assert jd + fraction == pytest.approx(sum(reference), abs=1e-9)
    assert abs(datetime_from_julian(jd, fraction) - moment) < timedelta(microseconds=2)


def test_j2000_is_jd_2451545():
    assert sum(julian_date(datetime(2000, 1, 1, 12, tzinfo=UTC))) == 2451545.0


def test_non_utc_times_are_refused():
    with pytest.raises(OrbitError, match="timezone-aware UTC"):
        julian_date(datetime(2026, 1, 1))
    with pytest.raises(OrbitError, match="timezone-aware UTC"):
        julian_date(datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=8))))


@pytest.mark.parametrize("moment", MOMENTS)
def test_gmst_matches_sgp4_gstime(moment):
    jd, fraction = julian_date(moment)
    assert float(gmst_rad(jd, fraction)) == pytest.approx(gstime(jd + fraction), abs=1e-9)


def test_gmst_is_vectorised():
    fractions = np.linspace(0.0, 1.0, 5)
    values = gmst_rad(2460000.5, fractions)
    assert values.shape == (5,)
    assert np.allclose(values, [gstime(2460000.5 + f) for f in fractions])


def test_teme_to_ecef_matches_skyfield():
    moment = MOMENTS[1]
    jd, fraction = julian_date(moment)
    r_teme = np.array([2202.3568, -3860.0890, 5131.8701])
    v_teme = np.array([7.2239, 2.0096, -1.5888])
    # skyfield with no polar motion: same GMST-based rotation, independent code.
    r_ref, v_ref = TEME_to_ITRF(jd, r_teme, v_teme * 86400.0, 0.0, 0.0, fraction)  # skyfield: km/day
    gmst = gmst_rad(jd, fraction)
    assert np.allclose(teme_to_ecef(r_teme, gmst), r_ref, atol=1e-6)
    assert np.allclose(teme_velocity_to_ecef(r_teme, v_teme, gmst), np.asarray(v_ref) / 86400.0, atol=1e-7)
    assert np.allclose(ecef_to_teme(teme_to_ecef(r_teme, gmst), gmst), r_teme, atol=1e-9)


def test_teme_to_ecef_broadcasts_over_objects_and_times():
    positions = np.random.default_rng(1).normal(size=(4, 6, 3)) * 7000.0
    gmst = np.linspace(0.0, 3.0, 6)
    rotated = teme_to_ecef(positions, gmst)
    assert rotated.shape == (4, 6, 3)
    assert np.allclose(np.linalg.norm(rotated, axis=2), np.linalg.norm(positions, axis=2))
    assert np.allclose(rotated[2, 3], teme_to_ecef(positions[2, 3], gmst[3]))


def test_geodetic_ecef_round_trip():
    rng = np.random.default_rng(7)
    lat = rng.uniform(-89.9, 89.9, 500)
    lon = rng.uniform(-180.0, 180.0, 500)
    alt = rng.uniform(-0.5, 36000.0, 500)
    back_lat, back_lon, back_alt = ecef_to_geodetic(geodetic_to_ecef(lat, lon, alt))
    assert np.allclose(back_lat, lat, atol=1e-8)
    assert np.allclose(back_lon, lon, atol=1e-8)
    assert np.allclose(back_alt, alt, atol=1e-6)


def test_wgs84_reference_points():
    assert np.allclose(geodetic_to_ecef(0.0, 0.0, 0.0), [6378.137, 0.0, 0.0])
    assert np.allclose(geodetic_to_ecef(90.0, 0.0, 0.0), [0.0, 0.0, 6356.752314245], atol=1e-6)
    # Kennedy LC-39A: geocentric latitude is the angle of the surface point's position vector,
    # ~0.192 sin(2 lat) deg below the geodetic latitude.
    x, y, z = geodetic_to_ecef(28.573, -80.649, 0.0)
    assert float(geocentric_latitude_deg(28.573)) == pytest.approx(np.degrees(np.arctan2(z, np.hypot(x, y))), abs=1e-9)
    assert 28.573 - float(geocentric_latitude_deg(28.573)) == pytest.approx(0.1616, abs=0.001)
