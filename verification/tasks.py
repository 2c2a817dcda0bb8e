"""Celery tasks of the verification app: thin, they call one selector or service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail

from flights import roles
from verification.integrity import verify_all

logger = logging.getLogger(__name__)


FILE_STORE_RETRY_SECONDS = 10 * 60


def _alert_operations_file_store_down(error: str) -> None:
    """"File store unreachable" goes to operations (through the outbox), once per hour: not a tamper alarm."""
    from django.db import transaction
    from django.utils import timezone

    from flights.notifications import notification_queue

    hour = timezone.now().strftime("%Y-%m-%dT%H")
    operators = get_user_model().objects.filter(groups__name=roles.OPERATIONS, is_active=True)
    with transaction.atomic():
        for email in sorted({email for email in operators.values_list("email", flat=True) if email}):
            notification_queue(
                dedupe_key=f"file-store-unreachable:{hour}:{email}", recipient=email,
                subject="File store unreachable: attachment files not verified",
                body=("The periodic sign-off integrity check could not reach the file store, so it did not re-read the "
                      f"verification attachments. It retries in {FILE_STORE_RETRY_SECONDS // 60} minutes. "
                      f"This is not tampering: the store did not answer.\n\n{error}"),
            )


@shared_task(name="verification.verify_signoff_chain", acks_late=True, bind=True, max_retries=12)
def verify_signoff_chain(self) -> dict[str, int]:
    """Periodic `verify_signoffs`: tampering is found within hours, not at the next audit. Read-only, so
    running it twice does no harm; when it finds a problem it tells every flight director. A file store that
    does not answer is no tampering: operations are told, and the check runs again later."""
    report = verify_all()
    if report.file_store_error:
        logger.warning("Sign-off integrity: file store unreachable, files not checked: %s", report.file_store_error)
        _alert_operations_file_store_down(report.file_store_error)
    if report.problems:
        logger.error("Sign-off integrity problems:\n%s", "\n".join(report.problems))
        directors = get_user_model().objects.filter(groups__name=roles.FLIGHT_DIRECTOR, is_active=True)
        recipients = sorted({email for email in directors.values_list("email", flat=True) if email})
        if recipients:
            send_mail(
                subject=f"Verification sign-offs: {len(report.problems)} integrity problem(s)",
                message="`manage.py verify_signoffs` found:\n\n" + "\n".join(report.problems),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=recipients,
            )
    result = {"problems": len(report.problems), "signoffs": report.signoffs_checked, "records": report.records_checked}
    if report.file_store_error:
        result["file_store_unreachable"] = 1
        # Retry soon for the files (not the schedule's six hours); a run that found tampering has said so already.
        if not (report.problems or self.request.called_directly or self.request.is_eager
                or self.request.retries >= self.max_retries):
            raise self.retry(countdown=FILE_STORE_RETRY_SECONDS)
    return result
