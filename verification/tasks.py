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


@shared_task(name="verification.verify_signoff_chain", acks_late=True)
def verify_signoff_chain() -> dict[str, int]:
    """Periodic `verify_signoffs`: tampering is found within hours, not at the next audit. Read-only, so
    running it twice does no harm; when it finds a problem it tells every flight director."""
    report = verify_all()
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
    return {"problems": len(report.problems), "signoffs": report.signoffs_checked, "records": report.records_checked}
