"""Collision-avoidance screening (14 CFR 450.169): planted encounters, the reference, failures, exemption."""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sgp4.api import SatrecArray

from flights.orbits.constants import EARTH_ROTATION_RAD_S
from flights.orbits.element_set import ElementSet
from flights.orbits.errors import OrbitError
from flights.orbits.fit import element_set_through
from flights.orbits.frames import ecef_to_teme, gmst_rad, julian_date, teme_to_ecef
from flights.orbits.screening import (
    STANDOFF_KM,
    ScreeningObject,
    ScreeningResult,
    classify,
    screen,
    screen_brute_force,
    segment_gap_lower_bound,
    smallest_radius_lower_bound,
)
from flights.orbits.trajectory import AscentProfile, nominal_trajectory
from tests.orbits.data import catalog, catalog_objects, requires_data, stations

WINDOW_OPEN = datetime(2023, 10, 9, 12, 0, tzinfo=UTC)
KENNEDY = (28.573, -80.649)
TO_400_KM = AscentProfile(
    launch_azimuth_deg=42.7,
    time_to_150km_s=230.0,
    insertion_time_s=540.0,
    insertion_altitude_km=400.0,
    downrange_at_insertion_km=1500.0,
)


@pytest.fixture(scope="module")
def trajectory():
    return nominal_trajectory(TO_400_KM, *KENNEDY)


def plant(trajectory, *, liftoff_s, k, offset_km, crossing_deg, norad_id, name="PLANTED"):
    """An element set that is `offset_km` above the vehicle at t = liftoff + k, crossing its path.

    The object's velocity is the vehicle's inertial velocity turned `crossing_deg` about the local
    vertical, so the two meet at an angle, as real conjunctions do (180: head-on, on the vehicle's
    own track). `k` may fall between samples (e.g. 2000.5): the vehicle is then taken on the chord
    between them, which is within metres of its path.
    """
    moment = WINDOW_OPEN + timedelta(seconds=liftoff_s + k)
    gmst = gmst_rad(*julian_date(moment))
    whole = math.floor(k)
    fraction = k - whole
    r_ecef = trajectory[whole] + fraction * (trajectory[whole + 1] - trajectory[whole])
    v_ecef = (1.0 - fraction) * (trajectory[whole + 1] - trajectory[whole - 1]) / 2.0 + fraction * (
        trajectory[whole + 2] - trajectory[whole]
    ) / 2.0
    r_teme = ecef_to_teme(r_ecef, gmst)
    v_teme = ecef_to_teme(v_ecef + np.cross([0.0, 0.0, EARTH_ROTATION_RAD_S], r_ecef), gmst)
    up = r_teme / np.linalg.norm(r_teme)
    angle = math.radians(crossing_deg)
    turned = v_teme * math.cos(angle) + np.cross(up, v_teme) * math.sin(angle)
    return element_set_through(r_teme + offset_km * up, turned, moment, norad_id=norad_id, name=name)


def closure_key(result: ScreeningResult):
    return [(c.norad_id, c.start, c.end, c.object_class, c.time_of_closest_approach) for c in result.closures]


def assert_same_result(fast: ScreeningResult, reference: ScreeningResult):
    assert closure_key(fast) == closure_key(reference)
    for mine, theirs in zip(fast.closures, reference.closures, strict=True):
        assert mine.min_distance_km == pytest.approx(theirs.min_distance_km, abs=1e-9)
    assert fast.failed == reference.failed
    assert fast.screened_count == reference.screened_count
    assert fast.exempt == reference.exempt


# --- classes and stand-offs --------------------------------------------------------------------


@requires_data
def test_classify_by_station_id_and_object_type():
    by_id = {item.norad_id: item for item in catalog()}
    assert classify(by_id[25544]).object_class == "inhabitable"  # ISS
    assert classify(stations()[48274]).object_class == "inhabitable"  # Tianhe
    assert classify(by_id[5]).object_class == "active"  # VANGUARD 1, a payload
    assert classify(by_id[12]).object_class == "debris"  # VANGUARD R/B
    fengyun_debris = next(item for item in catalog() if item.name.startswith("FENGYUN 1C DEB"))
    assert classify(fengyun_debris).object_class == "debris"
    assert classify(by_id[5], inhabitable_ids={5}).object_class == "inhabitable"
    # 14 CFR 450.169(a)
    assert STANDOFF_KM == {"inhabitable": 200.0, "active": 25.0, "debris": 2.5}
    assert classify(by_id[25544]).standoff_km == 200.0
    with pytest.raises(OrbitError, match="object class must be one of"):
        ScreeningObject(by_id[5], "friendly")


# --- planted encounters ------------------------------------------------------------------------


def test_planted_debris_closes_the_liftoff_it_was_planted_for(trajectory):
    planted = plant(trajectory, liftoff_s=300, k=2000, offset_km=1.0, crossing_deg=30.0, norad_id=99001)
    objects = [ScreeningObject(planted, "debris")]
    window_close = WINDOW_OPEN + timedelta(minutes=10)
    result = screen(trajectory_ecef_km=trajectory, objects=objects, window_open=WINDOW_OPEN, window_close=window_close)
    liftoff = WINDOW_OPEN + timedelta(seconds=300)
    (closure,) = [c for c in result.closures if c.covers(liftoff)]
    assert closure.norad_id == 99001
    assert closure.object_class == "debris"
    assert closure.min_distance_km == pytest.approx(1.0, abs=0.01)
    assert closure.time_of_closest_approach == liftoff + timedelta(seconds=2000)
    # A debris sphere of 2.5 km is crossed in a second or two at these speeds.
    assert closure.end - closure.start <= timedelta(seconds=2)
    assert result.is_closed(liftoff)
    reference = screen_brute_force(
        trajectory_ecef_km=trajectory, objects=objects, window_open=WINDOW_OPEN, window_close=window_close
    )
    assert_same_result(result, reference)


@pytest.mark.parametrize(("object_class", "minimum_width_s"), [("active", 5), ("inhabitable", 40)])
def test_closure_interval_grows_with_the_standoff(trajectory, object_class, minimum_width_s):
    planted = plant(trajectory, liftoff_s=300, k=2000, offset_km=1.0, crossing_deg=30.0, norad_id=99002)
    objects = [ScreeningObject(planted, object_class)]
    window_close = WINDOW_OPEN + timedelta(minutes=10)
    result = screen(trajectory_ecef_km=trajectory, objects=objects, window_open=WINDOW_OPEN, window_close=window_close)
    liftoff = WINDOW_OPEN + timedelta(seconds=300)
    (closure,) = [c for c in result.closures if c.covers(liftoff)]
    assert (closure.end - closure.start).total_seconds() >= minimum_width_s
    assert closure.start < liftoff < closure.end
    # The window minus the closures is what is left to launch in.
    intervals = result.open_intervals()
    assert all(not result.is_closed(start) and not result.is_closed(end) for start, end in intervals)
    assert sum((end - start).total_seconds() + 1 for start, end in intervals) + sum(
        (c.end - c.start).total_seconds() + 1 for c in result.closures
    ) == pytest.approx(601, abs=len(result.closures))  # overlaps between closures aside


def test_coarser_liftoff_resolution_agrees_with_the_reference(trajectory):
    planted = plant(trajectory, liftoff_s=120, k=5000, offset_km=3.0, crossing_deg=60.0, norad_id=99003)
    objects = [ScreeningObject(planted, "active")]
    arguments = {
        "trajectory_ecef_km": trajectory,
        "objects": objects,
        "window_open": WINDOW_OPEN,
        "window_close": WINDOW_OPEN + timedelta(minutes=5),
        "resolution_s": 10,
    }
    result = screen(**arguments)
    assert result.closures
    assert all(c.start.second % 10 == 0 and c.end.second % 10 == 0 for c in result.closures)
    assert_same_result(result, screen_brute_force(**arguments))


# --- encounters between samples ----------------------------------------------------------------


def closed_seconds(result: ScreeningResult, first_s: int, last_s: int) -> list[int]:
    """Liftoff seconds (after window open) in [first_s, last_s] that `result` closes."""
    return [s for s in range(first_s, last_s + 1) if result.is_closed(WINDOW_OPEN + timedelta(seconds=s))]


def sampled_distances_km(trajectory, elements: ElementSet, liftoff_s: int, ks) -> list[float]:
    """Vehicle-object distances at whole seconds liftoff + k: what whole-second sampling sees."""
    satellite = elements.satrec()
    distances = []
    for k in ks:
        jd, fraction = julian_date(WINDOW_OPEN + timedelta(seconds=liftoff_s + k))
        _, r_teme, _ = satellite.sgp4(jd, fraction)
        r_ecef = teme_to_ecef(np.array(r_teme), gmst_rad(jd, fraction))
        distances.append(float(np.linalg.norm(r_ecef - trajectory[k])))
    return distances


def test_head_on_debris_closes_a_contiguous_run_of_liftoffs(trajectory):
    # On the vehicle's own track, moving the other way: ~15 km/s closing speed. Delaying liftoff by
    # 1 s moves the meeting by 0.5 s, so every other liftoff meets between two samples, 7-8 km
    # from both; whole-second sampling closed 296, 298, 300, 302, 304 and left the odd seconds open.
    planted = plant(trajectory, liftoff_s=300, k=2000, offset_km=0.0, crossing_deg=180.0, norad_id=99010)
    assert min(sampled_distances_km(trajectory, planted, 301, [2000, 2001])) > 7.0
    arguments = {
        "trajectory_ecef_km": trajectory,
        "objects": [ScreeningObject(planted, "debris")],
        "window_open": WINDOW_OPEN,
        "window_close": WINDOW_OPEN + timedelta(minutes=10),
    }
    result = screen(**arguments)
    near = closed_seconds(result, 280, 320)
    assert near == list(range(near[0], near[-1] + 1))  # no gaps
    assert near[0] <= 297 and near[-1] >= 303
    (closure,) = [c for c in result.closures if c.covers(WINDOW_OPEN + timedelta(seconds=301))]
    assert closure.start <= WINDOW_OPEN + timedelta(seconds=297)
    assert closure.end >= WINDOW_OPEN + timedelta(seconds=303)
    assert closure.min_distance_km < 0.01  # liftoff 300, at t = 2300 s
    assert abs(closure.time_of_closest_approach - (WINDOW_OPEN + timedelta(seconds=2300))) < timedelta(seconds=0.1)
    reference = screen_brute_force(**arguments)
    assert closed_seconds(reference, 280, 320) == near
    assert_same_result(result, reference)
    # An odd coarse step splits the intervals among coarse times differently: same answer.
    assert_same_result(screen(**arguments, coarse_step_s=7), reference)
    # Liftoffs 299 and 301 alone: each meets the object half a second off the sample grid, a few
    # hundred metres off track (the Earth turned under the delayed liftoff).
    for liftoff_s, meeting_s in ((299, 2299.5), (301, 2300.5)):
        liftoff = WINDOW_OPEN + timedelta(seconds=liftoff_s)
        for screener in (screen, screen_brute_force):
            alone = screener(**{**arguments, "window_open": liftoff, "window_close": liftoff})
            (single,) = alone.closures
            assert single.min_distance_km < 0.5
            tca_error = single.time_of_closest_approach - (WINDOW_OPEN + timedelta(seconds=meeting_s))
            assert abs(tca_error) < timedelta(seconds=0.1)


def test_crossing_at_a_half_second_is_caught(trajectory):
    # Crossing at right angles (~11 km/s apart) exactly between two samples: ~5.4 km apart at both.
    planted = plant(trajectory, liftoff_s=300, k=2000.5, offset_km=0.0, crossing_deg=90.0, norad_id=99011)
    assert min(sampled_distances_km(trajectory, planted, 300, [2000, 2001])) > 5.0
    arguments = {
        "trajectory_ecef_km": trajectory,
        "objects": [ScreeningObject(planted, "debris")],
        "window_open": WINDOW_OPEN,
        "window_close": WINDOW_OPEN + timedelta(minutes=10),
    }
    result = screen(**arguments)
    liftoff = WINDOW_OPEN + timedelta(seconds=300)
    (closure,) = [c for c in result.closures if c.covers(liftoff)]
    assert closure.norad_id == 99011
    assert closure.min_distance_km < 1.0
    assert abs(closure.time_of_closest_approach - (liftoff + timedelta(seconds=2000.5))) < timedelta(seconds=0.1)
    assert_same_result(result, screen_brute_force(**arguments))


# --- the filtered screen against the reference on the real catalog ------------------------------

# Objects seen closing liftoffs between 12:00 and 12:05 for this trajectory (an exploratory full-
# catalog run); kept in the sample so the comparison has real closures to agree on.
KNOWN_CLOSERS = {31135, 48840, 44229, 49813, 55688, 45612, 8744}


def brute_force_sample(trajectory):
    """Every 15th object of the catalog's 340-460 km band, the known closers, a planted one and a decayed one."""
    band = sorted(
        (item for item in catalog_objects() if item.elements.perigee_km < 460 and item.elements.apogee_km > 340),
        key=lambda item: item.elements.norad_id,
    )
    sample = band[::15] + [item for item in catalog_objects() if item.elements.norad_id in KNOWN_CLOSERS | {25544}]
    sample.append(
        ScreeningObject(
            plant(trajectory, liftoff_s=200, k=3000, offset_km=2.0, crossing_deg=45.0, norad_id=99004), "debris"
        )
    )
    sample.append(
        ScreeningObject(
            dataclasses.replace(
                sample[0].elements, mean_motion_rev_per_day=17.5, line1="", line2="", norad_id=99005, name="DECAYED"
            ),
            "debris",
        )
    )
    return sample


@requires_data
def test_filtered_screen_equals_brute_force_on_a_catalog_sample(trajectory):
    sample = brute_force_sample(trajectory)
    arguments = {
        "trajectory_ecef_km": trajectory,
        "objects": sample,
        "window_open": WINDOW_OPEN,
        "window_close": WINDOW_OPEN + timedelta(minutes=5),
    }
    reference = screen_brute_force(**arguments)
    result = screen(**arguments)
    # 16 closures. Testing the chord between samples rather than the samples only grew them, as it
    # must: 99004 now closes 199-200 (200 alone before), 48840 221-223 (222-223), and several
    # closest approaches dropped (48840: 5.39 -> 3.94 km, 45612: 5.07 -> 4.53 km).
    assert len(reference.closures) >= 8
    assert {c.norad_id for c in reference.closures} >= {99004}
    assert 99005 in {f.norad_id for f in reference.failed}
    assert_same_result(result, reference)
    # The filters did cut: far fewer exact distance checks than the brute force's
    # objects x liftoffs x seconds.
    brute_pairs = len(sample) * 301 * int((np.linalg.norm(trajectory, axis=1) > 6528).sum())
    assert result.stats.counts["fine_pairs"] < brute_pairs / 100


def test_the_coarse_filters_segment_gap_never_exceeds_the_true_distance():
    # The coarse filter drops a (segment, chunk) pair only when this gap is beyond reach: it must never
    # overstate how close two segments come, parallel, degenerate and touching ones included.
    rng = np.random.default_rng(15)
    count = 400
    p0 = rng.normal(scale=100.0, size=(count, 3)) + 7000.0
    p1 = p0 + rng.normal(scale=200.0, size=(count, 3))
    q0 = p0 + rng.normal(scale=150.0, size=(count, 3))
    q1 = q0 + rng.normal(scale=200.0, size=(count, 3))
    q1[:100] = q0[:100] + (p1[:100] - p0[:100]) * rng.uniform(-2, 2, size=(100, 1))  # parallel
    q1[100:110] = q0[100:110]  # a point
    p1[110:120] = p0[110:120]
    q0[120:130] = p0[120:130] * 0.7 + p1[120:130] * 0.3  # touching the first segment
    u = np.linspace(0.0, 1.0, 801)
    on_p = p0[:, None, :] + u[None, :, None] * (p1 - p0)[:, None, :]
    on_q = q0[:, None, :] + u[None, :, None] * (q1 - q0)[:, None, :]
    sampled = np.array([np.linalg.norm(on_p[i][:, None, :] - on_q[i][None, :, :], axis=2).min() for i in range(count)])
    gap = segment_gap_lower_bound(p0, p1, q0, q1)
    assert np.all(gap <= sampled + 1e-9)
    # And it is the distance, not a loose bound: 801 points a segment sample it to within a fraction of a km.
    assert np.all(sampled - gap < 0.5)
    assert np.all(gap[120:130] < 1e-6)


def test_the_coarse_filters_smallest_radius_bound_never_exceeds_the_segments_smallest_radius():
    # The coarse filter drops an object's segment below the trajectory's band from this bound alone: a chord
    # dips inside its end radii (a LEO segment of 40 s by ~1.6 km, one through the Earth to near zero), and
    # the bound must never be above the segment's true smallest radius.
    rng = np.random.default_rng(16)
    count = 2000
    p0 = rng.normal(size=(count, 3))
    p0 *= (6500.0 + rng.uniform(0.0, 1500.0, size=(count, 1))) / np.linalg.norm(p0, axis=1, keepdims=True)
    p1 = p0 + rng.normal(scale=rng.choice([1.0, 300.0, 8000.0], size=(count, 1)), size=(count, 3))
    p1[:20] = p0[:20]  # a point
    p1[20:40] = -p0[20:40]  # through the centre
    u = np.linspace(0.0, 1.0, 20001)
    sampled = np.linalg.norm(p0[:, None, :] + u[None, :, None] * (p1 - p0)[:, None, :], axis=2).min(axis=1)
    bound = smallest_radius_lower_bound(
        np.linalg.norm(p0, axis=1), np.linalg.norm(p1, axis=1), np.sum((p1 - p0) ** 2, axis=1)
    )
    assert np.all(bound <= sampled)
    # And not loose: below the smaller end radius r by at most L^2 / (4 r) (r - sqrt(r^2 - L^2 / 4)), a few
    # km for a 40 s chord in LEO, so only pairs that near the band go on to the exact smallest radius.
    length2 = np.sum((p1 - p0) ** 2, axis=1)
    smaller = np.minimum(np.linalg.norm(p0, axis=1), np.linalg.norm(p1, axis=1))
    assert np.all(sampled - bound <= length2 / (4.0 * smaller) + 2e-3)


# --- failures and exemption ----------------------------------------------------------------------


@requires_data
def test_objects_sgp4_cannot_propagate_are_listed_in_failed(trajectory):
    objects = list(catalog_objects())
    jd, fraction = julian_date(WINDOW_OPEN)
    errors, _, _ = SatrecArray([item.elements.satrec() for item in objects]).sgp4(np.array([jd]), np.array([fraction]))
    decayed = [item for item, error in zip(objects, errors[:, 0], strict=True) if error][:5]
    assert len(decayed) == 5
    broken = ElementSet(
        norad_id=99006,
        name="BROKEN",
        epoch=WINDOW_OPEN,
        inclination_deg=51.6,
        raan_deg=0.0,
        eccentricity=0.0,
        arg_perigee_deg=0.0,
        mean_anomaly_deg=0.0,
        mean_motion_rev_per_day=15.5,
        bstar=50.0,
    )
    sample = decayed + [ScreeningObject(broken, "debris")] + objects[:20]
    result = screen(
        trajectory_ecef_km=trajectory,
        objects=sample,
        window_open=WINDOW_OPEN,
        window_close=WINDOW_OPEN + timedelta(minutes=30),
    )
    failed = {item.norad_id: item for item in result.failed}
    assert set(failed) >= {item.elements.norad_id for item in decayed} | {99006}
    assert failed[99006].error_code == 1
    assert failed[99006].message == "SGP4 error 1: mean eccentricity is outside the range 0.0 to 1.0"
    assert all(item.message.startswith("SGP4 error") for item in result.failed)
    assert result.screened_count == len(sample) - len(result.failed)
    # Fail closed: a re-entered object (error 6) is listed and closes nothing; any other failure is
    # uncertain and closes the whole span when its last known orbit can reach the flight (99006 does).
    decayed = {item.norad_id for item in result.decayed}
    assert decayed and all(failed[norad_id].error_code == 6 for norad_id in decayed)
    assert not {c.norad_id for c in result.closures} & decayed
    uncertain = {item.norad_id: item for item in result.uncertain if item.reason == "propagation_failed"}
    assert set(uncertain) == set(failed) - decayed
    band_closures = {c.norad_id for c in result.closures if c.rule == "unpropagatable_band"}
    assert 99006 in band_closures
    assert band_closures == {norad_id for norad_id, item in uncertain.items() if item.closes_span}


def test_suborbital_hop_below_150_km_is_exempt():
    hop = nominal_trajectory(
        AscentProfile(regime="suborbital", apogee_km=107.0, flight_duration_s=600.0), 31.42, -104.76, duration_s=900
    )
    anything = ScreeningObject(
        plant(
            nominal_trajectory(TO_400_KM, *KENNEDY, duration_s=3600),
            liftoff_s=0,
            k=1000,
            offset_km=0.0,
            crossing_deg=0.0,
            norad_id=99007,
        ),
        "inhabitable",
    )
    for screener in (screen, screen_brute_force):
        result = screener(
            trajectory_ecef_km=hop,
            objects=[anything],
            window_open=WINDOW_OPEN,
            window_close=WINDOW_OPEN + timedelta(hours=1),
        )
        assert result.exempt
        assert "never rises above 150 km (highest 107.0 km)" in result.exempt_reason
        assert result.closures == [] and result.failed == []
        assert result.screened_count == 0


def test_suborbital_hop_above_150_km_is_screened():
    hop = nominal_trajectory(
        AscentProfile(regime="suborbital", apogee_km=200.0, flight_duration_s=900.0), 19.61, 110.95, duration_s=900
    )
    # An object in a circular orbit passing 10 km above the apex (t = 450 s) of the liftoff at +60 s.
    moment = WINDOW_OPEN + timedelta(seconds=60 + 450)
    r_teme = ecef_to_teme(hop[450], gmst_rad(*julian_date(moment)))
    radius = float(np.linalg.norm(r_teme))
    east = np.cross([0.0, 0.0, 1.0], r_teme)
    velocity = math.sqrt(398600.8 / (radius + 10.0)) * east / np.linalg.norm(east)
    planted = element_set_through(r_teme * (radius + 10.0) / radius, velocity, moment, norad_id=99008, name="OVERHEAD")
    arguments = {
        "trajectory_ecef_km": hop,
        "objects": [ScreeningObject(planted, "active")],
        "window_open": WINDOW_OPEN,
        "window_close": WINDOW_OPEN + timedelta(minutes=5),
    }
    result = screen(**arguments)
    assert not result.exempt
    assert result.failed == []
    assert result.is_closed(WINDOW_OPEN + timedelta(seconds=60))
    assert_same_result(result, screen_brute_force(**arguments))


def test_bad_inputs_are_refused(trajectory):
    arguments = {
        "trajectory_ecef_km": trajectory,
        "objects": [],
        "window_open": WINDOW_OPEN,
        "window_close": WINDOW_OPEN + timedelta(minutes=1),
    }
    with pytest.raises(OrbitError, match="timezone-aware UTC"):
        screen(**{**arguments, "window_open": datetime(2023, 10, 9, 12)})
    with pytest.raises(OrbitError, match="closes .* before it opens"):
        screen(**{**arguments, "window_close": WINDOW_OPEN - timedelta(seconds=1)})
    with pytest.raises(OrbitError, match=r"shape \(n, 3\)"):
        screen(**{**arguments, "trajectory_ecef_km": trajectory[:, :2]})
    with pytest.raises(OrbitError, match=r"n >= 3"):  # too short to bound its acceleration
        screen(**{**arguments, "trajectory_ecef_km": trajectory[:2]})
    assert screen(**arguments).closures == []
