"""Values of collision-avoidance screening (14 CFR 450.169): object classes, closures, results."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from flights.orbits.element_set import ElementSet
from flights.orbits.errors import OrbitError

__all__ = [
    "INHABITABLE_NORAD_IDS",
    "STANDOFF_KM",
    "Closure",
    "FailedObject",
    "ObjectClass",
    "ScreeningObject",
    "ScreeningResult",
    "ScreeningStats",
    "classify",
]

ObjectClass = Literal["inhabitable", "active", "debris"]

# 14 CFR 450.169(a): spherical stand-off distances (the probability criteria are not modelled here).
STANDOFF_KM: dict[str, float] = {
    "inhabitable": 200.0,  # 450.169(a)(1): objects with people on board
    "active": 25.0,  # 450.169(a)(2): other active (manoeuvrable/operating) payloads
    "debris": 2.5,  # 450.169(a)(3): debris, spent stages, inactive objects
}

# ISS (ZARYA) and the Chinese station (CSS/Tianhe): crewed, hence inhabitable.
INHABITABLE_NORAD_IDS = frozenset({25544, 48274})


@dataclass(frozen=True)
class ScreeningObject:
    """A catalogued object with the class that sets its stand-off distance."""

    elements: ElementSet
    object_class: ObjectClass

    def __post_init__(self) -> None:
        if self.object_class not in STANDOFF_KM:
            raise OrbitError(f"object class must be one of {', '.join(STANDOFF_KM)}, got {self.object_class!r}")

    @property
    def standoff_km(self) -> float:
        return STANDOFF_KM[self.object_class]


def classify(elements: ElementSet, inhabitable_ids: Iterable[int] = INHABITABLE_NORAD_IDS) -> ScreeningObject:
    """Inhabitable by catalog number; payloads are active; rocket bodies and debris are debris.

    A payload is taken as active: without an operator status feed that is the conservative choice
    (25 km rather than 2.5 km).
    """
    if elements.norad_id in set(inhabitable_ids):
        object_class: ObjectClass = "inhabitable"
    elif elements.object_type == "payload":
        object_class = "active"
    else:
        object_class = "debris"
    return ScreeningObject(elements=elements, object_class=object_class)


@dataclass(frozen=True)
class Closure:
    """Liftoff times [start, end] (inclusive, UTC) closed because of one object.

    `min_distance_km` is the closest approach over those liftoffs and `time_of_closest_approach`
    the (UTC) moment it happens, to the millisecond. Both come from the straight chord between
    whole-second samples, within a few metres of the true paths (see `screening_span`); a liftoff
    closes when that distance is within the stand-off plus the same few metres, so a closure's
    distance can exceed the stand-off by that much, never the other way.
    """

    start: datetime
    end: datetime
    norad_id: int
    name: str
    object_class: ObjectClass
    min_distance_km: float
    time_of_closest_approach: datetime

    def covers(self, liftoff: datetime) -> bool:
        return self.start <= liftoff <= self.end


@dataclass(frozen=True)
class FailedObject:
    """An object SGP4 could not propagate over the screening span: not screened, so not cleared."""

    norad_id: int
    name: str
    error_code: int
    message: str


@dataclass(frozen=True)
class ScreeningStats:
    """Where the time went and how hard each filter cut."""

    total_s: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ScreeningResult:
    """Outcome of screening one liftoff window against a catalog."""

    window_open: datetime
    window_close: datetime
    resolution_s: int
    closures: list[Closure]
    failed: list[FailedObject]
    exempt: bool
    exempt_reason: str
    screened_count: int
    stats: ScreeningStats

    def is_closed(self, liftoff: datetime) -> bool:
        return any(closure.covers(liftoff) for closure in self.closures)

    def open_intervals(self) -> list[tuple[datetime, datetime]]:
        """The window minus the closures: liftoff intervals (inclusive) still available."""
        step = timedelta(seconds=self.resolution_s)
        intervals = []
        cursor = self.window_open
        for closure in sorted(self.closures, key=lambda item: item.start):
            if closure.start > cursor:
                intervals.append((cursor, closure.start - step))
            cursor = max(cursor, closure.end + step)
        if cursor <= self.window_close:
            intervals.append((cursor, self.window_close))
        return intervals
