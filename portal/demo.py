"""Demo records that give every role's home something to do on `make run` (issue 14).

Registered in flights.demo.flight_loaders by PortalConfig.ready(), so it runs after the bookings exist.
Keyed on natural facts (a guest has a clearance, a hold exists), so loading twice changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model

from flights.models import Flight
from tourism import services as tourism_services
from tourism.models import Booking

HOLD_STARTED_AGO = dt.timedelta(hours=60)  # a 72 h hold placed 60 h ago lapses within the day: operations see it


def load(*, now: dt.datetime, users: dict, **_) -> None:
    from tourism.medical import services as medical
    from tourism.medical.demo import DEMO_ANSWERS
    from tourism.medical.models import MedicalClearance

    User = get_user_model()
    # The flight surgeon's queue: Mira (booked on VG-12) submitted her questionnaire yesterday.
    mira = User.objects.filter(username="mira").first()
    if mira is not None and not MedicalClearance.objects.filter(passenger=mira).exists():
        submitted = now - dt.timedelta(days=1)
        clearance = medical.clearance_start(passenger=mira, now=submitted)
        answers = {**DEMO_ANSWERS, "body": {"mass_kg": "61.5", "height_cm": 166, "confirmed": True}}
        answers["conditions"] = {**DEMO_ANSWERS["conditions"], "hypertension": "no", "hypertension_details": ""}
        for section, data in answers.items():
            medical.questionnaire_save_section(clearance=clearance, by=mira, section=section, data=data, now=submitted)
        medical.clearance_submit(clearance=clearance, by=mira, now=submitted)

    # Operations' today: Lin holds a seat on NS-42 that lapses within the day, consent signed, deposit not in.
    lin = User.objects.filter(username="lin").first()
    ns42 = Flight.objects.filter(code="NS-42").first()
    if lin is not None and ns42 is not None and not Booking.objects.filter(user=lin, flight=ns42).exists():
        started = now - HOLD_STARTED_AGO
        booking = tourism_services.booking_hold(flight=ns42, user=lin, now=started)
        tourism_services.consent_sign(booking=booking, user=lin, typed_name=lin.passenger_profile.legal_name,
                                      password=settings.DEMO_PASSWORD, now=started)
