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
    "UncertainObject",
    "UncertaintyPolicy",
    "classify",
]

ObjectClass = Literal["inhabitable", "active", "debris"]

# 14 CFR 450.169(a): spherical stand-off distances (the probability criteria are not modelled here).
STANDOFF_KM: dict[str, float] = {
    "inhabitable": 200.0,  # 450.169(a)(1): objects with people on board
    "active": 25.0,  # 450.169(a)(2): other active (manoeuvrable/operating) payloads
    "debris": 2.5,  # 450.169(a)(3): debris, spent stages, inactive objects
}

# How a closure came about (`Closure.rule`): the object was screened on its elements as published;
# its elements were too old, so it was screened with its stand-off padded by an error-growth allowance;
# or SGP4 could not propagate it, so it closes the whole span if its last known orbit's
# perigee/apogee band can reach the trajectory's altitude band.
RULE_SCREENED = "screened"
RULE_STALE_PADDED = "stale_elements_padded"
RULE_UNPROPAGATABLE_BAND = "unpropagatable_band"
CLOSURE_RULES = (RULE_SCREENED, RULE_STALE_PADDED, RULE_UNPROPAGATABLE_BAND)

# SGP4's error 6 ("mrt is less than 1.0"): the object is below the Earth's surface, i.e. it has re-entered.
SGP4_DECAYED = 6

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
class UncertaintyPolicy:
    """When an object's elements count as too old, and how much its stand-off grows with their age.

    `max_element_age_days`: elements whose epoch is further than this from a liftoff of the window (either
    way: propagating backwards is no better) make the object uncertain. 7 days is the issue's default;
    launch COLA runs on the newest catalog, where a LEO object normally has elements a day or two old.

    `in_track_growth_km_per_day`: the allowance added to an uncertain object's stand-off is this times its
    element age (at the end of the screened flight). TLE/SGP4 prediction error is dominated by the in-track
    component and grows roughly linearly over the first days: about 1 km at epoch and 1-3 km per day for
    LEO objects (Vallado & Crawford, "SGP4 Orbit Determination", AIAA 2008-6770; Flohrer, Krag & Klinkrad,
    "Assessment and categorization of TLE orbit errors for the US SSN catalogue", AMOS 2008). We take
    2 km/day, the middle of that range, and apply it to the full distance (a sphere), which bounds the
    radial and cross-track parts too (they grow far slower). 3 km/day closes every liftoff of the 2023
    catalog's ISS windows through a handful of analyst objects with 80-day-old elements (bench/
    screening_fail_closed.py). It is a first model, not a covariance: set it from better data.
    """

    max_element_age_days: float = 7.0
    in_track_growth_km_per_day: float = 2.0

    def __post_init__(self) -> None:
        if not self.max_element_age_days > 0:
            raise OrbitError(f"the element age limit must be positive, got {self.max_element_age_days}")
        if not self.in_track_growth_km_per_day >= 0:
            raise OrbitError(f"the error growth must be zero or positive, got {self.in_track_growth_km_per_day}")


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
    rule: str = RULE_SCREENED  # one of CLOSURE_RULES
    allowance_km: float = 0.0  # added to the stand-off for an uncertain object's element age

    @property
    def from_uncertain_object(self) -> bool:
        return self.rule != RULE_SCREENED

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
class UncertainObject:
    """An object whose position is not known well enough: stale elements, or SGP4 cannot propagate it.

    `reason` is "stale_elements" (screened with `allowance_km` added to its stand-off) or
    "propagation_failed" (not screened; it closes the whole span when `closes_span`: its last known
    perigee/apogee band can reach the trajectory's, or no orbit is known at all).
    """

    norad_id: int
    name: str
    object_class: ObjectClass
    reason: str
    element_age_days: float
    allowance_km: float
    message: str
    closes_span: bool = False


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
    screened_count: int  # objects propagated over the span (fresh and stale ones)
    stats: ScreeningStats
    decayed: list[FailedObject] = field(default_factory=list)  # re-entered (SGP4 error 6): listed, close nothing
    uncertain: list[UncertainObject] = field(default_factory=list)

    @property
    def class_counts(self) -> dict[str, int]:
        """Every object in exactly one class: screened, stale (screened padded), unpropagatable, decayed."""
        stale = sum(item.reason == "stale_elements" for item in self.uncertain)
        unpropagatable = sum(item.reason == "propagation_failed" for item in self.uncertain)
        return {
            "screened": self.screened_count - stale,
            "stale_elements_padded": stale,
            "unpropagatable": unpropagatable,
            "decayed": len(self.decayed),
        }

    def uncertain_closures_covering(self, liftoff: datetime) -> list[Closure]:
        return [c for c in self.closures if c.from_uncertain_object and c.covers(liftoff)]

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
