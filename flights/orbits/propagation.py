"""The launch screen's bulk propagator: `sgp4` (the reference, default) or `astroz` (same interface, SIMD).

`astroz` (PyPI, MIT licence) implements `sgp4.api`'s `Satrec` and `SatrecArray` with SIMD batches; on this
machine its `SatrecArray` runs about 7x faster than sgp4's on catalog blocks. It is used only where speed
matters and an error would be caught: the coarse propagation of `screening.screen`. The health check, the
fine check and the fail-closed accounting stay on sgp4, so every error code, distance and closure still
comes from the reference, and the coarse filter stays rigorous by two rules:

- cross-check: an object is propagated with astroz only when astroz agrees with sgp4 to `CROSS_CHECK_KM`
  at the health check's three times (start, middle, end of the span) with the same error codes; any other
  object is propagated with sgp4 (decaying objects deep in the atmosphere, where both implementations are
  numerically fragile, differ by kilometres: 49227 RESURS O1 DEB in the 2023 catalog by 6.7 km);
- slack: the coarse filter's reach grows by `SLACK_KM` for astroz-propagated objects, and an object for which
  astroz reports an error on the coarse grid is propagated again with sgp4.

Measured (tests/orbits/test_astroz.py, bench/windows.py): the 2023 catalog on a 5 h grid at 30 s has the
same error codes in both; positions differ by 0.1 m typically (median), 0.4 m at the 99.99th percentile in
LEO; objects that pass the cross-check stay within 6.8 m over the whole grid. SGP4's 33 verification cases
(`SGP4-VER.TLE`): same error codes, under 1 m except case 33333 (9.8 m).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sgp4.api import SatrecArray

from flights.orbits.errors import OrbitError

__all__ = ["CROSS_CHECK_KM", "PROPAGATORS", "SLACK_KM", "BulkPropagator", "astroz_api"]

PROPAGATORS = ("sgp4", "astroz")
CROSS_CHECK_KM = 0.020  # astroz is trusted for an object that agrees with sgp4 this well at the checks
SLACK_KM = 0.050  # added to the coarse reach of astroz-propagated objects (7x the largest difference seen)


def astroz_api():
    """The `astroz.api` module, or None when astroz is not installed. One thread per process: parallelism
    comes from the screening chunks on several workers, not from threads fighting over the same cores."""
    os.environ.setdefault("ASTROZ_THREADS", "1")
    try:
        import astroz.api
    except ImportError:
        return None
    return astroz.api


@dataclass(frozen=True)
class Coarse:
    """Coarse-grid propagation of a block of objects: errors and TEME positions, as `SatrecArray.sgp4` gives
    them, and the slack (km) each object's coarse reach needs for the propagator that computed it."""

    errors: NDArray[np.uint8]
    r_teme_km: NDArray[np.float64]
    slack_km: NDArray[np.float64]


class BulkPropagator:
    """Propagates blocks of objects on the coarse grid with sgp4, or with astroz where it was cross-checked."""

    def __init__(self, name: str = "sgp4"):
        if name not in PROPAGATORS:
            raise OrbitError(f"the bulk propagator must be one of {', '.join(PROPAGATORS)}, got {name!r}")
        self.name = name
        self.api = astroz_api() if name == "astroz" else None
        if name == "astroz" and self.api is None:
            raise OrbitError("the astroz propagator was asked for but astroz is not installed (pip install astroz)")

    def trusted(self, objects, index: NDArray[np.int64], jd, fraction, errors, r_teme_km) -> NDArray[np.bool_]:
        """Which of `objects[index]` astroz may propagate: same error codes as sgp4 (`errors`, `r_teme_km`,
        at the times `jd` + `fraction`) and positions within CROSS_CHECK_KM. All False for sgp4."""
        if self.api is None or len(index) == 0:
            return np.zeros(len(index), dtype=bool)
        theirs = self.api.SatrecArray([objects[i].elements.satrec(self.api.Satrec) for i in index])
        their_errors, their_r, _ = theirs.sgp4(jd, fraction)
        apart = np.linalg.norm(np.asarray(their_r) - r_teme_km, axis=2)
        return (
            np.all(their_errors == errors, axis=1)
            & np.all(errors == 0, axis=1)
            & np.all(apart <= CROSS_CHECK_KM, axis=1)
        )

    def coarse(self, satellites, objects, index: NDArray[np.int64], trusted: NDArray[np.bool_], jd, fraction) -> Coarse:
        """Propagate `objects[index]` (sgp4 `satellites` by object) at `jd` + `fraction`."""
        errors = np.zeros((len(index), len(jd)), dtype=np.uint8)
        r_teme = np.empty((len(index), len(jd), 3))
        slack = np.zeros(len(index))
        fast = np.nonzero(trusted)[0]
        if len(fast):
            batch = self.api.SatrecArray([objects[index[row]].elements.satrec(self.api.Satrec) for row in fast])
            fast_errors, fast_r, _ = batch.sgp4(jd, fraction, velocities=False)
            errors[fast], r_teme[fast], slack[fast] = fast_errors, fast_r, SLACK_KM
            # Whatever astroz cannot propagate, sgp4 says why (error codes come from the reference).
            refused = fast[np.any(errors[fast] != 0, axis=1)]
            slack[refused] = 0.0
            trusted = trusted.copy()
            trusted[refused] = False
        slow = np.nonzero(~trusted)[0]
        if len(slow):
            slow_errors, slow_r, _ = SatrecArray([satellites[index[row]] for row in slow]).sgp4(jd, fraction)
            errors[slow], r_teme[slow] = slow_errors, slow_r
        return Coarse(errors, r_teme, slack)
