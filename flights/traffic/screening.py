"""Our own on-orbit screening as a periodic job (CARA practice: LEO screened about three times a day, 7 days ahead).

- `screening_sweep` (beat, every minute): sends a stalled run to a worker again (flights.jobs, the window
  computation's heartbeat model) and queues a run when the last one was requested
  TRAFFIC_SCREENING_INTERVAL_HOURS ago or more, or sooner when a protected object in orbit was registered
  (or its flight lifted off) after the last run began. The schedule lives in the database (the runs), so a
  beat restart or a changed interval never loses or doubles a run.
- `screening_run_soon` (TrafficConfig.ready connects it to an orbital flight's liftoff and to a new protected
  object of a flight in orbit): queues a run once the change commits, so a new object is not left unscreened
  (NO-GO, flights.traffic.readiness) until the next interval; while a run is already going, the sweep's rule
  above queues the next one as soon as it ends.
- `screening_run_execute` (the task `traffic.run_orbit_screening`): screens each protected object in orbit
  (an orbital flight's vehicle, or the station it is docked to) TRAFFIC_SCREENING_DAYS ahead against the
  tracked catalog inside its vehicle model's screening volume, and records each close approach through
  `services.observation_record` (no covariance, so no Pc: the tier comes from the volume). A CDM already
  received for the same pair and TCA supersedes the screening result (kept, not used). Known screening
  events the new run no longer finds inside the volume are re-assessed near their TCA and updated.

Objects docked to the protected one are never its conjunctions: the other protected objects of the same
flight (its vehicle and the station it is docked to) are excluded, and catalog objects that move with it
all span (modules and visiting vehicles published with the station's elements) are listed as attached.

Stale elements (flights.catalog.uncertainty_policy, the launch screen's: SCREENING_MAX_ELEMENT_AGE_DAYS 7,
SCREENING_ERROR_GROWTH_KM_PER_DAY 2): every element set, the protected object's included, older than the
limit at some time of the span is screened with the volume grown by growth x its age (the bound and the
filters: flights.orbits.conjunction.screening); the database's shell filter widens its reach to match
(`_shell_rows`). What is found only inside the grown volume is listed per protected object as `uncertain`
(name, catalog number, element ages, miss, allowance), not recorded as an event: readiness makes it
WAIVABLE. So are catalog objects SGP4 cannot propagate (other than re-entered ones, SGP4 error 6) and
attached objects that are not the flight's own (flights.traffic.readiness).

Fail closed: an empty catalog or one older than CATALOG_MAX_AGE_HOURS (the launch screening's rule) fails the
run with the reason; a protected object that cannot be screened (no catalog entry, elements older than
SCREENING_MAX_ELEMENT_AGE_DAYS, SGP4 failure) is recorded as failed with its reason. The Traffic readiness
check turns either into NO-GO (flights.traffic.readiness), never into "no events".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from flights.catalog import catalog_status, element_set_of, tracked_object_fields, uncertainty_policy
from flights.chunks import ChunkedScreen, catalog_ranges, catalog_rows
from flights.dispatch import dispatch_after_commit
from flights.jobs import stale_rows_requeue
from flights.models import Flight, Regime, TrackedObject
from flights.orbits.conjunction.screening import (
    SHELL_PAD_KM,
    CloseApproach,
    closest_approach_near,
    element_allowance_km,
    screen_orbit,
)
from flights.orbits.conjunction.screening_parts import merge_orbit_results, orbit_result_from_json, orbit_result_to_json
from flights.orbits.element_set import ElementSet
from flights.orbits.errors import OrbitError
from flights.orbits.screening_types import SGP4_DECAYED, UncertaintyPolicy
from flights.traffic import services, tiers
from flights.traffic.exceptions import DomainError, DuplicateMessage
from flights.traffic.models import (
    ConjunctionEvent,
    CovarianceState,
    ProtectedObject,
    ScreeningRun,
    ScreeningRunChunk,
    Source,
)

logger = logging.getLogger(__name__)
ACTIVE = (ScreeningRun.Status.QUEUED, ScreeningRun.Status.RUNNING)


class ScreeningRefused(DomainError):
    code = "screening_refused"


class Unscreenable(Exception):
    """A protected object cannot be screened; the message says why."""


def _interval() -> dt.timedelta:
    return dt.timedelta(hours=settings.TRAFFIC_SCREENING_INTERVAL_HOURS)


def screening_sweep(*, now: dt.datetime | None = None) -> dict:
    """Beat: requeue a stalled run, and queue a new one when one is due; running it twice changes nothing."""
    from flights.traffic.tasks import run_orbit_screening

    now = now or timezone.now()
    counts = stale_rows_requeue(
        model=ScreeningRun,
        task=run_orbit_screening,
        label="On-orbit screening run",
        now=now,
        retry_hint="check that Celery workers are running; the beat queues the next run when it is due.",
    )
    run = screening_run_request(now=now, only_when_due=True)
    return {**counts, "queued": run.pk if run else None}


def screening_run_request(
    *, now: dt.datetime | None = None, only_when_due: bool = False, dispatch: bool = True
) -> ScreeningRun | None:
    """Queue a run (sent to a worker after commit unless `dispatch` is False: the caller runs it). Refused
    (409) while one is queued or running; with `only_when_due`, returns None instead, and also while the
    last one is younger than the interval."""
    from flights.traffic.tasks import run_orbit_screening

    now = now or timezone.now()
    with transaction.atomic():
        latest = ScreeningRun.objects.select_for_update().order_by("-requested_at", "-id").first()
        if latest is not None and latest.is_active:
            if only_when_due:
                return None
            raise ScreeningRefused(
                f"An on-orbit screening is already {latest.get_status_display().lower()} "
                f"({latest.progress_percent}%): wait for it to finish."
            )
        if only_when_due and latest is not None and latest.requested_at > now - _interval() and not _new_in_orbit(latest):
            return None
        run = ScreeningRun.objects.create(
            requested_at=now, heartbeat_at=now, stage="Waiting for a worker", span_days=settings.TRAFFIC_SCREENING_DAYS
        )
        if dispatch:
            dispatch_after_commit(run_orbit_screening, run.pk)
    return run


def _new_in_orbit(run: ScreeningRun) -> bool:
    """A protected object in orbit registered, or its flight launched, after the run began (it is not in it)."""
    began = run.span_start or run.requested_at
    return (
        ProtectedObject.objects.filter(is_active=True, flight__status=Flight.Status.LAUNCHED)
        .filter(Q(created_at__gt=began) | Q(flight__launched_at__gt=began))
        .exists()
    )


def screening_run_soon(**_) -> None:
    """Queue a run when the caller's transaction commits (a protected object or a flight in orbit is new)."""

    def request() -> None:
        # Refused while one is queued (it covers them) or running (the sweep queues the next as soon as it ends).
        with contextlib.suppress(ScreeningRefused):
            screening_run_request()

    transaction.on_commit(request)


def on_flight_status_changed(sender, flight: Flight, to_status: str, **kwargs) -> None:
    if to_status == Flight.Status.LAUNCHED and (
        flight.itinerary.regime if flight.itinerary_id else flight.vehicle.model.regime
    ) == Regime.ORBITAL:
        screening_run_soon()


def on_protected_object_saved(sender, instance: ProtectedObject, created: bool, **kwargs) -> None:
    if created and instance.is_active and instance.flight.status == Flight.Status.LAUNCHED:
        screening_run_soon()


def _progress(run: ScreeningRun, percent: int, stage: str) -> None:
    # Outside any transaction, so the board sees it while the run goes; each step is also its heartbeat.
    ScreeningRun.objects.filter(pk=run.pk).update(
        progress_percent=max(0, min(percent, 99)), stage=stage[:200], heartbeat_at=timezone.now()
    )


def _fail(run: ScreeningRun, message: str, *, finished_at: dt.datetime, **fields) -> ScreeningRun:
    ScreeningRun.objects.filter(pk=run.pk).update(
        status=ScreeningRun.Status.FAILED, error=message, stage="Failed", finished_at=finished_at, **fields
    )
    logger.error("On-orbit screening run %s failed: %s", run.pk, message)
    run.refresh_from_db()
    return run


def protected_objects_in_orbit() -> list[ProtectedObject]:
    return list(
        ProtectedObject.objects.filter(is_active=True, flight__status=Flight.Status.LAUNCHED)
        .select_related("flight__vehicle__model")
        .order_by("flight__code", "kind", "designator")
    )


def screening_run_execute(*, run_id: int, now: dt.datetime | None = None, in_process: bool = False) -> ScreeningRun:
    """Screen every protected object in orbit from `now` (default: the clock) and record the approaches.

    In this process when TRAFFIC_SCREENING_CHUNK_OBJECTS is 0 or `in_process` (`manage.py screen_orbits`);
    otherwise it plans the run and sends one `traffic.screen_orbit_chunk` task per catalog range, the last of
    which records the approaches (`screening_chunk_run`), and returns with the run still running.
    """
    started = timezone.now()
    now = now or started
    # Its chunks were sent before and the stale-job sweep requeued it: send again the ones still missing.
    if ScreeningRun.objects.filter(pk=run_id, status=ScreeningRun.Status.QUEUED, chunks_total__gt=0).update(
        status=ScreeningRun.Status.RUNNING, heartbeat_at=started
    ):
        run = ScreeningRun.objects.get(pk=run_id)
        screening_chunks_send(run=run)
        return run
    # Claim it: only a queued run starts (the stale-job sweep puts a silent one back to queued), so a
    # redelivered message never runs a run twice at once, nor one already finished.
    claimed = ScreeningRun.objects.filter(pk=run_id, status=ScreeningRun.Status.QUEUED).update(
        status=ScreeningRun.Status.RUNNING,
        started_at=started,
        heartbeat_at=started,
        progress_percent=1,
        stage="Checking the catalog",
        span_start=now,
    )
    run = ScreeningRun.objects.get(pk=run_id)
    if not claimed:
        return run
    catalog = catalog_status(now=now)
    catalog_fields = {"catalog_imported_at": catalog.imported_at, "catalog_size": catalog.size}
    if catalog.problem:
        return _fail(run, catalog.problem, finished_at=now + (timezone.now() - started), **catalog_fields)
    protected = protected_objects_in_orbit()
    if settings.TRAFFIC_SCREENING_CHUNK_OBJECTS and protected and not in_process:
        return _chunks_start(run, protected, now=now, **catalog_fields)
    results = []
    for index, item in enumerate(protected):

        def report(done: int, total: int, index=index, item=item) -> None:
            share = (index + done / max(total, 1)) / len(protected)
            _progress(
                run,
                5 + int(90 * share),
                f"Screening {item.name} ({index + 1} of {len(protected)}): {done} of {total} catalog objects",
            )

        report(0, 1)
        try:
            planned = _plan_one(item, protected, now=now)
            rows = _shell_rows(TrackedObject.objects.all(), planned)
            catalog_part = [element_set_of(row) for row in rows.iterator(chunk_size=2000)]
            result = _screen_part(planned, catalog_part, start=now, days=run.span_days, progress=report)
            entry = _finish_one(run, item, planned, result, now=now, catalog=catalog_part)
        except Unscreenable as reason:
            entry = _unscreened(run, item, reason)
        results.append(entry)
    return _done(run, results, finished_at=now + (timezone.now() - started), **catalog_fields)


def _unscreened(run: ScreeningRun, item: ProtectedObject, reason) -> dict:
    logger.error("On-orbit screening run %s could not screen %s: %s", run.pk, item, reason)
    return {
        "protected_id": item.pk,
        "designator": item.designator,
        "name": item.name,
        "flight": item.flight.code,
        "status": "failed",
        "reason": str(reason),
    }


def _done(run: ScreeningRun, results: list[dict], *, finished_at: dt.datetime, **fields) -> ScreeningRun:
    totals = {name: sum(entry.get(name, 0) for entry in results) for name in TOTALS}
    screened = sum(1 for entry in results if entry["status"] == "screened")
    unscreened = len(results) - screened
    stage = (
        f"{screened} protected objects screened, {totals['approaches_found']} approaches inside the volume "
        f"({totals['events_created']} new events)" + (f"; {unscreened} could not be screened" if unscreened else "")
    )
    ScreeningRun.objects.filter(pk=run.pk).update(
        status=ScreeningRun.Status.DONE,
        progress_percent=100,
        stage=stage[:200],
        finished_at=finished_at,  # on the run's clock (`now` may be injected)
        heartbeat_at=timezone.now(),
        objects_screened=screened,
        results=results,
        **totals,
        **fields,
    )
    run.refresh_from_db()
    return run


TOTALS = ("approaches_found", "events_created", "events_updated")


def _elements_for(item: ProtectedObject, flight_objects: list[ProtectedObject], now: dt.datetime) -> ElementSet:
    """The protected object's element set: its own catalog entry, or (a vehicle docked to a station, not yet
    catalogued itself) the station's, which it moves with. Refused when too old to screen with."""
    own = TrackedObject.objects.filter(norad_id=int(item.designator)).first() if item.designator.isdigit() else None
    source = ""
    if own is None and item.kind == ProtectedObject.Kind.VEHICLE:
        station = next((o for o in flight_objects if o.kind == ProtectedObject.Kind.STATION), None)
        if station is not None and station.designator.isdigit():
            own = TrackedObject.objects.filter(norad_id=int(station.designator)).first()
            source = f" (docked to {station.name}: its elements)"
    if own is None:
        raise Unscreenable(
            f"{item.name} ({item.designator}) is not in the tracked-object catalog: its orbit is unknown, so its "
            "conjunctions cannot be screened. Import a catalog that has it, or correct its catalog number."
        )
    elements = element_set_of(own)
    age_days = (now - elements.epoch).total_seconds() / 86400.0
    if age_days > settings.SCREENING_MAX_ELEMENT_AGE_DAYS:
        raise Unscreenable(
            f"The elements of {item.name}{source} are {age_days:.1f} days old (limit "
            f"{settings.SCREENING_MAX_ELEMENT_AGE_DAYS:g}): refresh the catalog before screening."
        )
    return elements


@dataclass(frozen=True)
class PlannedObject:
    """What screening one protected object needs, the same in every chunk: its elements, volume, docked ids, the
    span it was planned for and the stale-elements policy (flights.catalog.uncertainty_policy)."""

    protected_id: int
    name: str
    elements: ElementSet
    volume_km: tuple[float, float, float]
    docked: frozenset[int]
    span_start: dt.datetime
    span_days: float
    policy: UncertaintyPolicy

    def to_json(self) -> dict:
        return {
            "protected_id": self.protected_id,
            "name": self.name,
            "elements": tracked_object_fields(self.elements)["mean_elements"],
            "volume_km": list(self.volume_km),
            "docked": sorted(self.docked),
            "span_start": self.span_start.isoformat(),
            "span_days": self.span_days,
            "policy": [self.policy.max_element_age_days, self.policy.in_track_growth_km_per_day],
        }

    @classmethod
    def from_json(cls, data: dict) -> PlannedObject:
        fields = {**data["elements"], "epoch": dt.datetime.fromisoformat(data["elements"]["epoch"])}
        return cls(
            data["protected_id"],
            data["name"],
            ElementSet(**fields),
            tuple(data["volume_km"]),
            frozenset(data["docked"]),
            dt.datetime.fromisoformat(data["span_start"]),
            data["span_days"],
            UncertaintyPolicy(*data["policy"]),
        )


def _plan_one(item: ProtectedObject, protected: list[ProtectedObject], *, now) -> PlannedObject:
    flight_objects = [o for o in protected if o.flight_id == item.flight_id]
    elements = _elements_for(item, flight_objects, now)
    # Docked together: the flight's vehicle and the station it is docked to are never each other's conjunctions.
    docked = frozenset(int(o.designator) for o in flight_objects if o.pk != item.pk and o.designator.isdigit())
    volume_km = tiers.thresholds_for(item.flight.vehicle.model.name).volume_km
    return PlannedObject(
        item.pk, item.name, elements, volume_km, docked, now, settings.TRAFFIC_SCREENING_DAYS, uncertainty_policy()
    )


def _shell_rows(rows, planned: PlannedObject):
    """The catalog rows whose band can reach the protected object's volume (the shell filter, in the database),
    widened for stale elements: a row whose epoch is within the policy's age limit A of the span's start is at
    most A + span days old over the span, so its allowance is at most growth x (A + span), added to the reach
    with the protected object's own; a row further from it is loaded whatever its band (screen_orbit filters
    it exactly)."""
    policy, start = planned.policy, planned.span_start
    own = element_allowance_km(planned.elements, policy=policy, start=start, days=planned.span_days)
    limit = dt.timedelta(days=policy.max_element_age_days)
    reach = (
        max(planned.volume_km)
        + SHELL_PAD_KM
        + own
        + policy.in_track_growth_km_per_day * (policy.max_element_age_days + planned.span_days)
    )
    band = Q(apogee_km__gte=planned.elements.perigee_km - reach, perigee_km__lte=planned.elements.apogee_km + reach)
    return rows.filter(band | Q(epoch__lt=start - limit) | Q(epoch__gt=start + limit))


def _screen_part(planned: PlannedObject, catalog, *, start, days, progress=None):
    if start != planned.span_start or days > planned.span_days:  # the rows were chosen for the planned span
        raise Unscreenable(
            f"{planned.name} was planned for {planned.span_days:g} days from {planned.span_start:%Y-%m-%d %H:%M} UTC, "
            f"not {days:g} days from {start:%Y-%m-%d %H:%M} UTC: run the screening again."
        )
    try:
        return screen_orbit(
            protected=planned.elements,
            catalog=catalog,
            start=start,
            days=days,
            volume_km=planned.volume_km,
            exclude_ids=planned.docked,
            progress=progress,
            uncertainty=planned.policy,
        )
    except OrbitError as error:
        raise Unscreenable(f"{planned.name} cannot be screened: {error}.") from None


def _finish_one(run, item: ProtectedObject, planned: PlannedObject, result, *, now, catalog=()) -> dict:
    """Record the approaches of one protected object's (whole or merged) screen; its entry in the run's results."""
    elements, docked = planned.elements, set(planned.docked)
    counts = {
        "approaches_found": len(result.approaches),
        "events_created": 0,
        "events_updated": 0,
        "superseded": 0,
        "already_recorded": 0,
    }
    for approach in result.approaches:
        _record(run, item, approach, counts, now=now)
    never = docked | {a.norad_id for a in result.attached}  # not conjunctions: nothing to re-assess either
    counts["events_updated"] += _reassess_missing(run, item, elements, result.approaches, catalog, never, now=now)
    return {
        "protected_id": item.pk,
        "designator": item.designator,
        "name": item.name,
        "flight": item.flight.code,
        "status": "screened",
        "norad_id": elements.norad_id,
        "volume_km": list(planned.volume_km),
        "catalog_objects": result.screened_count,
        # Every one passed the shell filter (screen_orbit propagates no other): its band reaches ours. Decayed
        # ones (SGP4 error 6) close nothing; any other failure is not cleared (flights.traffic.readiness).
        "failed_objects": [
            {"norad_id": n, "name": name, "error_code": code, "decayed": code == SGP4_DECAYED}
            for n, name, code in result.failed
        ],
        "excluded": [{"norad_id": n, "name": name} for n, name in result.excluded],
        "attached": [
            {"norad_id": a.norad_id, "name": a.name, "max_distance_km": round(a.max_distance_km, 3)}
            for a in result.attached
        ],
        # Found only inside the volume grown for stale elements: not events, not known to miss either.
        "uncertain": [
            {
                "norad_id": u.norad_id,
                "name": u.name,
                "tca": u.tca.isoformat(),
                "miss_km": round(u.miss_km, 3),
                "miss_rtn_km": [round(value, 3) for value in u.miss_rtn_km],
                "element_age_days": round(u.element_age_days, 1),
                "protected_element_age_days": round(u.protected_element_age_days, 1),
                "allowance_km": round(u.allowance_km, 1),
            }
            for u in result.uncertain
        ],
        "seconds": round(result.stats["total_s"], 2),
        **counts,
    }


# -- In catalog chunks, on several workers --------------------------------------------------------------------


class OrbitScreenChunks(ChunkedScreen):
    """The on-orbit run's chunks: each screens every planned protected object against the rows of its slice of
    the catalog inside that object's shell; the join merges each object's parts and records its approaches."""

    name = "on-orbit screening run"
    job_model = ScreeningRun
    chunk_model = ScreeningRunChunk
    job_field = "run"
    chunks_name = "chunks"
    progress_from = 5
    progress_share = 90

    def task(self):
        from flights.traffic.tasks import screen_orbit_chunk

        return screen_orbit_chunk

    def compute(self, run: ScreeningRun, plan: dict, norad_from, norad_before, beat) -> tuple[list, int]:
        rows = catalog_rows(norad_from, norad_before)
        object_count = rows.count()
        parts = []
        for entry in plan["objects"]:
            if "planned" not in entry:
                parts.append(None)
                continue
            beat()
            planned = PlannedObject.from_json(entry["planned"])
            catalog = [element_set_of(row) for row in _shell_rows(rows, planned).iterator(chunk_size=2000)]
            try:
                result = _screen_part(planned, catalog, start=run.span_start, days=run.span_days, progress=beat)
                parts.append(orbit_result_to_json(result))
            except Unscreenable as reason:
                parts.append({"unscreenable": str(reason)})
        return parts, object_count

    def pending_detail(self, plan: dict) -> str:
        return f"{len(plan['objects'])} protected objects"

    def catalog_size(self, run: ScreeningRun, plan: dict) -> int:
        return run.catalog_size

    def shortfall(self, loaded: int, size: int) -> str:
        return (
            f"The screening chunks found {loaded} catalog objects but the catalog held {size} when the run began: "
            "not every object was screened. Run the screening again."
        )

    def finished_at(self, run: ScreeningRun) -> dt.datetime:
        return _run_clock(run)

    def join(self, run: ScreeningRun, plan: dict, chunks: list[ScreeningRunChunk]) -> None:
        items = ProtectedObject.objects.select_related("flight__vehicle__model").in_bulk(
            [entry["protected_id"] for entry in plan["objects"]]
        )
        results = []
        for position, entry in enumerate(plan["objects"]):
            item = items.get(entry["protected_id"])
            if item is None or not item.is_active:  # no longer protected while the chunks ran: nothing to record
                continue
            parts = [chunk.results[position] for chunk in chunks]
            reason = entry.get("unscreenable") or next((p["unscreenable"] for p in parts if "unscreenable" in p), None)
            if reason:
                results.append(_unscreened(run, item, reason))
                continue
            merged = merge_orbit_results([orbit_result_from_json(part) for part in parts])
            planned = PlannedObject.from_json(entry["planned"])
            results.append(_finish_one(run, item, planned, merged, now=run.span_start))
        _done(run, results, finished_at=_run_clock(run))


CHUNKS = OrbitScreenChunks()


def _chunks_start(run: ScreeningRun, protected: list[ProtectedObject], *, now, **catalog_fields) -> ScreeningRun:
    """Plan each protected object (or its reason it cannot be screened), cut the catalog into ranges, store the
    plan on the run and send the chunks."""
    objects = []
    for item in protected:
        try:
            objects.append({"protected_id": item.pk, "planned": _plan_one(item, protected, now=now).to_json()})
        except Unscreenable as reason:
            objects.append({"protected_id": item.pk, "unscreenable": str(reason)})
    ranges = catalog_ranges(settings.TRAFFIC_SCREENING_CHUNK_OBJECTS)
    return CHUNKS.start(
        run,
        plan={"objects": objects, "ranges": ranges},
        chunks=len(ranges),
        progress=5,
        stage=(
            f"Screening {len(protected)} protected objects against {catalog_fields['catalog_size']} catalog "
            f"objects in {len(ranges)} chunks"
        ),
        **catalog_fields,
    )


def screening_chunks_send(*, run: ScreeningRun) -> list[int]:
    """Send the chunks that have no row yet (all of them the first time); returns their indexes."""
    return CHUNKS.send(run)


def _run_clock(run: ScreeningRun) -> dt.datetime:
    """Now on the run's clock (its span start may be injected), as the one-process run stamps `finished_at`."""
    return run.span_start + (timezone.now() - run.started_at)


def screening_chunk_run(*, run_id: int, index: int, worker: str = "") -> str:
    """Screen every planned protected object against chunk `index` of the catalog, store its row, and join the
    chunks (under the run's row lock: exactly once) if it is the last one. Returns "skipped" (run finished or
    failed), "stored", "joined" or "failed"."""
    return CHUNKS.run(run_id, index, worker)


def _observation(run: ScreeningRun, item: ProtectedObject, approach: CloseApproach, now) -> services.Observation:
    return services.Observation(
        source=Source.SCREENING,
        protected_designator=item.designator,
        other_designator=str(approach.norad_id),
        other_name=approach.name,
        tca=approach.tca,
        miss_distance_m=approach.miss_km * 1000.0,
        miss_rtn_m=tuple(value * 1000.0 for value in approach.miss_rtn_km),
        relative_speed_m_s=approach.relative_speed_km_s * 1000.0,
        pc=None,  # catalog element sets carry no covariance
        hbr_m=settings.TRAFFIC_DEFAULT_HBR_M,
        covariance=CovarianceState.NONE,
        # One per run, pair and TCA: a redelivered run records nothing twice.
        message_id=f"SCREENING-{run.pk}-{item.designator}-{approach.norad_id}-{approach.tca:%Y%m%dT%H%M%S}",
        originator=settings.TRAFFIC_ORIGINATOR,
        created_by_originator_at=now,
    )


def _record(run, item, approach: CloseApproach, counts: dict, *, now) -> None:
    try:
        recorded = services.observation_record(observation=_observation(run, item, approach, now))
    except DuplicateMessage:
        counts["already_recorded"] += 1
        return
    except DomainError as refusal:  # a closed event for this pair and TCA takes no update
        logger.warning("Screening approach %s x %s not recorded: %s", item, approach.norad_id, refusal)
        return
    if recorded.update.superseded:
        counts["superseded"] += 1
    elif recorded.created:
        counts["events_created"] += 1
    else:
        counts["events_updated"] += 1


def _reassess_missing(run, item, elements: ElementSet, approaches, catalog, never: set[int], *, now) -> int:
    """Open events from our screening, TCA inside the span, that this run did not find inside the volume:
    their pair's closest approach near the old TCA is recorded (outside the volume: green)."""
    window = dt.timedelta(minutes=settings.TRAFFIC_SAME_EVENT_MINUTES)
    end = now + dt.timedelta(days=run.span_days)
    found = {(str(a.norad_id), a.tca) for a in approaches}
    events = ConjunctionEvent.objects.filter(
        protected=item, status=ConjunctionEvent.Status.OPEN, source=Source.SCREENING, tca__gte=now, tca__lte=end
    )
    by_id = {str(e.norad_id): e for e in catalog}
    updated = 0
    for event in events:
        if any(other == event.other_designator and abs(tca - event.tca) <= window for other, tca in found):
            continue
        if event.other_designator in {str(norad_id) for norad_id in never}:
            continue
        other = by_id.get(event.other_designator)
        if other is None and event.other_designator.isdigit():
            row = TrackedObject.objects.filter(norad_id=int(event.other_designator)).first()
            other = element_set_of(row) if row else None
        if other is None:
            continue
        approach = closest_approach_near(
            protected=elements, other=other, around=event.tca, window_s=window.total_seconds()
        )
        if approach is None:
            continue
        counts = {"already_recorded": 0, "superseded": 0, "events_created": 0, "events_updated": 0}
        _record(run, item, approach, counts, now=now)
        updated += counts["events_updated"]
    return updated
