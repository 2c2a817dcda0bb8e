"""The demo passenger arrives screened and cleared, and loading twice changes nothing."""

import pytest
from django.core.management import call_command

from flights import demo
from flights.models import Flight
from tourism.medical import selectors
from tourism.medical.models import (
    ClearanceNote,
    MedicalClearance,
    MedicalDocument,
    MedicalExamination,
    MedicalQuestionnaire,
)

pytestmark = pytest.mark.django_db
MODELS = (MedicalClearance, MedicalQuestionnaire, ClearanceNote, MedicalExamination, MedicalDocument)


def test_demo_passenger_is_cleared_for_every_demo_flight_but_the_final_day_statement():
    call_command("load_demo")
    clearance = MedicalClearance.objects.get(passenger__username="passenger")
    assert clearance.status == "cleared" and clearance.decided_by.username == "surgeon"
    assert all(model.objects.exists() for model in MODELS)
    # The flights passengers can book (verification flights carry crews and test dummies, not passengers).
    for flight in Flight.objects.filter(purpose=Flight.Purpose.COMMERCIAL).select_related("itinerary", "spaceport", "vehicle__model"):
        refusals = selectors.clearance_check(clearance.passenger, flight, now=flight.launch_at - demo.dt.timedelta(days=1))
        assert [r.code for r in refusals] == ["self_certification_missing"], flight


def test_loading_twice_adds_nothing():
    call_command("load_demo")
    counts = [model.objects.count() for model in MODELS]
    call_command("load_demo")
    assert [model.objects.count() for model in MODELS] == counts
