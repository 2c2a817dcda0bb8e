"""astroz, the optional bulk propagator (SCREENING_PROPAGATOR=astroz), against sgp4, the reference.

The tolerances are the measured ones with a margin (flights/orbits/propagation.py states the figures).
In CI astroz is installed (requirements.txt) and these must run.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib.resources import files

import numpy as np
import pytest
from sgp4.api import WGS72, Satrec, SatrecArray

from flights.orbits.errors import OrbitError
from flights.orbits.frames import julian_date
from flights.orbits.propagation import CROSS_CHECK_KM, SLACK_KM, BulkPropagator, astroz_api
from flights.orbits.screening import screen
from flights.orbits.trajectory import nominal_trajectory
from tests.conftest import IN_CI
from tests.orbits.data import catalog, requires_data
from tests.orbits.test_screening import KENNEDY, TO_400_KM, WINDOW_OPEN, brute_force_sample


@pytest.fixture(scope="module")
def astroz():
    api = astroz_api()
    if api is None:
        if IN_CI:
            pytest.fail("astroz is in requirements.txt and must be installed in CI")
        pytest.skip("astroz is not installed")
    return api


def verification_cases():
    """SGP4's 33 verification cases (Vallado), read from the installed sgp4 package: lines and minutes."""
    lines = (files("sgp4") / "SGP4-VER.TLE").read_text().splitlines()
    for first, second in zip(lines, lines[1:], strict=False):
        if first.startswith("1 ") and second.startswith("2 "):
            start, stop, step = (float(x) for x in second[69:].split()[:3])
            yield first, second[:69], np.arange(start, stop + step / 2, step)


def test_sgp4_verification_cases_same_error_codes_and_within_ten_metres(astroz):
    worst_m = []
    for line1, line2, minutes in verification_cases():
        reference = Satrec.twoline2rv(line1, line2, WGS72)
        jd, fraction = np.full(len(minutes), reference.jdsatepoch), reference.jdsatepochF + minutes / 1440.0
        errors, r_km, _ = reference.sgp4_array(jd, fraction)
        their_errors, their_r_km, _ = astroz.SatrecArray([astroz.Satrec.twoline2rv(line1, line2, WGS72)]).sgp4(
            jd, fraction
        )
        assert np.array_equal(their_errors[0], errors), reference.satnum
        both = (errors == 0) & (their_errors[0] == 0)
        worst_m.append(float(np.linalg.norm(their_r_km[0][both] - r_km[both], axis=1).max(initial=0.0)) * 1000)
    assert len(worst_m) == 33
    assert max(worst_m) < 12.0  # measured 9.8 m (case 33333)
    assert np.median(worst_m) < 1.0  # measured 0.34 m


@requires_data
def test_the_catalog_has_the_same_error_codes_and_cross_checked_objects_stay_within_the_slack(astroz):
    elements = catalog()[::3]
    seconds = np.arange(0, 5 * 3600 + 1, 60.0)
    jd0, fraction0 = julian_date(datetime(2023, 10, 9, 12, tzinfo=UTC))
    jd, fraction = np.full(len(seconds), jd0), fraction0 + seconds / 86400.0
    errors, r_km, _ = SatrecArray([e.satrec() for e in elements]).sgp4(jd, fraction)
    their_errors, their_r_km, _ = astroz.SatrecArray([e.satrec(astroz.Satrec) for e in elements]).sgp4(jd, fraction)
    assert np.array_equal(their_errors, errors)
    apart_m = np.linalg.norm(their_r_km - r_km, axis=2) * 1000
    ok = errors == 0
    leo = ok & (np.linalg.norm(r_km, axis=2) < 6378 + 2000)
    assert np.median(apart_m[leo]) < 0.5  # measured 0.1 m
    # What the screen relies on: an object that agrees at the start, middle and end stays within the slack.
    checks = [0, len(seconds) // 2, len(seconds) - 1]
    trusted = ok[:, checks].all(axis=1) & (apart_m[:, checks] <= CROSS_CHECK_KM * 1000).all(axis=1)
    assert trusted.mean() > 0.95
    assert apart_m[trusted][ok[trusted]].max() <= SLACK_KM * 1000 / 5  # measured 6.8 m on the whole catalog


@requires_data
def test_the_screen_with_astroz_finds_what_the_sgp4_screen_finds(astroz):
    trajectory = nominal_trajectory(TO_400_KM, *KENNEDY)
    arguments = {
        "trajectory_ecef_km": trajectory,
        "objects": brute_force_sample(trajectory),
        "window_open": WINDOW_OPEN,
        "window_close": WINDOW_OPEN + timedelta(minutes=5),
    }
    reference = screen(**arguments)
    fast = screen(**arguments, propagator="astroz")
    assert fast.stats.counts["astroz_propagated"] > 0 and reference.stats.counts["astroz_propagated"] == 0
    key = [(c.norad_id, c.start, c.end, c.min_distance_km, c.time_of_closest_approach, c.rule) for c in fast.closures]
    assert key == [
        (c.norad_id, c.start, c.end, c.min_distance_km, c.time_of_closest_approach, c.rule) for c in reference.closures
    ]
    assert (fast.failed, fast.decayed, fast.uncertain) == (reference.failed, reference.decayed, reference.uncertain)


def test_an_unknown_propagator_is_refused():
    with pytest.raises(OrbitError, match="must be one of sgp4, astroz, got 'fast'"):
        BulkPropagator("fast")
