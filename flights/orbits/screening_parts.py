"""A launch screen split by catalog: each part screens a slice of the objects, `merge_results` joins them.

Every stage of `screening.screen` works object by object (health check, shell, coarse segments, fine check,
the fail-closed accounting of `screening_span.finish`), so screening disjoint slices of the catalog and
merging the parts gives the same closures, failed, decayed and uncertain objects as one screen of the whole
catalog (tests/orbits/test_screening_parts.py proves it on the brute-force test's sample). Parts travel
between processes as JSON (`result_to_json` / `result_from_json`), which keeps every float exactly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

from flights.orbits.errors import OrbitError
from flights.orbits.screening_types import Closure, FailedObject, ScreeningResult, ScreeningStats, UncertainObject

__all__ = ["merge_results", "result_from_json", "result_to_json"]


def merge_results(parts: Sequence[ScreeningResult]) -> ScreeningResult:
    """One result from the screens of disjoint slices of a catalog, over the same window and trajectory."""
    if not parts:
        raise OrbitError("no screening parts to merge")
    first = parts[0]
    for part in parts[1:]:
        same = (part.window_open, part.window_close, part.resolution_s, part.exempt)
        if same != (first.window_open, first.window_close, first.resolution_s, first.exempt):
            raise OrbitError("screening parts of different windows cannot be merged")
    stage_seconds: dict[str, float] = {}
    counts: dict[str, int] = {}
    for part in parts:
        for stage, seconds in part.stats.stage_seconds.items():
            stage_seconds[stage] = stage_seconds.get(stage, 0.0) + seconds
        for name, count in part.stats.counts.items():
            counts[name] = counts.get(name, 0) + count
    return ScreeningResult(
        window_open=first.window_open,
        window_close=first.window_close,
        resolution_s=first.resolution_s,
        # The orders `ScreeningSpan.result` and `finish` give a single screen.
        closures=sorted((c for p in parts for c in p.closures), key=lambda item: (item.start, item.norad_id)),
        failed=sorted((f for p in parts for f in p.failed), key=lambda item: item.norad_id),
        exempt=first.exempt,
        exempt_reason=first.exempt_reason,
        screened_count=sum(part.screened_count for part in parts),
        stats=ScreeningStats(
            total_s=sum(part.stats.total_s for part in parts), stage_seconds=stage_seconds, counts=counts
        ),
        decayed=sorted((d for p in parts for d in p.decayed), key=lambda item: item.norad_id),
        uncertain=sorted((u for p in parts for u in p.uncertain), key=lambda item: item.norad_id),
    )


def result_to_json(result: ScreeningResult) -> dict:
    """The result as JSON-ready values (datetimes as ISO 8601 strings)."""
    data = dataclasses.asdict(result)
    data["window_open"] = result.window_open.isoformat()
    data["window_close"] = result.window_close.isoformat()
    for closure in data["closures"]:
        for name in ("start", "end", "time_of_closest_approach"):
            closure[name] = closure[name].isoformat()
    return data


def result_from_json(data: dict) -> ScreeningResult:
    """The inverse of `result_to_json`."""
    closures = [
        Closure(
            **{
                **item,
                "start": datetime.fromisoformat(item["start"]),
                "end": datetime.fromisoformat(item["end"]),
                "time_of_closest_approach": datetime.fromisoformat(item["time_of_closest_approach"]),
            }
        )
        for item in data["closures"]
    ]
    return ScreeningResult(
        window_open=datetime.fromisoformat(data["window_open"]),
        window_close=datetime.fromisoformat(data["window_close"]),
        resolution_s=data["resolution_s"],
        closures=closures,
        failed=[FailedObject(**item) for item in data["failed"]],
        exempt=data["exempt"],
        exempt_reason=data["exempt_reason"],
        screened_count=data["screened_count"],
        stats=ScreeningStats(**data["stats"]),
        decayed=[FailedObject(**item) for item in data["decayed"]],
        uncertain=[UncertainObject(**item) for item in data["uncertain"]],
    )
