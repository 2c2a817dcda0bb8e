"""Refusals of the conjunction package: each names the line and the field a person must fix."""

from __future__ import annotations

from flights.orbits.errors import OrbitError


class CdmError(OrbitError):
    """A Conjunction Data Message could not be read (or written): the line and field are named."""

    def __init__(self, message: str, *, line: int | None = None, field: str | None = None):
        self.line = line
        self.field = field
        self.reason = message
        where = []
        if line is not None:
            where.append(f"line {line}")
        if field:
            where.append(field)
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


class PcError(OrbitError):
    """A probability of collision cannot be computed from these inputs."""
