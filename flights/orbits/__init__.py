"""Orbital mechanics for flight operations: element sets, launch windows and collision screening.

Pure Python + numpy (plus sgp4 and skyfield): no Django imports anywhere in this package, so it can
be unit-tested and benchmarked alone. Import the modules directly, e.g.
`from flights.orbits.planar import planar_windows`.
"""
