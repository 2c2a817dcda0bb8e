"""Emails to passengers about their clearance. They never carry medical content (email is not a safe
channel for it): they say something changed and where to read it after logging in."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from flights.notifications import notification_queue
from tourism.medical.models import MedicalClearance
from tourism.medical.registry import passenger_flights

SUBJECTS = {
    "information_requested": "Your flight surgeon needs more information",
    "decided": "A decision on your medical clearance",
    "expiry_reminder": "Your medical clearance ends soon",
}


def clearance_email_content(*, clearance: MedicalClearance, kind: str, now=None) -> tuple[str, str]:
    if kind not in SUBJECTS:
        raise ValueError(f"unknown clearance email {kind!r}")
    passenger = clearance.passenger
    flights = []
    if kind == "expiry_reminder":
        flights = passenger_flights.upcoming({passenger.pk}, now=now or timezone.now()).get(passenger.pk, [])
    body = render_to_string(
        f"medical/email/{kind}.txt",
        {"clearance": clearance, "passenger": passenger, "flights": flights},
    )
    return SUBJECTS[kind], body


def queue_clearance_email(*, clearance: MedicalClearance, kind: str, dedupe_key: str, now=None):
    """The passenger's email into the outbox, in the transaction of the decision or request it reports."""
    passenger = clearance.passenger
    if not passenger.email:
        return None
    subject, body = clearance_email_content(clearance=clearance, kind=kind, now=now)
    return notification_queue(dedupe_key=dedupe_key, recipient=passenger.email, subject=subject, body=body)
