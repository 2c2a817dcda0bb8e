"""A screen spread over catalog chunks on several workers: the machinery the launch screen
(flights/launch_screening.py) and the on-orbit screening run (flights/traffic/screening.py) share.

A job row (a window computation, a screening run) carries a plan: the catalog-number ranges [from, before) of
its chunks, cut by `catalog_ranges`, and whatever a chunk needs to compute its part. One Celery task per range
computes its part from that slice of the catalog only and stores a chunk row, unique per (job, index). The
chunk that brings the last row joins them in the same transaction under the job's row lock, so the join
happens exactly once: a chunk run twice (acks-late redelivery) finds its row, a join run twice finds the job
finished. Fail closed: a chunk that fails fails the whole job with the reason, and the join refuses when the
chunks loaded fewer objects than the catalog held when the plan was made. A lost chunk message leaves the
job's heartbeat to go stale; the stale-job sweep (flights.jobs) requeues the job, whose task sends again only
the chunks that have no row (`ChunkedScreen.send`).

What a chunk computes, how the parts merge and what the join records stay in each job's module: a subclass of
`ChunkedScreen` fills in the hooks.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import traceback

from django.db import transaction
from django.utils import timezone

from flights.dispatch import dispatch_safely
from flights.models import TrackedObject

logger = logging.getLogger(__name__)


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


def range_label(norad_from: int | None, norad_before: int | None) -> str:
    if norad_from is None and norad_before is None:
        return "every catalog number"
    if norad_from is None:
        return f"catalog numbers below {norad_before}"
    if norad_before is None:
        return f"catalog numbers from {norad_from}"
    return f"catalog numbers {norad_from}-{norad_before - 1}"


class ChunkedScreen:
    """One kind of chunked job. The job model has status (QUEUED, RUNNING, FAILED), heartbeat_at, progress_percent,
    stage, error, finished_at, screening_plan and chunks_total; the chunk model has `job_field` (its foreign key
    to the job, whose reverse accessor is `chunks_name`), index, norad_from, norad_before, object_count, results,
    cpu_seconds and worker."""

    name: str  # in logs: "window computation"
    job_model: type
    chunk_model: type
    job_field: str
    chunks_name: str
    progress_from: int  # percent when the chunks are sent; they share `progress_share` more
    progress_share: int

    # -- The hooks: what is particular to the job -----------------------------------------------------------

    def task(self):
        """The Celery task that runs one chunk: `task.delay(job_id, index)`."""
        raise NotImplementedError

    def plan_of(self, job):
        """The job's stored plan, decoded."""
        return job.screening_plan

    def ranges(self, plan) -> list:
        return plan["ranges"]

    def compute(self, job, plan, norad_from: int | None, norad_before: int | None, beat) -> tuple[list, int]:
        """One chunk's part (JSON, stored as the chunk's results) and how many catalog objects it loaded; `beat()`
        stamps the job's heartbeat. Any exception fails the job closed with its message."""
        raise NotImplementedError

    def pending_detail(self, plan) -> str:
        """What the stage says the chunks screen, e.g. "3 windows"."""
        raise NotImplementedError

    def catalog_size(self, job, plan) -> int:
        """How many objects the catalog held when the plan was made."""
        raise NotImplementedError

    def shortfall(self, loaded: int, size: int) -> str:
        """The job's error when the chunks loaded fewer objects than the catalog held."""
        raise NotImplementedError

    def join(self, job, plan, chunks: list) -> None:
        """Merge the chunks' parts and store the result (inside the last chunk's transaction, the job locked)."""
        raise NotImplementedError

    def lock(self, job) -> None:
        """Rows to lock before the job's own row, in the order the rest of the job's code locks them."""

    def finished_at(self, job) -> dt.datetime:
        return timezone.now()

    # -- The machinery ---------------------------------------------------------------------------------------

    def open_statuses(self) -> tuple:
        return (self.job_model.Status.QUEUED, self.job_model.Status.RUNNING)

    def start(self, job, *, plan: dict, chunks: int, progress: int, stage: str, **fields):
        """Store the plan on the job and send the chunks. Written before any chunk is sent (the job's task runs
        outside a transaction, so this commits first): each chunk reads the plan from this row."""
        self.job_model.objects.filter(pk=job.pk).update(
            screening_plan=plan,
            chunks_total=chunks,
            heartbeat_at=timezone.now(),
            progress_percent=progress,
            stage=stage[:200],
            **fields,
        )
        job.refresh_from_db()
        self.send(job)
        job.refresh_from_db()
        return job

    def send(self, job) -> list[int]:
        """Send the chunks that have no row yet (all of them the first time); returns their indexes."""
        stored = set(getattr(job, self.chunks_name).values_list("index", flat=True))
        missing = [index for index in range(job.chunks_total) if index not in stored]
        task = self.task()
        for index in missing:
            dispatch_safely(task, job.pk, index)
        return missing

    def run(self, job_id: int, index: int, worker: str = "") -> str:
        """Compute chunk `index` of a job, store its row, and join the chunks if it is the last one.

        Returns what happened: "skipped" (job finished or failed), "stored", "joined" or "failed".
        """
        job = self.job_model.objects.filter(pk=job_id).first()
        if job is None or job.status not in self.open_statuses() or not job.screening_plan:
            return "skipped"
        plan = self.plan_of(job)
        ranges = self.ranges(plan)
        norad_from, norad_before = ranges[index]
        label = f"chunk {index + 1} of {len(ranges)} ({range_label(norad_from, norad_before)})"
        results, object_count, cpu_s = None, 0, 0.0

        def beat(done: int = 0, total: int = 0) -> None:  # each step of a chunk is the job's heartbeat
            self.job_model.objects.filter(pk=job_id, status__in=self.open_statuses()).update(
                heartbeat_at=timezone.now()
            )

        if not getattr(job, self.chunks_name).filter(index=index).exists():  # a redelivered chunk skips the work
            beat()
            started = time.process_time()
            try:
                results, object_count = self.compute(job, plan, norad_from, norad_before, beat)
            except Exception as exc:  # fail closed: the whole job fails with the reason, never a partial one
                logger.exception("Screening %s of %s %s failed", label, self.name, job_id)
                # The logged traceback may outlive this transaction: its frames' open catalog cursors close now.
                traceback.clear_frames(exc.__traceback__)
                self.fail(job, f"Screening {label} failed: {type(exc).__name__}: {exc}")
                return "failed"
            cpu_s = time.process_time() - started

        with transaction.atomic():
            self.lock(job)
            current = self.job_model.objects.select_for_update().get(pk=job_id)
            if current.status not in self.open_statuses():
                return "skipped"
            if results is not None:
                self.chunk_model.objects.get_or_create(
                    **{self.job_field: current},
                    index=index,
                    defaults={
                        "norad_from": norad_from,
                        "norad_before": norad_before,
                        "object_count": object_count,
                        "results": results,
                        "cpu_seconds": cpu_s,
                        "worker": worker[:200],
                    },
                )
            chunks = list(getattr(current, self.chunks_name).order_by("index"))
            total = len(ranges)
            if len(chunks) < total:
                self.job_model.objects.filter(pk=current.pk).update(
                    heartbeat_at=timezone.now(),
                    progress_percent=self.progress_from + self.progress_share * len(chunks) // total,
                    stage=f"Screened {len(chunks)} of {total} catalog chunks ({self.pending_detail(plan)})"[:200],
                )
                return "stored"
            loaded, size = sum(chunk.object_count for chunk in chunks), self.catalog_size(current, plan)
            if loaded < size:
                self.fail(current, self.shortfall(loaded, size))
                return "failed"
            self.join(current, plan, chunks)
            return "joined"

    def fail(self, job, message: str) -> None:
        """Fail the job with the reason, unless it is finished already."""
        self.job_model.objects.filter(pk=job.pk, status__in=self.open_statuses()).update(
            status=self.job_model.Status.FAILED,
            error=message,
            stage="Failed",
            finished_at=self.finished_at(job),
        )
        logger.error("%s %s failed: %s", self.name.capitalize(), job.pk, message)
