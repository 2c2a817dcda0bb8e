"""Physical constants, each with the model it belongs to.

SGP4 element sets are defined against WGS72 (Vallado et al. 2006, "Revisiting Spacetrack Report #3"),
so anything derived from mean elements uses the WGS72 values; geodesy (sites, altitudes) uses WGS84.
"""

from __future__ import annotations

import math

# WGS84 ellipsoid (NIMA TR8350.2): geodetic sites and altitudes.
WGS84_EQUATORIAL_RADIUS_KM = 6378.137
WGS84_FLATTENING = 1.0 / 298.257223563
WGS84_ECCENTRICITY_SQUARED = WGS84_FLATTENING * (2.0 - WGS84_FLATTENING)
WGS84_MU_KM3_S2 = 398600.4418
WGS84_J2 = 1.08262668e-3

# WGS72 constants used by SGP4 (sgp4.earth_gravity.wgs72): mean elements are defined against these.
WGS72_EQUATORIAL_RADIUS_KM = 6378.135
WGS72_MU_KM3_S2 = 398600.8
WGS72_J2 = 0.001082616
WGS72_XKE_PER_MIN = 60.0 / math.sqrt(WGS72_EQUATORIAL_RADIUS_KM**3 / WGS72_MU_KM3_S2)

# Earth rotation rate (IERS conventions, WGS84 value), rad/s.
EARTH_ROTATION_RAD_S = 7.292115146706979e-5

SECONDS_PER_DAY = 86400.0
MINUTES_PER_DAY = 1440.0
