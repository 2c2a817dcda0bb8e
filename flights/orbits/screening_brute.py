"""The reference screener: every object, every liftoff, every 1 s interval of the flight above 150 km.

No filters on objects or times: it exists so tests can prove the fast screener (`screening.screen`)
misses nothing. It is far too slow for a full catalog; use it on a few hundred objects and short
windows. Each interval is tested by its chord distance (`screening_span.segment_minimum`) against
the stand-off plus the chord pad, exactly as `screen` does (see `screening_span`).

Computing the chord distance of every interval costs ~3x the sample distances, so it is computed
only where the triangle inequality allows it to be close: every point of the chord d0 + u e is at
least max(|d0| - u |e|, |d1| - (1 - u) |e|) >= (|d0| + |d1| - |e|) / 2 from the origin, and
|e| = |(X(t + 1) - X(t)) - (V(k + 1) - V(k))| is at most the object's largest 1 s step plus the
vehicle's. Intervals with |d0| + |d1| > 2 reach + that are skipped; they cannot close.
"""

from __future__ import annotations

import time
from datetime import datetime

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from flights.orbits.screening_span import (
    Allowances,
    ScreeningSpan,
    closures_from_hits,
    failed_object,
    finish,
    propagate_ecef,
    segment_minimum,
)
from flights.orbits.screening_types import ScreeningObject, ScreeningResult, ScreeningStats, UncertaintyPolicy

__all__ = ["screen_brute_force"]

LIFTOFF_BLOCK = 32  # liftoffs compared at once (bounds memory: 32 x 3 x samples)
ROUNDING_KM = 1e-6  # slack on the triangle-inequality skip, for floating-point rounding


def screen_brute_force(
    *,
    trajectory_ecef_km,
    objects: list[ScreeningObject],
    window_open: datetime,
    window_close: datetime,
    min_altitude_km: float = 150.0,
    resolution_s: int = 1,
    policy: UncertaintyPolicy | None = None,
) -> ScreeningResult:
    """Same contract as `screen`, computed the plain way."""
    policy = policy or UncertaintyPolicy()
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
    trajectory = span.trajectory_km[first_k : last_k + 2]  # the ends of intervals first_k..last_k
    screened = span.interval_screened[first_k : last_k + 1]
    vehicle_step = float(np.linalg.norm(np.diff(trajectory, axis=0), axis=1).max())
    seconds = np.arange(span.first_t, span.last_t + 1)
    allowances = Allowances.build(objects, span, policy)
    reach = allowances.reach_km(objects) + span.chord_pad_km

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
        skip_above = 2.0 * reach[index] + float(np.linalg.norm(np.diff(position, axis=0), axis=1).max())
        skip_above += vehicle_step + ROUNDING_KM
        for block in range(0, span.liftoff_count, LIFTOFF_BLOCK):
            liftoffs = np.arange(block, min(block + LIFTOFF_BLOCK, span.liftoff_count))
            taus = liftoffs * span.resolution_s
            difference = windows[taus] - trajectory.T[None, :, :]  # (liftoffs, 3, samples)
            sample_distance = np.sqrt(np.einsum("ijk,ijk->ik", difference, difference))
            maybe = (sample_distance[:, :-1] + sample_distance[:, 1:] <= skip_above) & screened[None, :]
            row, interval = np.nonzero(maybe)
            distance, u = segment_minimum(difference[row, :, interval], difference[row, :, interval + 1])
            close = distance <= reach[index]
            moment = (taus[row] + first_k + interval) + u
            hits.extend(
                (index, int(liftoffs[r]), float(d), float(m))
                for r, d, m in zip(row[close], distance[close], moment[close], strict=True)
            )

    hit_array = np.array(hits, dtype=float).reshape(-1, 4)
    closures = closures_from_hits(
        span,
        objects,
        hit_array[:, 0].astype(np.int64),
        hit_array[:, 1].astype(np.int64),
        hit_array[:, 2],
        hit_array[:, 3],
        allowance_km=allowances.allowance_km,
    )
    stats = ScreeningStats(total_s=time.perf_counter() - started, counts={"objects": len(objects)})
    return finish(span, objects, closures, failed, allowances, stats)
