"""On-orbit screening: a planted crossing object is found with the right TCA and miss (brute force check),
one outside the pizza box is not an event."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from flights.orbits.conjunction.pc import relative_rtn
from flights.orbits.conjunction.screening import ISS_PIZZA_BOX_KM, screen_orbit
from flights.orbits.errors import OrbitError
from flights.orbits.fit import element_set_through
from flights.orbits.frames import julian_date
from tests.orbits.data import requires_data, stations

START = datetime(2026, 8, 22, tzinfo=UTC)
T0 = START + timedelta(hours=13, seconds=1234.567)  # the planted TCA


def iss():
    return stations()[25544]


def planted(offset_radial_km: float, norad_id: int, name: str):
    """An object through ISS's position at T0 plus a radial offset, crossing its plane at 60 degrees."""
    satrec = iss().satrec()
    jd, fraction = julian_date(T0)
    _, r, v = satrec.sgp4(jd, fraction)
    r, v = np.array(r), np.array(v)
    radial = r / np.linalg.norm(r)
    # Rodrigues rotation of v about the radial axis by 60 degrees.
    angle = math.radians(60.0)
    v_rot = v * math.cos(angle) + np.cross(radial, v) * math.sin(angle) + radial * np.dot(radial, v) * (1 - math.cos(angle))
    return element_set_through(r + offset_radial_km * radial, v_rot, T0, norad_id=norad_id, name=name)


def brute_force(protected, other, start, days):
    """Every second over the span, then every millisecond around the closest second."""
    jd0, fraction0 = julian_date(start)
    seconds = np.arange(0, int(days * 86400) + 1, dtype=float)
    a, b = protected.satrec(), other.satrec()
    _, r1, _ = a.sgp4_array(np.full(seconds.shape, jd0), fraction0 + seconds / 86400.0)
    _, r2, _ = b.sgp4_array(np.full(seconds.shape, jd0), fraction0 + seconds / 86400.0)
    best = int(np.argmin(np.linalg.norm(r2 - r1, axis=1)))
    fine = best + np.arange(-1000, 1001) / 1000.0
    _, r1, _ = a.sgp4_array(np.full(fine.shape, jd0), fraction0 + fine / 86400.0)
    _, r2, _ = b.sgp4_array(np.full(fine.shape, jd0), fraction0 + fine / 86400.0)
    distance = np.linalg.norm(r2 - r1, axis=1)
    index = int(np.argmin(distance))
    return start + timedelta(seconds=float(fine[index])), float(distance[index])


@requires_data
def test_a_planted_crossing_object_is_found_with_tca_and_miss_of_the_brute_force():
    crossing = planted(0.8, 99901, "PLANTED CROSSING")
    start = T0 - timedelta(hours=12)
    result = screen_orbit(protected=iss(), catalog=[*stations().values(), crossing], start=start, days=1.0,
                          volume_km=ISS_PIZZA_BOX_KM)
    found = [a for a in result.approaches if a.norad_id == 99901 and abs((a.tca - T0).total_seconds()) < 60]
    assert len(found) == 1
    approach = found[0]
    tca, miss_km = brute_force(iss(), crossing, start, 1.0)
    assert abs((approach.tca - tca).total_seconds()) < 1.0
    assert abs((approach.tca - T0).total_seconds()) < 1.0
    assert approach.miss_km == pytest.approx(miss_km, abs=0.005)  # metres
    assert abs(approach.miss_rtn_km[0]) == pytest.approx(0.8, abs=0.05)
    assert approach.relative_speed_km_s > 7.0  # 60 degrees crossing at 7.7 km/s


@requires_data
def test_an_object_outside_the_pizza_box_is_not_an_approach_but_a_bigger_box_finds_it():
    outside = planted(5.0, 99902, "PLANTED OUTSIDE")  # 5 km radial: the box is +-2 km
    start = T0 - timedelta(hours=12)
    result = screen_orbit(protected=iss(), catalog=[outside], start=start, days=1.0, volume_km=ISS_PIZZA_BOX_KM)
    assert result.approaches == []
    assert result.screened_count == 1
    wider = screen_orbit(protected=iss(), catalog=[outside], start=start, days=1.0, volume_km=(6.0, 25.0, 25.0))
    near = [a for a in wider.approaches if abs((a.tca - T0).total_seconds()) < 60]
    assert len(near) == 1
    _, r1, v1 = iss().satrec().sgp4(*julian_date(near[0].tca))
    _, r2, v2 = outside.satrec().sgp4(*julian_date(near[0].tca))
    assert relative_rtn(r1, v1, r2, v2)[0][0] == pytest.approx(5.0, abs=0.1)


@requires_data
def test_bad_inputs_are_refused():
    with pytest.raises(OrbitError, match="positive"):
        screen_orbit(protected=iss(), catalog=[], start=START, days=0)
    with pytest.raises(OrbitError, match="half-sizes"):
        screen_orbit(protected=iss(), catalog=[], start=START, volume_km=(0, 25, 25))
