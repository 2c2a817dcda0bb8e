"""The collision-avoidance screen of a window computation, in one process or in catalog chunks on several workers.

`launch_windows_compute` (flights/launch_windows.py) finds the windows and builds a `ScreeningPlan`: each
window's liftoff span and ascent, the catalog's size and age, the uncertainty policy and the catalog-number
ranges of the chunks. With SCREENING_CHUNK_OBJECTS = 0 it screens the whole catalog itself. Otherwise
`screening_chunks_start` stores the plan on the computation and sends one `flights.screen_catalog_chunk` task
per range: each loads only its slice of the catalog (its memory is bounded by the chunk, not the catalog),
screens every window of the plan and stores a `ScreeningChunk` row. The chunk that brings the last row joins
them in the same transaction, under the flight's and the computation's row locks, so the join happens exactly
once: a chunk run twice (acks-late redelivery) finds its row, a join run twice finds the computation done.
The merged result is the single-process one (`flights.orbits.screening_parts`). The chunk machinery (ranges,
chunk rows, the join, failing closed) is shared with the on-orbit screening run (`flights.chunks`); what a
chunk screens and how the join stores the windows is `LaunchScreenChunks` here.

Fail closed across chunks: a chunk that fails fails the whole computation with the reason (no windows are
stored, so readiness says NO-GO), and the join refuses when the chunks loaded fewer objects than the catalog
held when the computation began. A chunk message that is lost (broker down, worker gone) leaves the heartbeat
to go stale: the stale-job sweep requeues the computation, whose coordinator sends again the chunks that have
no row yet, and fails it after JOB_MAX_ATTEMPTS.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from flights.catalog import screening_object_of
from flights.chunks import ChunkedScreen, catalog_ranges, catalog_rows
from flights.models import Flight, ScreeningChunk, WindowComputation
from flights.orbits.screening import ScreeningResult, UncertaintyPolicy, screen
from flights.orbits.screening_parts import merge_results, result_from_json, result_to_json
from flights.orbits.screening_span import ScreeningSpan
from flights.orbits.trajectory import AscentProfile, nominal_trajectory

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


def chunk_objects(norad_from: int | None, norad_before: int | None):
    """The screening objects of one chunk, loaded from the database (only that slice of the catalog)."""
    return [screening_object_of(row) for row in catalog_rows(norad_from, norad_before).iterator(chunk_size=2000)]


class LaunchScreenChunks(ChunkedScreen):
    """The launch screen's chunks: each screens every window of the plan against its slice of the catalog; the
    join merges the parts window by window and stores the windows (flights.launch_windows)."""

    name = "window computation"
    job_model = WindowComputation
    chunk_model = ScreeningChunk
    job_field = "computation"
    chunks_name = "screening_chunks"
    progress_from = PROGRESS_BEFORE_SCREENING
    progress_share = PROGRESS_SCREENING

    def task(self):
        from flights.tasks import screen_catalog_chunk

        return screen_catalog_chunk

    def plan_of(self, job: WindowComputation) -> ScreeningPlan:
        return ScreeningPlan.from_json(job.screening_plan)

    def ranges(self, plan: ScreeningPlan) -> list:
        return plan.ranges

    def compute(self, job, plan: ScreeningPlan, norad_from, norad_before, beat) -> tuple[list, int]:
        objects = chunk_objects(norad_from, norad_before)
        return [result_to_json(result) for result in screen_windows(plan, objects)], len(objects)

    def pending_detail(self, plan: ScreeningPlan) -> str:
        return f"{len(plan.windows)} windows"

    def catalog_size(self, job, plan: ScreeningPlan) -> int:
        return plan.catalog_size

    def shortfall(self, loaded: int, size: int) -> str:
        return (
            f"The screening chunks loaded {loaded} objects but the catalog held {size} when the computation began: "
            "not every object was screened. Request the windows again."
        )

    def join(self, job: WindowComputation, plan: ScreeningPlan, chunks: list[ScreeningChunk]) -> None:
        from flights.launch_windows import launch_windows_store

        results = [
            merge_results([result_from_json(chunk.results[window]) for chunk in chunks])
            for window in range(len(plan.windows))
        ]
        launch_windows_store(computation=job, plan=plan, results=results)

    def lock(self, job: WindowComputation) -> None:
        # The same lock order as the rest of the window computation: the flight, then the computation.
        Flight.objects.select_for_update(of=("self",)).filter(pk=job.flight_id).first()

    def send(self, job: WindowComputation) -> list[int]:
        WindowComputation.objects.filter(pk=job.pk, status__in=OPEN).update(
            status=WindowComputation.Status.RUNNING, heartbeat_at=timezone.now()
        )
        return super().send(job)


CHUNKS = LaunchScreenChunks()


def screening_chunks_start(*, computation: WindowComputation, plan: ScreeningPlan) -> WindowComputation:
    """Cut the catalog into chunks, store the plan on the computation, and send the chunks to the workers."""
    plan = dataclasses.replace(plan, ranges=catalog_ranges(settings.SCREENING_CHUNK_OBJECTS))
    return CHUNKS.start(
        computation,
        plan=plan.to_json(),
        chunks=len(plan.ranges),
        progress=PROGRESS_BEFORE_SCREENING,
        stage=f"Screening {len(plan.windows)} windows against {plan.catalog_size} objects in {len(plan.ranges)} chunks",
    )


def screening_chunks_send(*, computation: WindowComputation) -> list[int]:
    """Send the chunks that have no result yet (all of them the first time); returns their indexes."""
    return CHUNKS.send(computation)


def screening_chunk_run(*, computation_id: int, index: int, worker: str = "") -> str:
    """Screen chunk `index` of a computation, store its row, and join the chunks if it is the last one.

    Returns what happened: "skipped" (computation finished or failed), "stored", "joined" or "failed".
    """
    return CHUNKS.run(computation_id, index, worker)
