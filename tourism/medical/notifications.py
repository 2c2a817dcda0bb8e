"""Emails to passengers about their clearance. They never carry medical content (email is not a safe
channel for it): they say something changed and where to read it after logging in."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone

from tourism.medical.models import MedicalClearance
from tourism.medical.registry import passenger_flights

SUBJECTS = {
    "information_requested": "Your flight surgeon needs more information",
    "decided": "A decision on your medical clearance",
    "expiry_reminder": "Your medical clearance ends soon",
}


def send_clearance_email(*, clearance: MedicalClearance, kind: str) -> bool:
    if kind not in SUBJECTS:
        raise ValueError(f"unknown clearance email {kind!r}")
    passenger = clearance.passenger
    if not passenger.email:
        return False
    flights = []
    if kind == "expiry_reminder":
        flights = passenger_flights.upcoming({passenger.pk}, now=timezone.now()).get(passenger.pk, [])
    body = render_to_string(
        f"medical/email/{kind}.txt",
        {"clearance": clearance, "passenger": passenger, "flights": flights},
    )
    send_mail(SUBJECTS[kind], body, settings.DEFAULT_FROM_EMAIL, [passenger.email])
    return True
