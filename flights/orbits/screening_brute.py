"""The reference screener: every object, every liftoff, every second of the flight above 150 km.

No filters, no bounds: it exists so tests can prove the fast screener (`screening.screen`) misses
nothing. It is far too slow for a full catalog; use it on a few hundred objects and short windows.
"""

from __future__ import annotations

import time
from datetime import datetime

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from flights.orbits.screening_span import (
    ScreeningSpan,
    closures_from_hits,
    failed_object,
    propagate_ecef,
    standoffs_km,
)
from flights.orbits.screening_types import ScreeningObject, ScreeningResult, ScreeningStats

__all__ = ["screen_brute_force"]

LIFTOFF_BLOCK = 32  # liftoffs compared at once (bounds memory: 32 x 3 x samples)


def screen_brute_force(
    *,
    trajectory_ecef_km,
    objects: list[ScreeningObject],
    window_open: datetime,
    window_close: datetime,
    min_altitude_km: float = 150.0,
    resolution_s: int = 1,
) -> ScreeningResult:
    """Same contract as `screen`, computed the plain way."""
    started = time.perf_counter()
    span = ScreeningSpan.build(
        trajectory_ecef_km=trajectory_ecef_km,
        window_open=window_open,
        window_close=window_close,
        min_altitude_km=min_altitude_km,
        resolution_s=resolution_s,
    )
    if span.exempt:
        return span.empty_result(0, [], ScreeningStats(total_s=time.perf_counter() - started))

    first_k, last_k = span.first_k, span.last_k
    trajectory = span.trajectory_km[first_k : last_k + 1]
    unscreened = ~span.screened[first_k : last_k + 1]
    seconds = np.arange(span.first_t, span.last_t + 1)
    standoff = standoffs_km(objects)

    failed, hits = [], []
    for index, item in enumerate(objects):
        propagated = propagate_ecef(item.elements.satrec(), span, seconds)
        if np.any(propagated.errors):
            failed.append(failed_object(item, propagated.errors))
            continue
        position = propagated.r_ecef_km
        # Row r of `windows` is the object's track over the screened samples for a flight whose
        # sample first_k happens at t = first_k + r, i.e. liftoff tau = r.
        windows = sliding_window_view(position, len(trajectory), axis=0)  # (rows, 3, samples)
        for block in range(0, span.liftoff_count, LIFTOFF_BLOCK):
            liftoffs = np.arange(block, min(block + LIFTOFF_BLOCK, span.liftoff_count))
            taus = liftoffs * span.resolution_s
            difference = windows[taus] - trajectory.T[None, :, :]
            distance = np.sqrt(np.einsum("ijk,ijk->ik", difference, difference))
            distance[:, unscreened] = np.inf
            closest = np.argmin(distance, axis=1)
            nearest = distance[np.arange(len(liftoffs)), closest]
            for row in np.nonzero(nearest <= standoff[index])[0]:
                hits.append(
                    (index, int(liftoffs[row]), float(nearest[row]), int(taus[row]) + first_k + int(closest[row]))
                )

    hit_array = np.array(hits, dtype=float).reshape(-1, 4)
    closures = closures_from_hits(
        span,
        objects,
        hit_array[:, 0].astype(np.int64),
        hit_array[:, 1].astype(np.int64),
        hit_array[:, 2],
        hit_array[:, 3].astype(np.int64),
    )
    stats = ScreeningStats(total_s=time.perf_counter() - started, counts={"objects": len(objects)})
    return span.result(closures, failed, len(objects) - len(failed), stats)
