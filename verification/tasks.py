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
    return (get_user_model().objects.filter(groups__name=roles.FLIGHT_DIRECTOR, is_active=True)
            .exclude(email="").distinct().order_by("pk"))


def _window_start(now: dt.datetime) -> dt.datetime:
    now = now.astimezone(dt.UTC)
    return now.replace(hour=now.hour - now.hour % ALARM_WINDOW_HOURS, minute=0, second=0, microsecond=0)


@shared_task(name="verification.verify_signoff_chain", acks_late=True)
def verify_signoff_chain() -> dict[str, int]:
    """Periodic `verify_signoffs`: tampering is found within hours, not at the next audit. When it finds a
    problem it tells every flight director through the outbox, once per window for the same findings."""
    report = verify_all()
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
                         f"{window:%Y-%m-%d %H:%M} UTC window):\n\n" + "\n".join(report.problems)
                         + "\n\nNo record with a void sign-off counts towards certification until this is resolved.",
                )
    return {"problems": len(report.problems), "signoffs": report.signoffs_checked, "records": report.records_checked}


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
