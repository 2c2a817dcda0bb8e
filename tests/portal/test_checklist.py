"""The passenger's checklist comes from the manifest gates: it is all green exactly when manifesting succeeds,
and every gate that refuses shows a row that is not done, with the gate's own words."""

import datetime as dt

import pytest
from django.urls import reverse

from flights.registry import manifest_gates
from portal.checklist import booking_checklist
from tests.medical import factories as medical
from tests.preflight.factories import preflight_complete
from tests.tourism.factories import (
    bookable_flight,
    passenger_with_profile,
    pay_balance,
    pay_deposit,
    reserved_booking,
    sign,
)
from tests.verification.factories import certified_vehicle
from tourism import services
from tourism.exceptions import ManifestGateFailed
from tourism.medical import services as medical_services

pytestmark = pytest.mark.django_db


def _statuses(checklist):
    return {item.key: item.status for item in checklist.items}


def _agrees_with_the_gates(booking, *, now):
    """Every refusing gate has a row that is not done; the checklist is complete only if no gate refuses."""
    booking = type(booking).objects.select_related("flight__spaceport", "flight__itinerary", "flight__vehicle__model",
                                                   "user").get(pk=booking.pk)  # fresh: gates keep loads on it
    checklist = booking_checklist(booking, now=now)
    fresh = type(booking).objects.get(pk=booking.pk)
    refusals = {gate.__name__: gate(fresh, now=now) for gate in manifest_gates._guards}
    for name, refusal in refusals.items():
        if refusal:
            rows = [item for item in checklist.items if item.gate == name and not item.done]
            assert rows, f"gate {name} refuses ({refusal}) but the checklist shows it done"
    assert checklist.complete == (not any(refusals.values()) and booking.status != booking.Status.HELD)
    return checklist


@pytest.fixture
def setup(surgeon, operations, director, other_director):
    vehicle = certified_vehicle(ops=operations, directors=[director, other_director])
    flight = bookable_flight(code="NS-90", vehicle=vehicle)
    return flight, passenger_with_profile()


def test_checklist_walks_to_all_green_with_the_manifest(setup, surgeon, operations):
    flight, passenger = setup
    early = flight.launch_at - dt.timedelta(days=3)
    booking = services.booking_hold(flight=flight, user=passenger)
    checklist = _agrees_with_the_gates(booking, now=early)
    states = _statuses(checklist)
    assert states["consent"] == "not_started" and states["deposit"] == "not_started"
    assert states["medical_questionnaire"] == "not_started" and states["medical_clearance"] == "cannot_start"
    assert states["health_statement"] == "cannot_start"
    statement = next(i for i in checklist.items if i.key == "health_statement")
    assert statement.why.startswith("Opens ") and "UTC" in statement.why and statement.group == "launch"
    assert statement.link == reverse("medical:eligibility", args=[flight.pk])
    assert next(i for i in checklist.items if i.key == "medical_questionnaire").link == reverse("medical:home")

    sign(booking, user=passenger)
    pay_deposit(booking, by=operations)
    medical.submitted(passenger)
    states = _statuses(_agrees_with_the_gates(booking, now=early))
    assert states["consent"] == "done" and states["deposit"] == "done"
    assert states["medical_questionnaire"] == "done" and states["medical_clearance"] == "waiting"

    pay_balance(booking, by=operations)
    day_before = flight.launch_at - dt.timedelta(hours=20)
    preflight_complete(booking, by=operations, now=day_before)
    from tourism.medical.models import MedicalClearance

    MedicalClearance.objects.filter(passenger=passenger).update(status=MedicalClearance.Status.SUPERSEDED)
    medical.decided(passenger, surgeon)
    states = _statuses(_agrees_with_the_gates(booking, now=day_before))
    assert states["medical_clearance"] == "done" and states["health_statement"] == "not_started"
    assert states["training_complete"] == states["waiver_of_claims_signed"] == states["security_screening_passed"] == "done"
    with pytest.raises(ManifestGateFailed):
        services.booking_manifest(booking=booking, by=operations, now=day_before)

    medical_services.self_certification_record(passenger=passenger, flight=flight, now=day_before)
    checklist = _agrees_with_the_gates(booking, now=day_before)
    assert checklist.complete, [(i.key, i.status, i.why) for i in checklist.items if not i.done]
    services.booking_manifest(booking=booking, by=operations, now=day_before)


def test_balance_past_its_due_date_is_overdue(setup, operations):
    flight, passenger = setup
    booking = reserved_booking(flight, user=passenger, by=operations)
    after_due = booking.balance_due_at + dt.timedelta(days=1)
    balance = next(i for i in booking_checklist(booking, now=after_due).items if i.key == "balance")
    assert balance.status == "overdue" and balance.status_word == "Overdue" and "overdue" in balance.why
    before_due = booking.balance_due_at - dt.timedelta(days=1)
    balance = next(i for i in booking_checklist(booking, now=before_due).items if i.key == "balance")
    assert balance.status == "not_started" and "overdue" not in balance.why


def test_a_gate_the_checklist_does_not_know_still_shows(setup, operations, monkeypatch):
    flight, passenger = setup
    booking = reserved_booking(flight, user=passenger, by=operations)

    def lunar_permit(booking, **context):
        return "No lunar permit on file."

    lunar_permit.label = "Lunar permit"
    monkeypatch.setattr(manifest_gates, "_guards", [*manifest_gates._guards, lunar_permit])
    row = next(i for i in booking_checklist(booking).items if i.key == "lunar_permit")
    assert not row.done and row.why == "No lunar permit on file." and row.title == "Lunar permit"


def test_booking_page_and_passenger_home_show_the_checklist(client, setup, operations):
    flight, passenger = setup
    booking = reserved_booking(flight, user=passenger, by=operations)
    client.force_login(passenger)
    for url in (booking.get_absolute_url(), reverse("portal:passenger-home")):
        page = client.get(url).content.decode()
        assert 'data-item="medical_questionnaire"' in page and 'data-item="health_statement"' in page
        assert 'data-gate="waiver_of_claims_signed"' in page and "Before you can fly" in page
        assert f'<a href="{reverse("medical:home")}">Medical questionnaire</a>' in page  # one click away
