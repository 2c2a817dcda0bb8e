"""Made-up conjunctions (the demo's): the given time is the closest approach, the miss and relative speed are
the ones asked for, and the Pc depends on the geometry asked for, not on where the orbit is."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest

from flights.orbits.conjunction.assess import assess_message
from flights.orbits.conjunction.cdm import CdmObject, ConjunctionMessage, parse_cdm, write_cdm
from flights.orbits.conjunction.synthetic import rtn_covariance, synthetic_conjunction

SPEED_KM_S = 7.66


def state(raan_deg: float, inclination_deg: float, latitude_arg_deg: float, radius_km: float = 6798.0):
    """A circular orbit's inertial state from its plane and the angle along it."""
    node = np.array([math.cos(math.radians(raan_deg)), math.sin(math.radians(raan_deg)), 0.0])
    normal = np.array(
        [
            math.sin(math.radians(raan_deg)) * math.sin(math.radians(inclination_deg)),
            -math.cos(math.radians(raan_deg)) * math.sin(math.radians(inclination_deg)),
            math.cos(math.radians(inclination_deg)),
        ]
    )
    across = np.cross(normal, node)
    u = math.radians(latitude_arg_deg)
    direction = math.cos(u) * node + math.sin(u) * across
    along = -math.sin(u) * node + math.cos(u) * across
    return radius_km * direction, SPEED_KM_S * along


def message(made) -> ConjunctionMessage:
    now = datetime(2030, 1, 1, tzinfo=UTC)
    return ConjunctionMessage(
        message_id="SYNTHETIC-1",
        creation_date=now,
        originator="TEST",
        tca=now,
        miss_distance_m=made.miss_distance_m,
        object1=CdmObject("25544", made.position1_km, made.velocity1_km_s, made.covariance1_rtn, ref_frame="TEME"),
        object2=CdmObject("99911", made.position2_km, made.velocity2_km_s, made.covariance2_rtn, ref_frame="TEME"),
    )


def build(position, velocity, **overrides):
    spec = dict(crossing_angle_deg=95.0, miss_m=(150.0, 250.0), sigmas1_m=(45, 300, 35), sigmas2_m=(100, 900, 80))
    return synthetic_conjunction(position, velocity, **{**spec, **overrides})


def test_the_time_given_is_the_closest_approach_with_the_miss_and_speed_asked_for():
    made = build(*state(40.0, 51.64, 120.0))
    dr = np.subtract(made.position2_km, made.position1_km) * 1000.0
    dv = np.subtract(made.velocity2_km_s, made.velocity1_km_s) * 1000.0
    assert abs(np.dot(dr, dv)) / (np.linalg.norm(dr) * np.linalg.norm(dv)) < 1e-12  # d|dr|/dt = 0 at TCA
    assert np.linalg.norm(dr) == pytest.approx(math.hypot(150.0, 250.0), rel=1e-9)
    assert made.relative_speed_m_s == pytest.approx(2 * SPEED_KM_S * 1000 * math.sin(math.radians(95 / 2)), rel=1e-9)
    assert np.linalg.norm(made.velocity2_km_s) == pytest.approx(SPEED_KM_S, rel=1e-12)


def test_the_pc_is_the_same_wherever_the_orbit_is_and_survives_a_cdm_round_trip():
    results = []
    for plane in ((0.0, 51.64, 0.0), (137.0, 51.64, 250.0), (300.0, 97.5, 33.0)):
        made = build(*state(*plane))
        text = write_cdm(message(made))
        results.append(assess_message(parse_cdm(text), hbr_m=20.0).pc)
    assert results[0] == pytest.approx(1.03e-3, rel=0.01)
    assert max(results) / min(results) - 1 < 1e-6


def test_a_covariance_is_diagonal_positive_and_refuses_nonsense():
    covariance = np.array(rtn_covariance((40, 250, 30)))
    assert covariance.shape == (6, 6) and np.all(np.linalg.eigvalsh(covariance) > 0)
    assert covariance[1, 1] == 250.0**2
    with pytest.raises(ValueError, match="three positive position sigmas"):
        rtn_covariance((40, 0, 30))
    with pytest.raises(ValueError, match="crossing angle"):
        build(*state(0, 51.64, 0), crossing_angle_deg=180.0)
