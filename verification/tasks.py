"""Celery tasks of the verification app: thin, they call one selector or service.

Both are read-only on the evidence and idempotent: what they tell people goes through the outbox with a
dedupe key, so a retry or a second run in the same window tells nobody twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from flights import roles
from flights.notifications import notification_queue
from verification.integrity import verify_all

logger = logging.getLogger(__name__)

# The integrity check runs every 6 hours (config/settings.py): one alarm per finding set per window.
ALARM_WINDOW_HOURS = 6


def _directors():
    return (
        get_user_model()
        .objects.filter(groups__name=roles.FLIGHT_DIRECTOR, is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def _window_start(now: dt.datetime) -> dt.datetime:
    now = now.astimezone(dt.UTC)
    return now.replace(hour=now.hour - now.hour % ALARM_WINDOW_HOURS, minute=0, second=0, microsecond=0)


FILE_STORE_RETRY_SECONDS = 10 * 60


def _alert_operations_file_store_down(error: str) -> None:
    """ "File store unreachable" goes to operations (through the outbox), once per hour: not a tamper alarm."""
    from django.db import transaction
    from django.utils import timezone

    from flights.notifications import notification_queue

    hour = timezone.now().strftime("%Y-%m-%dT%H")
    operators = get_user_model().objects.filter(groups__name=roles.OPERATIONS, is_active=True)
    with transaction.atomic():
        for email in sorted({email for email in operators.values_list("email", flat=True) if email}):
            notification_queue(
                dedupe_key=f"file-store-unreachable:{hour}:{email}",
                recipient=email,
                subject="File store unreachable: attachment files not verified",
                body=(
                    "The periodic sign-off integrity check could not reach the file store, so it did not re-read the "
                    f"verification attachments. It retries in {FILE_STORE_RETRY_SECONDS // 60} minutes. "
                    f"This is not tampering: the store did not answer.\n\n{error}"
                ),
            )


@shared_task(name="verification.verify_signoff_chain", acks_late=True, bind=True, max_retries=12)
def verify_signoff_chain(self) -> dict[str, int]:
    """Periodic `verify_signoffs`: tampering is found within hours, not at the next audit. When it finds a
    problem it tells every flight director through the outbox, once per window for the same findings. A file
    store that does not answer is no tampering: operations are told, and the check runs again later."""
    report = verify_all()
    if report.file_store_error:
        logger.warning("Sign-off integrity: file store unreachable, files not checked: %s", report.file_store_error)
        _alert_operations_file_store_down(report.file_store_error)
    if report.problems:
        logger.error("Sign-off integrity problems:\n%s", "\n".join(report.problems))
        window = _window_start(timezone.now())
        findings = hashlib.sha256("\n".join(sorted(report.problems)).encode()).hexdigest()[:16]
        with transaction.atomic():
            for director in _directors():
                notification_queue(
                    dedupe_key=f"verification-integrity:{window:%Y%m%dT%H}:{findings}:{director.pk}",
                    recipient=director.email,
                    subject=f"Verification sign-offs: {len(report.problems)} integrity problem(s)",
                    body="`manage.py verify_signoffs` found (check of "
                    f"{window:%Y-%m-%d %H:%M} UTC window):\n\n"
                    + "\n".join(report.problems)
                    + "\n\nNo record with a void sign-off counts towards certification until this is resolved.",
                )
    # `files`: the attachments re-read from the file store, so "no problems" also says how much was checked.
    result = {
        "problems": len(report.problems),
        "signoffs": report.signoffs_checked,
        "records": report.records_checked,
        "files": report.files_checked,
    }
    if report.file_store_error:
        result["file_store_unreachable"] = 1
        # Retry soon for the files (not the schedule's six hours); a run that found tampering has said so already.
        if not (
            report.problems
            or self.request.called_directly
            or self.request.is_eager
            or self.request.retries >= self.max_retries
        ):
            raise self.retry(countdown=FILE_STORE_RETRY_SECONDS)
    return result


@shared_task(name="verification.publish_chain_head", acks_late=True)
def publish_chain_head() -> dict[str, object]:
    """Publish the sign-off chain's head outside the database: a log line and a daily email to every flight
    director. Anyone holding an earlier head can later run `verify_signoffs --head SEQ:HASH` to see whether
    it is still in the chain, which catches a history rewritten even by someone with the key."""
    report = verify_all(check_files=False)
    sequence, last_hash = report.head
    today = timezone.now().astimezone(dt.UTC).date()
    state = "verified" if report.ok else f"NOT verified ({len(report.problems)} problem(s))"
    logger.info("Sign-off chain head %s: #%d %s (%s)", today.isoformat(), sequence, last_hash, state)
    with transaction.atomic():
        for director in _directors():
            notification_queue(
                dedupe_key=f"verification-chain-head:{today:%Y%m%d}:{director.pk}",
                recipient=director.email,
                subject=f"Sign-off chain head {today:%Y-%m-%d}: #{sequence}",
                body=(
                    f"The verification sign-off chain ends, on {today:%Y-%m-%d} UTC, at\n\n"
                    f"    #{sequence} {last_hash}\n\nThe chain is {state}.\n\n"
                    "Keep this email. Whoever doubts the sign-off history later can run\n\n"
                    f"    manage.py verify_signoffs --head {sequence}:{last_hash}\n\n"
                    "which says whether this head is still in the chain: if it is not, the history was "
                    "rewritten after today."
                ),
            )
    return {"sequence": sequence, "hash": last_hash, "ok": report.ok}
