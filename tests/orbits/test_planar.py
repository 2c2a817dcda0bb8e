"""Planar launch windows against hand-checked geometry."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sgp4.api import jday
from sgp4.propagation import gstime

from flights.orbits.errors import OrbitError, UnreachableTarget
from flights.orbits.frames import geocentric_latitude_deg, geodetic_to_ecef
from flights.orbits.planar import launch_azimuth_deg, planar_windows, planar_windows_for_elements
from tests.orbits.data import requires_data, stations

START = datetime(2026, 8, 22, tzinfo=UTC)
KENNEDY = {"site_lat_deg": 28.573, "site_lon_deg": -80.649}
V_EQUATOR_KM_S = 7.292115e-5 * 6378.137
SIDEREAL_DEG_PER_DAY = 360.98564736629


def angle_to_plane_deg(moment, lat_deg, lon_deg, inclination_deg, raan_deg):
    """Independent check: angle between the site's inertial position vector and the plane."""
    jd, fraction = jday(
        moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second + moment.microsecond / 1e6
    )
    x, y, z = geodetic_to_ecef(lat_deg, lon_deg, 0.0)
    theta = gstime(jd + fraction)
    site = np.array([x * math.cos(theta) - y * math.sin(theta), x * math.sin(theta) + y * math.cos(theta), z])
    i, node = math.radians(inclination_deg), math.radians(raan_deg)
    normal = np.array([math.sin(node) * math.sin(i), -math.cos(node) * math.sin(i), math.cos(i)])
    return math.degrees(math.asin(abs(float(site @ normal)) / float(np.linalg.norm(site))))


def hand_azimuth(lat_deg, inclination_deg, ascending, altitude_km=400.0):
    """sin(Az_i) = cos i / cos lat, then tan(Az) = (v sin Az_i - v_eq cos lat) / (v cos Az_i)."""
    azimuth_inertial = math.asin(math.cos(math.radians(inclination_deg)) / math.cos(math.radians(lat_deg)))
    if not ascending:
        azimuth_inertial = math.pi - azimuth_inertial
    v = math.sqrt(398600.8 / (6378.137 + altitude_km))
    east = v * math.sin(azimuth_inertial) - V_EQUATOR_KM_S * math.cos(math.radians(lat_deg))
    return math.degrees(math.atan2(east, v * math.cos(azimuth_inertial))) % 360.0


def windows(**overrides):
    arguments = {
        "site_lat_deg": 0.0,
        "site_lon_deg": 0.0,
        "start": START,
        "days": 3,
        "plane_tolerance_deg": 0.5,
        "inclination_deg": 51.6,
        "raan_deg": 120.0,
        "raan_epoch": START,
    }
    arguments.update(overrides)
    return planar_windows(**arguments)


def test_equator_site_gets_two_windows_a_day_about_twelve_hours_apart():
    result = windows(days=3)
    assert len(result) == 6
    assert [w.node for w in result] == ["ascending", "descending"] * 3 or [w.node for w in result] == [
        "descending",
        "ascending",
    ] * 3
    gaps_h = [(b.in_plane - a.in_plane).total_seconds() / 3600.0 for a, b in zip(result, result[1:], strict=False)]
    # A fixed plane: the site crosses it every half sidereal day.
    assert all(gap == pytest.approx(11.967, abs=0.01) for gap in gaps_h)
    for window in result:
        assert window.azimuth_deg == pytest.approx(hand_azimuth(0.0, 51.6, window.node == "ascending"), abs=0.01)
    ascending = next(w for w in result if w.node == "ascending")
    assert 0.0 < ascending.azimuth_deg < 90.0  # north-east
    descending = next(w for w in result if w.node == "descending")
    assert 90.0 < descending.azimuth_deg < 180.0  # south-east
    assert ascending.azimuth_deg + descending.azimuth_deg == pytest.approx(180.0, abs=1e-6)


def test_in_plane_instant_really_has_the_site_in_the_plane_and_edges_at_the_tolerance():
    result = windows(days=2, raan_rate_deg_per_day=-4.95, **KENNEDY)
    for window in result:
        raan_now = 120.0 - 4.95 * (window.in_plane - START).total_seconds() / 86400.0
        assert angle_to_plane_deg(window.in_plane, 28.573, -80.649, 51.6, raan_now) < 0.01
        assert window.open <= window.in_plane <= window.close
        assert window.open.tzinfo is UTC and window.open.microsecond == 0
        for edge, outside in (
            (window.open, window.open - timedelta(seconds=1)),
            (window.close, window.close + timedelta(seconds=1)),
        ):
            raan_edge = 120.0 - 4.95 * (edge - START).total_seconds() / 86400.0
            raan_out = 120.0 - 4.95 * (outside - START).total_seconds() / 86400.0
            assert angle_to_plane_deg(edge, 28.573, -80.649, 51.6, raan_edge) <= 0.5 + 1e-6
            assert angle_to_plane_deg(outside, 28.573, -80.649, 51.6, raan_out) > 0.5


def test_site_at_the_inclination_latitude_gets_one_merged_pass_a_day_heading_east():
    result = windows(site_lat_deg=51.6, days=3)
    assert len(result) == 3
    for window in result:
        # The geocentric latitude (51.41) is just below 51.6: the site crosses the plane twice,
        # close together, either side of the turning point; either crossing is in-plane.
        assert abs(window.azimuth_deg - 90.0) < 6.0
        assert (window.azimuth_deg < 90.0) == (window.node == "ascending")
        assert window.duration_s > 3600.0  # the site grazes the plane near its turning point
    # When the geocentric latitude is exactly the inclination, the plane heads due east.
    exact = windows(site_lat_deg=51.6, inclination_deg=float(geocentric_latitude_deg(51.6)), days=2)
    assert len(exact) == 2
    assert all(window.azimuth_deg == pytest.approx(90.0, abs=0.01) for window in exact)


def test_site_above_the_inclination_is_refused_with_a_clear_message():
    with pytest.raises(
        UnreachableTarget, match=r"site latitude 60\.00 deg is beyond the reach of inclination 51\.60 deg"
    ):
        windows(site_lat_deg=60.0)
    with pytest.raises(UnreachableTarget, match="latitude -45.00 deg"):
        windows(site_lat_deg=-45.0, inclination_deg=41.5)


def test_azimuth_range_drops_windows_and_refuses_when_none_are_left():
    both = windows(days=2, **KENNEDY)
    northeast_only = windows(days=2, azimuth_min_deg=35.0, azimuth_max_deg=60.0, **KENNEDY)
    assert len(both) == 4
    assert [w.node for w in northeast_only] == ["ascending", "ascending"]
    with pytest.raises(
        UnreachableTarget,
        match=r"launch azimuth 42\.\d deg \(ascending\), 137\.\d deg \(descending\) is outside the allowed range 60\.0-120\.0 deg",
    ):
        windows(days=2, azimuth_min_deg=60.0, azimuth_max_deg=120.0, **KENNEDY)


def test_retrograde_target_from_vandenberg():
    result = windows(site_lat_deg=34.74, site_lon_deg=-120.57, inclination_deg=97.5, days=2)
    assert len(result) == 4
    for window in result:
        if window.node == "ascending":
            assert 270.0 < window.azimuth_deg < 360.0  # north-west
        else:
            assert 180.0 < window.azimuth_deg < 270.0  # south-west
    # An azimuth range that wraps through north keeps the north-west launches.
    kept = windows(
        site_lat_deg=34.74,
        site_lon_deg=-120.57,
        inclination_deg=97.5,
        days=2,
        azimuth_min_deg=300.0,
        azimuth_max_deg=10.0,
    )
    assert [w.node for w in kept] == ["ascending", "ascending"]


def test_node_drift_moves_each_days_window_earlier():
    result = windows(days=4, raan_rate_deg_per_day=-4.95, **KENNEDY)
    ascending = [w.in_plane for w in result if w.node == "ascending"]
    expected_s = 86400.0 * 360.0 / (SIDEREAL_DEG_PER_DAY + 4.95)
    for first, second in zip(ascending, ascending[1:], strict=False):
        assert (second - first).total_seconds() == pytest.approx(expected_s, abs=2.0)


def test_tiny_tolerance_windows_are_not_missed_between_samples():
    coarse = windows(days=2, plane_tolerance_deg=0.02, step_s=600.0)
    assert len(coarse) == 4
    assert all(0 < w.duration_s < 60 for w in coarse)


def test_launch_azimuth_formula():
    assert launch_azimuth_deg(site_latitude_deg=28.5, inclination_deg=28.5, node="ascending") == pytest.approx(90.0)
    assert launch_azimuth_deg(site_latitude_deg=0.0, inclination_deg=90.0, node="ascending") == pytest.approx(
        hand_azimuth(0.0, 90.0, True)
    )
    # Polar launch from the equator: Earth rotation pushes the ground azimuth west of north.
    assert launch_azimuth_deg(site_latitude_deg=0.0, inclination_deg=90.0, node="ascending") > 356.0


@requires_data
def test_windows_for_the_iss_elements_use_their_plane_and_drift():
    iss = stations()[25544]
    result = planar_windows_for_elements(iss, start=START, days=2, plane_tolerance_deg=0.5, **KENNEDY)
    manual = planar_windows(
        start=START,
        days=2,
        plane_tolerance_deg=0.5,
        inclination_deg=iss.inclination_deg,
        raan_deg=iss.raan_deg,
        raan_epoch=iss.epoch,
        raan_rate_deg_per_day=iss.raan_rate_deg_per_day,
        target_altitude_km=(iss.perigee_km + iss.apogee_km) / 2.0,
        **KENNEDY,
    )
    assert result == manual
    assert len(result) == 4
    ascending = next(w for w in result if w.node == "ascending")
    # ISS launches from Florida fly north-east at about 42-45 deg.
    assert 40.0 < ascending.azimuth_deg < 46.0


def test_invalid_arguments_are_refused():
    with pytest.raises(OrbitError, match="timezone-aware UTC"):
        windows(start=datetime(2026, 8, 22))
    with pytest.raises(OrbitError, match="days must be positive"):
        windows(days=0)
    with pytest.raises(OrbitError, match="plane tolerance"):
        windows(plane_tolerance_deg=0.0)
