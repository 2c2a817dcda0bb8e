"""On-orbit screening: planted and real close approaches are found with the TCA and miss of a brute-force
check (every second, then every millisecond), one outside the pizza box is not an event, docked objects
are not conjunctions, and the filters' straight-line bound holds against SGP4 itself."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from flights.orbits.conjunction.pc import relative_rtn
from flights.orbits.conjunction.screening import ISS_PIZZA_BOX_KM, screen_orbit, straight_line_deviation_km
from flights.orbits.errors import OrbitError
from flights.orbits.fit import element_set_through
from flights.orbits.frames import julian_date
from tests.orbits.data import catalog, requires_data, stations

START = datetime(2026, 8, 22, tzinfo=UTC)
T0 = START + timedelta(hours=13, seconds=1234.567)  # the planted TCA


def iss():
    return stations()[25544]


def planted(
    offset_radial_km: float, norad_id: int, name: str, angle_deg: float = 60.0, at=T0, speed_factor=1.0, base=None
):
    """An object through ISS's (or `base`'s) position at `at` plus a radial offset, crossing its plane at
    `angle_deg`."""
    satrec = (base or iss()).satrec()
    jd, fraction = julian_date(at)
    _, r, v = satrec.sgp4(jd, fraction)
    r, v = np.array(r), np.array(v)
    radial = r / np.linalg.norm(r)
    # Rodrigues rotation of v about the radial axis by the crossing angle.
    angle = math.radians(angle_deg)
    v_rot = (
        v * math.cos(angle) + np.cross(radial, v) * math.sin(angle) + radial * np.dot(radial, v) * (1 - math.cos(angle))
    )
    return element_set_through(r + offset_radial_km * radial, v_rot * speed_factor, at, norad_id=norad_id, name=name)


def brute_force_all(protected, other, start, days, volume_km=ISS_PIZZA_BOX_KM):
    """Every local minimum of the distance sampled each second, refined on a millisecond grid, kept when
    inside the volume (protected object's RTN): [(tca, miss_km)]."""
    jd0, fraction0 = julian_date(start)
    seconds = np.arange(0, int(days * 86400) + 1, dtype=float)
    a, b = protected.satrec(), other.satrec()
    _, r1, _ = a.sgp4_array(np.full(seconds.shape, jd0), fraction0 + seconds / 86400.0)
    _, r2, _ = b.sgp4_array(np.full(seconds.shape, jd0), fraction0 + seconds / 86400.0)
    distance = np.linalg.norm(r2 - r1, axis=1)
    minima = np.nonzero((distance[1:-1] <= distance[:-2]) & (distance[1:-1] <= distance[2:]))[0] + 1
    found = []
    for index in minima:
        fine = seconds[index] + np.arange(-1000, 1001) / 1000.0
        _, f1, w1 = a.sgp4_array(np.full(fine.shape, jd0), fraction0 + fine / 86400.0)
        _, f2, w2 = b.sgp4_array(np.full(fine.shape, jd0), fraction0 + fine / 86400.0)
        near = np.linalg.norm(f2 - f1, axis=1)
        best = int(np.argmin(near))
        rtn, _ = relative_rtn(f1[best], w1[best], f2[best], w2[best])
        if all(abs(value) <= limit for value, limit in zip(rtn, volume_km, strict=True)):
            found.append((start + timedelta(seconds=float(fine[best])), float(near[best])))
    return found


def assert_same_approaches(approaches, expected):
    assert len(approaches) == len(expected), (approaches, expected)
    for approach, (tca, miss_km) in zip(approaches, expected, strict=True):
        assert abs((approach.tca - tca).total_seconds()) < 1.0
        assert approach.miss_km == pytest.approx(miss_km, abs=0.005)  # metres


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
    result = screen_orbit(
        protected=iss(), catalog=[*stations().values(), crossing], start=start, days=1.0, volume_km=ISS_PIZZA_BOX_KM
    )
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


@requires_data
@pytest.mark.parametrize(
    ("angle_deg", "speed_factor", "at"),
    [
        (170.0, 1.0, T0),  # nearly head-on: ~15 km/s
        (3.0, 1.0, T0),  # grazing, nearly co-planar: slow relative motion
        (60.0, 1.002, START + timedelta(seconds=30)),  # at the very start of the span
        (120.0, 1.0, START + timedelta(days=1, seconds=-40)),  # at the very end of the span
    ],
)
def test_planted_geometries_match_the_brute_force(angle_deg, speed_factor, at):
    other = planted(0.6, 99903, "PLANTED", angle_deg=angle_deg, at=at, speed_factor=speed_factor)
    result = screen_orbit(protected=iss(), catalog=[other], start=START, days=1.0)
    expected = brute_force_all(iss(), other, START, 1.0)
    assert any(abs((tca - at).total_seconds()) < 1.0 for tca, _ in expected)
    assert_same_approaches(result.approaches, expected)


@requires_data
def test_real_catalog_approaches_match_the_brute_force_and_docked_objects_are_not_conjunctions():
    """ISS against the 2023-10-09 catalog: KSF2-B flies near it (one slow approach a revolution), FLOCK 4S
    15 passes four times on 15 October, FLOCK 4P 7 once on the 14th; the modules and vehicles docked to it are published with its own
    elements and move with it."""
    objects = {item.norad_id: item for item in catalog()}
    station, start = objects[25544], datetime(2023, 10, 14, 6, tzinfo=UTC)
    docked = [49044, 56740, 57488, 57691, 57697, 57862]  # Nauka, Progress MS-23/24, Cygnus NG-19, Dragon, Soyuz
    picked = [objects[n] for n in (52193, 47521, 44816, *docked)]
    result = screen_orbit(protected=station, catalog=picked, start=start, days=1.5)
    assert [a.norad_id for a in result.attached] == docked
    assert all(a.max_distance_km < 10.0 for a in result.attached)
    for norad_id, count in ((52193, 6), (47521, 4), (44816, 1)):
        expected = brute_force_all(station, objects[norad_id], start, 1.5)
        assert len(expected) == count
        assert_same_approaches([a for a in result.approaches if a.norad_id == norad_id], expected)
    assert len(result.approaches) == 11


@requires_data
def test_objects_docked_to_the_protected_one_are_excluded_and_listed():
    crossing = planted(0.8, 99901, "PLANTED CROSSING")
    start = T0 - timedelta(hours=12)
    result = screen_orbit(protected=iss(), catalog=[crossing], start=start, days=1.0, exclude_ids=[99901])
    assert result.approaches == []
    assert result.excluded == [(99901, "PLANTED CROSSING")]
    assert result.screened_count == 0


@requires_data
def test_the_straight_line_bound_holds_against_sgp4():
    """What the coarse filter relies on: over half a coarse step the relative motion stays within
    `straight_line_deviation_km` of its straight line, for real objects around the station."""
    objects = catalog()
    station = next(item for item in objects if item.norad_id == 25544)
    near = [item for item in objects if item.norad_id != 25544 and item.perigee_km < 700 and item.apogee_km > 200]
    sample = near[:: max(1, len(near) // 150)]
    start = datetime(2023, 10, 9, tzinfo=UTC)
    jd0, fraction0 = julian_date(start)
    t0 = np.arange(0.0, 86400.0, 1800.0)
    offsets = np.array([60.0, 150.0, 300.0])
    times = (t0[:, None] + np.concatenate([[0.0], offsets])[None, :]).ravel()
    jd, fraction = np.full(times.shape, jd0), fraction0 + times / 86400.0
    _, own_r, own_v = station.satrec().sgp4_array(jd, fraction)
    worst = 0.0
    for item in sample:
        errors, r, v = item.satrec().sgp4_array(jd, fraction)
        if errors.any():
            continue
        dr = (r - own_r).reshape(len(t0), 4, 3)
        dv = (v - own_v).reshape(len(t0), 4, 3)
        for k, s in enumerate(offsets, start=1):
            line = dr[:, 0] + s * dv[:, 0]
            far = np.maximum(np.linalg.norm(dr[:, 0], axis=1), np.linalg.norm(line, axis=1))
            deviation = np.linalg.norm(dr[:, k] - line, axis=1)
            bound = straight_line_deviation_km(far, s)
            assert np.all(deviation <= bound), (item.norad_id, s, float((deviation - bound).max()))
            worst = max(worst, float((deviation / bound).max()))
    assert worst > 0.05  # the bound is not vacuous: real deviations come within a factor of 20 of it


@requires_data
def test_stale_elements_pad_the_volume_every_padded_brute_force_minimum_is_uncertain_never_a_silent_miss():
    """Objects 20 days past their epoch on crossing orbits: taken as exact, a 30 km miss is silently a miss; with
    the stale-elements policy every minimum the brute force finds inside the box grown by 2 km/day x the age is
    an approach (inside the box itself) or listed as uncertain (the filters widened by the allowance dropped
    none), with both ages and the allowance."""
    from tests.orbits.test_screening_fail_closed import aged

    later = T0 + timedelta(days=20)
    start = later - timedelta(hours=12)
    protected = planted(0.0, 25544, "ISS (ZARYA)", angle_deg=0.0, at=start)
    stale = [aged(planted(km, n, "STALE", at=later, base=protected), 20.0, n) for km, n in ((30.0, 99950), (3.0, 99951))]
    exact = screen_orbit(protected=protected, catalog=stale, start=start, days=1.0, uncertainty=None)
    assert 99950 not in {a.norad_id for a in exact.approaches} and exact.uncertain == []  # the gap: a silent miss
    result = screen_orbit(protected=protected, catalog=stale, start=start, days=1.0)
    assert result.approaches == exact.approaches and result.stats["padded"] == 2
    # The allowance grows from 2 x 19.5 to 2 x 20.5 km over the span: the smaller bounds it from below.
    padded = tuple(limit + 2.0 * 19.5 for limit in ISS_PIZZA_BOX_KM)
    for other in stale:
        expected = brute_force_all(protected, other, start, 1.0, volume_km=padded)
        assert expected
        for tca, miss_km in expected:
            match = [
                a for a in [*result.approaches, *result.uncertain]
                if a.norad_id == other.norad_id and abs((a.tca - tca).total_seconds()) < 1.0
            ]
            assert len(match) == 1 and match[0].miss_km == pytest.approx(miss_km, abs=0.005)
    assert any(u.norad_id == 99950 and u.miss_km == pytest.approx(30.0, abs=0.1) for u in result.uncertain)
    for doubt in result.uncertain:
        assert 19.5 <= doubt.element_age_days <= 20.5 and doubt.protected_element_age_days == 0.0
        assert doubt.allowance_km == pytest.approx(2.0 * doubt.element_age_days)
