"""Foster's 2D Pc: CARA's real CDMs, CARA's unit-test case, the non-PD case and a far miss vs mpmath."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from flights.orbits.conjunction.assess import assess_message
from flights.orbits.conjunction.cdm import parse_cdm
from flights.orbits.conjunction.errors import PcError
from flights.orbits.conjunction.pc import encounter, foster_pc
from tests.orbits.data import DATA_DIR, requires_data

CDM_DIR = DATA_DIR / "cdm"
REAL_CDMS = sorted(path.name for path in CDM_DIR.glob("0*.cdm")) if CDM_DIR.is_dir() else []
NON_PD = "OmitronTestCase_Test07_NonPDCovariance.cdm"


def message(name: str):
    return parse_cdm((CDM_DIR / name).read_text())


@requires_data
def test_all_eight_real_cdms_are_here():
    assert len(REAL_CDMS) == 8


@requires_data
@pytest.mark.parametrize("name", REAL_CDMS)
def test_real_cdm_pc_matches_caras_stated_value_within_one_percent(name):
    cdm = message(name)
    assert cdm.collision_probability > 0 and cdm.hbr_m > 0
    assessment = assess_message(cdm, hbr_m=cdm.hbr_m)
    assert assessment.pc == pytest.approx(cdm.collision_probability, rel=0.01)
    assert not assessment.pc_result.remediated


@requires_data
def test_real_cdms_span_twenty_orders_of_magnitude():
    stated = [message(name).collision_probability for name in REAL_CDMS]
    assert max(stated) > 1e-2 and min(stated) < 1e-22


def test_caras_unit_test_case_circular_hard_body():
    # CARA Pc2D_Foster unit test (inertial covariances, km), see /work/shared/data/README.md.
    r1 = [378.39559, 4305.721887, 5752.767554]
    v1 = [2.360800244, 5.580331936, -4.322349039]
    r2 = [374.5180598, 4307.560983, 5751.130418]
    v2 = [-5.388125081, -3.946827739, 3.322820358]
    c1 = [
        [44.5757544811362, 81.6751751052616, -67.8687662707124],
        [81.6751751052616, 158.453402956163, -128.616921644857],
        [-67.8687662707124, -128.616921644858, 105.490542562701],
    ]
    c2 = [
        [2.31067077720423, 1.69905293875632, -1.4170164577661],
        [1.69905293875632, 1.24957388457206, -1.04174164279599],
        [-1.4170164577661, -1.04174164279599, 0.869260558223714],
    ]
    geometry = encounter(r1, v1, r2, v2, c1, c2)
    result = foster_pc(geometry.miss_vector, geometry.covariance, 0.020)
    assert result.pc == pytest.approx(2.70601573490125e-05, rel=1e-4)
    assert not result.remediated


@requires_data
def test_non_positive_definite_case_is_remediated_by_eigenvalue_clipping_to_zero():
    cdm = message(NON_PD)
    geometry_cov = assess_message(cdm, hbr_m=20.0).pc_result
    # CARA's unit test: Pc = 0 after remediation with an HBR of 20 m.
    assert geometry_cov.remediated
    assert geometry_cov.pc == 0.0
    assert min(geometry_cov.eigenvalues_2d) == pytest.approx((1e-4 * 20.0) ** 2)


def test_non_positive_definite_projection_is_clipped_not_refused():
    # One negative eigenvalue: the clipped covariance is degenerate along that axis, so the Pc is
    # (nearly) the 1D probability of the miss along the other axis falling within the disc.
    covariance = np.array([[100.0**2, 0.0], [0.0, -5.0]])
    result = foster_pc([0.0, 0.0], covariance, 10.0)
    assert result.remediated
    one_dimensional = math.erf(10.0 / (100.0 * math.sqrt(2.0)))
    assert result.pc == pytest.approx(one_dimensional, rel=1e-3)


def test_pc_of_a_direct_hit_with_a_tiny_covariance_is_one():
    assert foster_pc([0.0, 0.0], np.diag([1e-6, 1e-6]), 20.0).pc == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("hbr", [0.0, -1.0, float("nan"), float("inf")])
def test_a_bad_hard_body_radius_is_refused(hbr):
    with pytest.raises(PcError, match="hard-body radius"):
        foster_pc([1.0, 0.0], np.eye(2), hbr)


def _mpmath_disc_integral(miss, covariance, radius):
    mpmath.mp.dps = 30
    inverse = np.linalg.inv(covariance)
    a, b, c = (mpmath.mpf(inverse[0, 0]), mpmath.mpf(inverse[0, 1]), mpmath.mpf(inverse[1, 1]))
    x0, y0 = mpmath.mpf(miss[0]), mpmath.mpf(miss[1])
    norm = 1 / (2 * mpmath.pi * mpmath.sqrt(mpmath.mpf(np.linalg.det(covariance))))
    radius = mpmath.mpf(radius)

    def density(x, y):
        dx, dy = x - x0, y - y0
        return norm * mpmath.exp(-(a * dx * dx + 2 * b * dx * dy + c * dy * dy) / 2)

    return mpmath.quad(
        lambda x: mpmath.quad(lambda y: density(x, y), [-mpmath.sqrt(radius**2 - x**2), mpmath.sqrt(radius**2 - x**2)]),
        [-radius, 0, radius],
    )


@pytest.mark.parametrize(
    ("miss", "covariance", "radius"),
    [
        # Far miss, tilted ellipse: Pc around 1e-168 (as small as real CDMs state).
        ([2600.0, 900.0], [[110.0**2, 0.3 * 110 * 60], [0.3 * 110 * 60, 60.0**2]], 20.0),
        # Moderate: Pc around 1e-23, like the smallest of CARA's real messages.
        ([7000.0, 300.0], [[700.0**2, 0.0], [0.0, 90.0**2]], 20.0),
    ],
)
def test_tiny_probabilities_match_a_high_precision_integration(miss, covariance, radius):
    covariance = np.array(covariance)
    expected = _mpmath_disc_integral(miss, covariance, radius)
    result = foster_pc(miss, covariance, radius)
    assert expected < 1e-20
    assert result.pc > 0
    assert result.pc == pytest.approx(float(expected), rel=1e-6)
    assert result.log10_pc == pytest.approx(float(mpmath.log10(expected)), abs=1e-6)
