"""Domain errors of the orbital mechanics package: one-line messages a flight director can read."""

from __future__ import annotations


class OrbitError(ValueError):
    """Base class of every refusal raised by `flights.orbits`."""


class ElementParseError(OrbitError):
    """An element set (TLE or OMM) could not be read."""


class UnreachableTarget(OrbitError):
    """The target orbital plane cannot be reached from the launch site."""


class PropagationError(OrbitError):
    """SGP4 refused to propagate an element set."""
