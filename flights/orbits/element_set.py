"""The `ElementSet` value: one object's mean elements, and what can be derived from them alone."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

from sgp4.api import WGS72, Satrec

from flights.orbits.constants import (
    WGS72_EQUATORIAL_RADIUS_KM,
    WGS72_J2,
    WGS72_XKE_PER_MIN,
    WGS84_EQUATORIAL_RADIUS_KM,
)
from flights.orbits.errors import ElementParseError

__all__ = ["ElementSet"]

# SGP4 counts its epoch in days from 1949 December 31 00:00 UT (Spacetrack Report #3).
_SGP4_EPOCH_ZERO = datetime(1949, 12, 31, tzinfo=UTC)
# TLE/OMM give the first and second derivatives of mean motion in rev/day^2 and rev/day^3; sgp4init wants
# rad/min^2 and rad/min^3 (the same factors as sgp4.omm.initialize).
_NDOT_UNITS = 1036800.0 / math.pi
_NDDOT_UNITS = 2985984000.0 / 2.0 / math.pi

_DEBRIS_NAME = re.compile(r"(^|\s)DEB\b")
_OMM_OBJECT_TYPES = {"PAYLOAD": "payload", "ROCKET BODY": "rocket_body", "DEBRIS": "debris"}


@dataclass(frozen=True)
class ElementSet:
    """One object's mean elements at an epoch (SGP4/SDP4 conventions, WGS72, TEME frame).

    `line1`/`line2` are kept when the set came from a TLE, so SGP4 is initialised from exactly the
    published text; sets from OMM are initialised from the fields.
    """

    norad_id: int
    name: str
    epoch: datetime
    inclination_deg: float
    raan_deg: float
    eccentricity: float
    arg_perigee_deg: float
    mean_anomaly_deg: float
    mean_motion_rev_per_day: float
    bstar: float
    international_designator: str = ""
    line1: str = ""
    line2: str = ""
    mean_motion_dot: float = 0.0
    mean_motion_ddot: float = 0.0
    classification: str = "U"
    element_set_number: int = 999
    rev_at_epoch: int = 0
    ephemeris_type: int = 0
    omm_object_type: str = ""  # OMM OBJECT_TYPE column, when the source had one

    def __post_init__(self) -> None:
        if self.epoch.tzinfo is None or self.epoch.utcoffset() != UTC.utcoffset(None):
            raise ElementParseError(f"epoch of {self.norad_id} must be timezone-aware UTC, got {self.epoch!r}")

    @property
    def object_type(self) -> str:
        """ "payload", "rocket_body" or "debris": the OMM OBJECT_TYPE when given, else guessed from the name."""
        known = _OMM_OBJECT_TYPES.get(self.omm_object_type.strip().upper())
        if known:
            return known
        if _DEBRIS_NAME.search(self.name):
            return "debris"
        if "R/B" in self.name:
            return "rocket_body"
        return "payload"

    @cached_property
    def _mean_motion_unkozai_rad_per_min(self) -> float:
        # Brouwer mean motion, recovered from the Kozai value as SGP4's initl() does, so the semi-major
        # axis matches the one SGP4 propagates (the Kozai value alone is off by up to ~10 km).
        no_kozai = self.mean_motion_rev_per_day * 2.0 * math.pi / 1440.0
        if no_kozai <= 0.0:
            raise ElementParseError(f"object {self.norad_id}: mean motion must be positive")
        cos_i = math.cos(math.radians(self.inclination_deg))
        one_minus_e2 = 1.0 - self.eccentricity**2
        ak = (WGS72_XKE_PER_MIN / no_kozai) ** (2.0 / 3.0)
        d1 = 0.75 * WGS72_J2 * (3.0 * cos_i * cos_i - 1.0) / (math.sqrt(one_minus_e2) * one_minus_e2)
        delta = d1 / (ak * ak)
        adel = ak * (1.0 - delta * delta - delta * (1.0 / 3.0 + 134.0 * delta * delta / 81.0))
        delta = d1 / (adel * adel)
        return no_kozai / (1.0 + delta)

    @property
    def semi_major_axis_km(self) -> float:
        """Mean semi-major axis (Brouwer), km."""
        radii = (WGS72_XKE_PER_MIN / self._mean_motion_unkozai_rad_per_min) ** (2.0 / 3.0)
        return radii * WGS72_EQUATORIAL_RADIUS_KM

    @property
    def perigee_km(self) -> float:
        """Mean perigee altitude above the equatorial radius (6378.137 km)."""
        return self.semi_major_axis_km * (1.0 - self.eccentricity) - WGS84_EQUATORIAL_RADIUS_KM

    @property
    def apogee_km(self) -> float:
        """Mean apogee altitude above the equatorial radius (6378.137 km)."""
        return self.semi_major_axis_km * (1.0 + self.eccentricity) - WGS84_EQUATORIAL_RADIUS_KM

    @property
    def raan_rate_deg_per_day(self) -> float:
        """Secular drift of the ascending node from J2: -3/2 n J2 (R/p)^2 cos i."""
        n_rad_per_day = self._mean_motion_unkozai_rad_per_min * 1440.0
        semi_latus_rectum_km = self.semi_major_axis_km * (1.0 - self.eccentricity**2)
        ratio = WGS72_EQUATORIAL_RADIUS_KM / semi_latus_rectum_km
        cos_i = math.cos(math.radians(self.inclination_deg))
        return math.degrees(-1.5 * n_rad_per_day * WGS72_J2 * ratio * ratio * cos_i)

    def satrec(self, satrec_class=Satrec) -> Satrec:
        """An initialised `sgp4.api.Satrec`: from the TLE lines when present, else from the fields.

        `satrec_class` may be another implementation of the same interface (`astroz.api.Satrec`).
        """
        if self.line1 and self.line2:
            return satrec_class.twoline2rv(self.line1, self.line2, WGS72)
        sat = satrec_class()
        epoch_days = (self.epoch - _SGP4_EPOCH_ZERO).total_seconds() / 86400.0
        sat.sgp4init(
            WGS72,
            "i",
            self.norad_id,
            epoch_days,
            self.bstar,
            self.mean_motion_dot / _NDOT_UNITS,
            self.mean_motion_ddot / _NDDOT_UNITS,
            self.eccentricity,
            math.radians(self.arg_perigee_deg),
            math.radians(self.inclination_deg),
            math.radians(self.mean_anomaly_deg),
            self.mean_motion_rev_per_day / 720.0 * math.pi,
            math.radians(self.raan_deg),
        )
        sat.classification = self.classification or "U"
        sat.elnum = self.element_set_number
        sat.revnum = self.rev_at_epoch
        return sat
