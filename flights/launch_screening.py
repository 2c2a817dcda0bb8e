"""The collision-avoidance screen of a window computation, in one process or in catalog chunks on several workers.

`launch_windows_compute` (flights/launch_windows.py) finds the windows and builds a `ScreeningPlan`: each
window's liftoff span and ascent, the catalog's size and age, the uncertainty policy and the catalog-number
ranges of the chunks. With SCREENING_CHUNK_OBJECTS = 0 it screens the whole catalog itself. Otherwise
`screening_chunks_send` stores the plan on the computation and sends one `flights.screen_catalog_chunk` task
per range: each loads only its slice of the catalog (its memory is bounded by the chunk, not the catalog),
screens every window of the plan and stores a `ScreeningChunk` row. The chunk that brings the last row joins
them in the same transaction, under the flight's and the computation's row locks, so the join happens exactly
once: a chunk run twice (acks-late redelivery) finds its row, a join run twice finds the computation done.
The merged result is the single-process one (`flights.orbits.screening_parts`).

Fail closed across chunks: a chunk that fails fails the whole computation with the reason (no windows are
stored, so readiness says NO-GO), and the join refuses when the chunks loaded fewer objects than the catalog
held when the computation began. A chunk message that is lost (broker down, worker gone) leaves the heartbeat
to go stale: the stale-job sweep requeues the computation, whose coordinator sends again the chunks that have
no row yet, and fails it after JOB_MAX_ATTEMPTS.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from flights.catalog import screening_object_of
from flights.models import Flight, ScreeningChunk, TrackedObject, WindowComputation
from flights.orbits.screening import ScreeningResult, UncertaintyPolicy, screen
from flights.orbits.screening_parts import merge_results, result_from_json, result_to_json
from flights.orbits.screening_span import ScreeningSpan
from flights.orbits.trajectory import AscentProfile, nominal_trajectory

logger = logging.getLogger(__name__)

SCREENING_MIN_ALTITUDE_KM = 150.0  # 14 CFR 450.169: the flight above 150 km is screened
PROGRESS_BEFORE_SCREENING = 10  # percent: windows found
PROGRESS_SCREENING = 85  # percent spread over the screening (windows, or chunks)
OPEN = (WindowComputation.Status.QUEUED, WindowComputation.Status.RUNNING)


@dataclass(frozen=True)
class PlannedWindow:
    """A window to screen: its LaunchWindow fields and the nominal ascent flown from it."""

    values: dict  # LaunchWindow field values (kind, opens_at, closes_at, ...)
    profile: AscentProfile
    duration_s: float


@dataclass(frozen=True)
class ScreeningPlan:
    """Everything a chunk needs to screen its slice exactly as the single process would."""

    site_lat_deg: float
    site_lon_deg: float
    site_alt_km: float
    windows: list[PlannedWindow]
    policy: UncertaintyPolicy
    catalog_size: int
    catalog_imported_at: dt.datetime | None
    propagator: str = "sgp4"  # the coarse grid's bulk propagator (flights/orbits/propagation.py)
    ranges: list[tuple[int | None, int | None]] = dataclasses.field(default_factory=list)  # [from, before)

    def span_arguments(self, window: PlannedWindow) -> dict:
        trajectory = nominal_trajectory(
            window.profile, self.site_lat_deg, self.site_lon_deg, self.site_alt_km, duration_s=window.duration_s
        )
        return {
            "trajectory_ecef_km": trajectory,
            "window_open": window.values["opens_at"],
            "window_close": window.values["closes_at"],
        }

    def needs_screening(self) -> bool:
        """Whether any window's flight rises above the screening altitude (else no catalog is needed)."""
        return any(
            not ScreeningSpan.build(
                min_altitude_km=SCREENING_MIN_ALTITUDE_KM, resolution_s=1, **self.span_arguments(window)
            ).exempt
            for window in self.windows
        )

    def to_json(self) -> dict:
        data = dataclasses.asdict(self)
        data["catalog_imported_at"] = _iso(self.catalog_imported_at)
        data["windows"] = [
            {
                "values": {k: _iso(v) if isinstance(v, dt.datetime) else v for k, v in w.values.items()},
                "profile": dataclasses.asdict(w.profile),
                "duration_s": w.duration_s,
            }
            for w in self.windows
        ]
        return data

    @classmethod
    def from_json(cls, data: dict) -> ScreeningPlan:
        windows = [
            PlannedWindow(
                values={
                    k: dt.datetime.fromisoformat(v) if k.endswith("_at") and v else v for k, v in w["values"].items()
                },
                profile=AscentProfile(**w["profile"]),
                duration_s=w["duration_s"],
            )
            for w in data["windows"]
        ]
        imported_at = data["catalog_imported_at"]
        return cls(
            site_lat_deg=data["site_lat_deg"],
            site_lon_deg=data["site_lon_deg"],
            site_alt_km=data["site_alt_km"],
            windows=windows,
            policy=UncertaintyPolicy(**data["policy"]),
            catalog_size=data["catalog_size"],
            catalog_imported_at=dt.datetime.fromisoformat(imported_at) if imported_at else None,
            propagator=data.get("propagator", "sgp4"),
            ranges=[tuple(item) for item in data["ranges"]],
        )


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def screen_windows(plan: ScreeningPlan, objects, *, each_window=None) -> list[ScreeningResult]:
    """Screen `objects` over every window of the plan; `each_window(index)` after each one."""
    results = []
    for index, window in enumerate(plan.windows):
        results.append(
            screen(objects=objects, policy=plan.policy, propagator=plan.propagator, **plan.span_arguments(window))
        )
        if each_window:
            each_window(index)
    return results


def catalog_ranges(objects_per_chunk: int) -> list[tuple[int | None, int | None]]:
    """Catalog-number ranges [from, before) of about `objects_per_chunk` objects each, covering every number:
    an object imported while the chunks run still falls in one of them."""
    numbers = list(TrackedObject.objects.order_by("norad_id").values_list("norad_id", flat=True))
    cuts = numbers[objects_per_chunk::objects_per_chunk]
    return list(zip([None, *cuts], [*cuts, None], strict=True))


def catalog_rows(norad_from: int | None, norad_before: int | None):
    """The tracked objects of one chunk's range [from, before), in catalog-number order (a queryset)."""
    rows = TrackedObject.objects.order_by("norad_id")
    if norad_from is not None:
        rows = rows.filter(norad_id__gte=norad_from)
    if norad_before is not None:
        rows = rows.filter(norad_id__lt=norad_before)
    return rows


def chunk_objects(norad_from: int | None, norad_before: int | None):
    """The screening objects of one chunk, loaded from the database (only that slice of the catalog)."""
    return [screening_object_of(row) for row in catalog_rows(norad_from, norad_before).iterator(chunk_size=2000)]


def range_label(norad_from: int | None, norad_before: int | None) -> str:
    if norad_from is None and norad_before is None:
        return "every catalog number"
    if norad_from is None:
        return f"catalog numbers below {norad_before}"
    if norad_before is None:
        return f"catalog numbers from {norad_from}"
    return f"catalog numbers {norad_from}-{norad_before - 1}"


def screening_chunks_start(*, computation: WindowComputation, plan: ScreeningPlan) -> WindowComputation:
    """Cut the catalog into chunks, store the plan on the computation, and send the chunks to the workers."""
    plan = dataclasses.replace(plan, ranges=catalog_ranges(settings.SCREENING_CHUNK_OBJECTS))
    # Written before any chunk is sent (a coordinator runs outside a transaction, so this commits first):
    # each chunk reads the plan from this row.
    WindowComputation.objects.filter(pk=computation.pk).update(
        screening_plan=plan.to_json(),
        chunks_total=len(plan.ranges),
        heartbeat_at=timezone.now(),
        progress_percent=PROGRESS_BEFORE_SCREENING,
        stage=(
            f"Screening {len(plan.windows)} windows against {plan.catalog_size} objects in {len(plan.ranges)} chunks"
        )[:200],
    )
    computation.refresh_from_db()
    screening_chunks_send(computation=computation)
    computation.refresh_from_db()
    return computation


def screening_chunks_send(*, computation: WindowComputation) -> list[int]:
    """Send the chunks that have no result yet (all of them the first time); returns their indexes."""
    from flights.dispatch import dispatch_safely
    from flights.tasks import screen_catalog_chunk

    WindowComputation.objects.filter(pk=computation.pk, status__in=OPEN).update(
        status=WindowComputation.Status.RUNNING, heartbeat_at=timezone.now()
    )
    stored = set(computation.screening_chunks.values_list("index", flat=True))
    missing = [index for index in range(computation.chunks_total) if index not in stored]
    for index in missing:
        dispatch_safely(screen_catalog_chunk, computation.pk, index)
    return missing


def screening_chunk_run(*, computation_id: int, index: int, worker: str = "") -> str:
    """Screen chunk `index` of a computation, store its row, and join the chunks if it is the last one.

    Returns what happened: "skipped" (computation finished or failed), "stored", "joined" or "failed".
    """
    computation = WindowComputation.objects.filter(pk=computation_id).first()
    if computation is None or computation.status not in OPEN or not computation.screening_plan:
        return "skipped"
    plan = ScreeningPlan.from_json(computation.screening_plan)
    norad_from, norad_before = plan.ranges[index]
    label = f"chunk {index + 1} of {len(plan.ranges)} ({range_label(norad_from, norad_before)})"
    results, object_count, cpu_s = None, 0, 0.0
    if not computation.screening_chunks.filter(index=index).exists():  # a redelivered chunk skips the work
        WindowComputation.objects.filter(pk=computation_id, status__in=OPEN).update(heartbeat_at=timezone.now())
        started = time.process_time()
        try:
            objects = chunk_objects(norad_from, norad_before)
            results = screen_windows(plan, objects)
        except Exception as exc:  # fail closed: the whole screen fails with the reason, never a partial one
            logger.exception("Screening %s of window computation %s failed", label, computation_id)
            return _fail_open(computation_id, f"Screening {label} failed: {type(exc).__name__}: {exc}")
        object_count, cpu_s = len(objects), time.process_time() - started

    with transaction.atomic():
        # The same lock order as the rest of the window computation: the flight, then the computation.
        Flight.objects.select_for_update(of=("self",)).filter(pk=computation.flight_id).first()
        current = WindowComputation.objects.select_for_update().get(pk=computation_id)
        if current.status not in OPEN:
            return "skipped"
        if results is not None:
            ScreeningChunk.objects.get_or_create(
                computation=current,
                index=index,
                defaults={
                    "norad_from": norad_from,
                    "norad_before": norad_before,
                    "object_count": object_count,
                    "results": [result_to_json(result) for result in results],
                    "cpu_seconds": cpu_s,
                    "worker": worker[:200],
                },
            )
        chunks = list(current.screening_chunks.order_by("index"))
        total = len(plan.ranges)
        if len(chunks) < total:
            WindowComputation.objects.filter(pk=current.pk).update(
                heartbeat_at=timezone.now(),
                progress_percent=PROGRESS_BEFORE_SCREENING + PROGRESS_SCREENING * len(chunks) // total,
                stage=f"Screened {len(chunks)} of {total} catalog chunks ({len(plan.windows)} windows)"[:200],
            )
            return "stored"
        return _join(current, plan, chunks)


def _join(computation: WindowComputation, plan: ScreeningPlan, chunks: list[ScreeningChunk]) -> str:
    """Merge the chunks' parts window by window and store the windows (inside the chunk's transaction)."""
    from flights.launch_windows import launch_windows_store

    loaded = sum(chunk.object_count for chunk in chunks)
    if loaded < plan.catalog_size:
        _fail_locked(
            computation,
            f"The screening chunks loaded {loaded} objects but the catalog held {plan.catalog_size} when the "
            "computation began: not every object was screened. Request the windows again.",
        )
        return "failed"
    results = [
        merge_results([result_from_json(chunk.results[window]) for chunk in chunks])
        for window in range(len(plan.windows))
    ]
    launch_windows_store(computation=computation, plan=plan, results=results)
    return "joined"


def _fail_open(computation_id: int, message: str) -> str:
    WindowComputation.objects.filter(pk=computation_id, status__in=OPEN).update(
        status=WindowComputation.Status.FAILED, error=message, stage="Failed", finished_at=timezone.now()
    )
    return "failed"


def _fail_locked(computation: WindowComputation, message: str) -> None:
    computation.status = WindowComputation.Status.FAILED
    computation.error = message
    computation.stage = "Failed"
    computation.finished_at = timezone.now()
    computation.save(update_fields=["status", "error", "stage", "finished_at"])
