"""An on-orbit screen split by catalog: each part screens one protected object against a slice of the catalog,
`merge_orbit_results` joins them.

Every stage of `screening.screen_orbit` works catalog object by catalog object (exclusions, shell, health,
coarse and fine sweeps, refinement, the twin check of one object's approaches), so screening disjoint slices
and merging the parts gives the same approaches, uncertain, failed, excluded and attached objects as one screen of the
whole catalog (tests/traffic/test_screening_chunks.py compares them). Parts travel between processes as JSON
(`orbit_result_to_json` / `orbit_result_from_json`), which keeps every float exactly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

from flights.orbits.conjunction.screening import (
    AttachedObject,
    CloseApproach,
    OrbitScreeningResult,
    UncertainApproach,
)
from flights.orbits.errors import OrbitError

__all__ = ["merge_orbit_results", "orbit_result_from_json", "orbit_result_to_json"]


def merge_orbit_results(parts: Sequence[OrbitScreeningResult]) -> OrbitScreeningResult:
    """One result from the screens of one protected object against disjoint slices of a catalog."""
    if not parts:
        raise OrbitError("no screening parts to merge")
    stats: dict = {}
    for part in parts:
        for name, value in part.stats.items():
            if isinstance(value, dict):
                merged = stats.setdefault(name, {})
                for key, count in value.items():
                    merged[key] = merged.get(key, 0) + count
            else:
                stats[name] = stats.get(name, 0) + value
    return OrbitScreeningResult(
        # The orders `screen_orbit` gives a single screen.
        approaches=sorted((a for p in parts for a in p.approaches), key=lambda a: (a.tca, a.norad_id)),
        failed=sorted(f for p in parts for f in p.failed),
        screened_count=sum(part.screened_count for part in parts),
        excluded=sorted(e for p in parts for e in p.excluded),
        attached=sorted((a for p in parts for a in p.attached), key=lambda a: a.norad_id),
        stats=stats,
        uncertain=sorted((a for p in parts for a in p.uncertain), key=lambda a: (a.tca, a.norad_id)),
    )


def orbit_result_to_json(result: OrbitScreeningResult) -> dict:
    """The result as JSON-ready values (datetimes as ISO 8601 strings)."""
    data = dataclasses.asdict(result)
    for approach in data["approaches"] + data["uncertain"]:
        approach["tca"] = approach["tca"].isoformat()
    data["stats"] = {
        name: ({str(k): v for k, v in value.items()} if isinstance(value, dict) else value)
        for name, value in result.stats.items()
    }
    return data


def orbit_result_from_json(data: dict) -> OrbitScreeningResult:
    """The inverse of `orbit_result_to_json` (the stats' sample counts keyed by their step as text)."""
    vectors = ("miss_rtn_km", "r_protected_km", "v_protected_km_s", "r_other_km", "v_other_km_s")
    return OrbitScreeningResult(
        approaches=[
            CloseApproach(
                **{
                    **item,
                    "tca": datetime.fromisoformat(item["tca"]),
                    **{name: tuple(item[name]) for name in vectors},
                }
            )
            for item in data["approaches"]
        ],
        failed=[tuple(item) for item in data["failed"]],
        screened_count=data["screened_count"],
        excluded=[tuple(item) for item in data["excluded"]],
        attached=[AttachedObject(**item) for item in data["attached"]],
        stats=data["stats"],
        uncertain=[
            UncertainApproach(
                **{**item, "tca": datetime.fromisoformat(item["tca"]), "miss_rtn_km": tuple(item["miss_rtn_km"])}
            )
            for item in data.get("uncertain", [])
        ],
    )
