"""Orbital mechanics for flight operations: element sets, launch windows and collision screening.

Pure Python + numpy (plus sgp4 and skyfield): no Django imports anywhere in this package, so it can
be unit-tested and benchmarked alone. Import from the modules:

- `elements`: `ElementSet`, `parse_tle`, `parse_omm_csv`, `parse_omm_json`, `parse_elements`, Alpha-5
- `planar`: `planar_windows`, `planar_windows_for_elements` (in-plane launch windows)
- `daylight`: `daylight_windows` (sunrise-sunset within operating hours, offline ephemeris)
- `frames`: GMST, TEME <-> ECEF, geodetic <-> ECEF (WGS84)
- `trajectory`: `AscentProfile`, `nominal_trajectory` (ECEF, relative to liftoff)
- `screening`: `classify`, `screen`, `screen_brute_force` (14 CFR 450.169 closures)
- `fit`: `element_set_through` (what-if objects through a given state)
- `errors`: `OrbitError` and its subclasses
"""
