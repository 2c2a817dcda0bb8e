"""Screening fails closed: every object is screened, re-entered or uncertain, and uncertain ones close
where they could reach the trajectory (issue 12). Small catalogs built here; the 2023 catalog only in
the bench."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from flights.orbits.element_set import ElementSet
from flights.orbits.errors import OrbitError
from flights.orbits.fit import element_set_through
from flights.orbits.frames import julian_date
from flights.orbits.screening import ScreeningObject, UncertaintyPolicy, screen, screen_brute_force
from flights.orbits.trajectory import nominal_trajectory
from tests.orbits.test_screening import KENNEDY, TO_400_KM, WINDOW_OPEN, assert_same_result, plant

WINDOW_CLOSE = WINDOW_OPEN + timedelta(minutes=10)


@pytest.fixture(scope="module")
def trajectory():
    return nominal_trajectory(TO_400_KM, *KENNEDY)


def elements(**fields) -> ElementSet:
    values = {
        "norad_id": 99100, "name": "BROKEN", "epoch": WINDOW_OPEN, "inclination_deg": 51.6, "raan_deg": 0.0,
        "eccentricity": 0.0, "arg_perigee_deg": 0.0, "mean_anomaly_deg": 0.0, "mean_motion_rev_per_day": 15.5,
        "bstar": 50.0,
    }
    return ElementSet(**{**values, **fields})


def run(trajectory, objects, **kwargs):
    return screen(trajectory_ecef_km=trajectory, objects=objects, window_open=WINDOW_OPEN, window_close=WINDOW_CLOSE,
                  **kwargs)


def test_an_object_sgp4_cannot_propagate_in_the_corridor_closes_the_whole_span(trajectory):
    # 400 km, circular, but a drag term so large that SGP4 gives up (error 1): not decayed, not screened.
    broken = ScreeningObject(elements(), "debris")
    result = run(trajectory, [broken])
    (closure,) = result.closures
    assert closure.norad_id == 99100 and closure.rule == "unpropagatable_band"
    assert (closure.start, closure.end) == (WINDOW_OPEN, WINDOW_CLOSE)
    assert result.is_closed(WINDOW_OPEN + timedelta(minutes=5))
    assert result.uncertain_closures_covering(WINDOW_OPEN + timedelta(minutes=5)) == [closure]
    (uncertain,) = result.uncertain
    assert uncertain.reason == "propagation_failed" and uncertain.closes_span
    assert "SGP4 error 1" in uncertain.message and "reaches the flight's" in uncertain.message
    assert result.decayed == [] and result.open_intervals() == []
    assert result.class_counts == {"screened": 0, "stale_elements_padded": 0, "unpropagatable": 1, "decayed": 0}


def test_an_unpropagatable_object_far_above_the_flight_closes_nothing(trajectory):
    # 2,160 km up, same failure: its band cannot come within reach of a flight that tops out at 400 km.
    high = ScreeningObject(elements(norad_id=99101, name="HIGH BROKEN", mean_motion_rev_per_day=11.0, bstar=5e4), "debris")
    result = run(trajectory, [high])
    assert result.closures == []
    (uncertain,) = result.uncertain
    assert not uncertain.closes_span and "cannot reach" in uncertain.message


def test_an_object_with_no_known_orbit_closes_the_span(trajectory):
    hopeless = ScreeningObject(elements(norad_id=99102, name="NO ORBIT", eccentricity=1.2, bstar=0.0), "debris")
    result = run(trajectory, [hopeless])
    (closure,) = result.closures
    assert closure.rule == "unpropagatable_band" and "no orbit of it is known" in result.uncertain[0].message


def test_a_decayed_object_closes_nothing_and_is_listed(trajectory):
    # Mean motion 17.5 rev/day: a semi-major axis below the Earth's radius, SGP4 error 6.
    decayed = ScreeningObject(elements(norad_id=99103, name="DECAYED", mean_motion_rev_per_day=17.5, bstar=0.0), "debris")
    result = run(trajectory, [decayed])
    assert result.closures == [] and result.uncertain == []
    (listed,) = result.decayed
    assert listed.norad_id == 99103 and listed.error_code == 6
    assert result.class_counts == {"screened": 0, "stale_elements_padded": 0, "unpropagatable": 0, "decayed": 1}


def aged(fresh: ElementSet, days: float, norad_id: int) -> ElementSet:
    """The same object as `fresh`, described by elements `days` older: fitted through its SGP4 state then."""
    moment = fresh.epoch - timedelta(days=days)
    jd, fraction = julian_date(moment)
    error, r, v = fresh.satrec().sgp4(jd, fraction)
    assert error == 0
    return element_set_through(np.array(r), np.array(v), moment, norad_id=norad_id, name="STALE")


def test_ten_day_old_elements_close_a_wider_span_than_fresh_ones(trajectory):
    fresh = plant(trajectory, liftoff_s=300, k=2000, offset_km=1.0, crossing_deg=30.0, norad_id=99104, name="FRESH")
    stale = aged(fresh, 10.0, norad_id=99105)
    objects = [ScreeningObject(fresh, "debris"), ScreeningObject(stale, "debris")]
    result = run(trajectory, objects)
    liftoff = WINDOW_OPEN + timedelta(seconds=300)
    by_id = {c.norad_id: c for c in result.closures if c.covers(liftoff)}
    assert set(by_id) == {99104, 99105}
    narrow, wide = by_id[99104], by_id[99105]
    assert narrow.rule == "screened" and narrow.allowance_km == 0.0
    assert wide.rule == "stale_elements_padded"
    # 2 km/day over 10 days (and the 1-3 h of flight after the last liftoff): a ~20 km allowance.
    assert 20.0 <= wide.allowance_km <= 20.5
    assert wide.start < narrow.start and wide.end > narrow.end
    assert (wide.end - wide.start) >= 5 * (narrow.end - narrow.start)
    (uncertain,) = result.uncertain
    assert uncertain.norad_id == 99105 and uncertain.reason == "stale_elements" and 9.9 < uncertain.element_age_days < 10
    assert result.class_counts == {"screened": 1, "stale_elements_padded": 1, "unpropagatable": 0, "decayed": 0}
    assert result.uncertain_closures_covering(liftoff) == [wide]


def test_the_age_limit_and_the_growth_are_settings(trajectory):
    fresh = plant(trajectory, liftoff_s=300, k=2000, offset_km=1.0, crossing_deg=30.0, norad_id=99106)
    stale = ScreeningObject(aged(fresh, 10.0, norad_id=99107), "debris")
    lenient = run(trajectory, [stale], policy=UncertaintyPolicy(max_element_age_days=14))
    assert lenient.uncertain == [] and {c.rule for c in lenient.closures} == {"screened"}
    steep = run(trajectory, [stale], policy=UncertaintyPolicy(in_track_growth_km_per_day=6.0))
    default = run(trajectory, [stale])
    width = {name: max(c.end - c.start for c in r.closures) for name, r in (("steep", steep), ("default", default))}
    assert width["steep"] > width["default"]
    with pytest.raises(OrbitError, match="element age limit must be positive"):
        UncertaintyPolicy(max_element_age_days=0)
    with pytest.raises(OrbitError, match="error growth must be zero or positive"):
        UncertaintyPolicy(in_track_growth_km_per_day=-1)


def test_the_reference_accounts_for_every_object_the_same_way(trajectory):
    fresh = plant(trajectory, liftoff_s=120, k=3000, offset_km=2.0, crossing_deg=45.0, norad_id=99108)
    objects = [
        ScreeningObject(fresh, "active"),
        ScreeningObject(aged(fresh, 9.0, norad_id=99109), "debris"),
        ScreeningObject(elements(norad_id=99110), "debris"),
        ScreeningObject(elements(norad_id=99111, mean_motion_rev_per_day=17.5, bstar=0.0), "debris"),
    ]
    arguments = {"trajectory_ecef_km": trajectory, "objects": objects, "window_open": WINDOW_OPEN,
                 "window_close": WINDOW_OPEN + timedelta(minutes=4)}
    fast, reference = screen(**arguments), screen_brute_force(**arguments)
    assert_same_result(fast, reference)
    assert [(c.norad_id, c.rule) for c in fast.closures] == [(c.norad_id, c.rule) for c in reference.closures]
    assert fast.uncertain == reference.uncertain and fast.decayed == reference.decayed
    assert fast.class_counts == reference.class_counts == {
        "screened": 1, "stale_elements_padded": 1, "unpropagatable": 1, "decayed": 1,
    }


@pytest.mark.parametrize(("days_before", "closes"), [(0.25, True), (10.0, False)])
def test_an_unpropagatable_object_whose_last_good_orbit_was_deep_in_the_atmosphere_days_ago_has_reentered(
    trajectory, days_before, closes
):
    # About 165 km up and SGP4 gives up on it right after its epoch: hours later it may still be up there,
    # ten days later drag has brought it down (an orbit below 200 km lasts days at most).
    sinking = elements(norad_id=99120, name="SINKING", mean_motion_rev_per_day=16.4,
                       epoch=WINDOW_OPEN - timedelta(days=days_before))
    result = run(trajectory, [ScreeningObject(sinking, "debris")], policy=UncertaintyPolicy(max_element_age_days=30))
    (uncertain,) = result.uncertain
    assert uncertain.reason == "propagation_failed" and uncertain.closes_span is closes
    assert [c.rule for c in result.closures] == (["unpropagatable_band"] if closes else [])
    if not closes:
        assert "re-entered in the 10.0 days since" in uncertain.message


def test_an_orbit_whose_last_good_perigee_was_underground_has_reentered(trajectory):
    # Perigee 50 km below the surface half a day before the window: down within that revolution.
    plunging = elements(norad_id=99121, name="PLUNGING", mean_motion_rev_per_day=15.5, eccentricity=0.07, bstar=0.0,
                        epoch=WINDOW_OPEN - timedelta(days=0.5))
    result = run(trajectory, [ScreeningObject(plunging, "debris")])
    assert result.closures == []
    listed = [item.norad_id for item in result.decayed] + [item.norad_id for item in result.uncertain]
    assert listed == [99121]
    if result.uncertain:
        assert "re-entered in the" in result.uncertain[0].message
