"""The tourism readiness check asks every registered gate for each manifested passenger: the pre-flight
gates show there as NO-GO findings of the Manifest position, naming what is missing."""

import pytest
from django.utils import timezone

from flights.models import Position, Verdict
from tests.preflight import factories as f
from tests.tourism.factories import pay_balance
from tourism import readiness
from tourism import services as booking_services
from tourism.preflight import selectors
from tourism.preflight.models import SecurityScreening

pytestmark = pytest.mark.django_db


def by_key(findings):
    return {finding.key: finding for finding in findings}


@pytest.fixture
def manifested(booking, operations, instructor):
    pay_balance(booking, by=operations)
    f.preflight_complete(booking, by=instructor)
    return booking_services.booking_manifest(booking=booking, by=operations)


def test_a_complete_passenger_is_go(manifested, flight):
    findings = by_key(readiness.manifest_gates_hold(flight, now=timezone.now()))
    assert findings[f"manifest.booking.{manifested.pk}"].verdict == Verdict.GO


def test_each_preflight_gate_that_stops_holding_is_a_manifest_no_go(manifested, flight, instructor, monkeypatch):
    # After manifesting: a newer screening failed, the waiver text moved on, and a module was added.
    f.screen(manifested, by=instructor, result=SecurityScreening.Result.FAILED, note="Flare gun in the bag.")
    f.TrainingModuleFactory(itinerary=flight.itinerary, name="Suit fit check", hours=1)
    original = selectors.WAIVER_TEXT_VERSION
    monkeypatch.setattr(selectors, "WAIVER_TEXT_VERSION", original + 1)
    findings = by_key(readiness.manifest_gates_hold(flight, now=timezone.now()))
    who = f"Pat Q. Tester (seat {manifested.seat_number}): "
    expected = {
        "training_complete": "Training incomplete: Suit fit check not signed off.",
        "waiver_of_claims_signed": f"Waiver of claims (14 CFR 460.49) for flight NS-41 was signed on text version "
                                   f"{original}; version {original + 1} must be signed.",
        "security_screening_passed": "Security screening (14 CFR 460.53) for flight NS-41 failed on ",
    }
    for gate, message in expected.items():
        finding = findings[f"manifest.booking.{manifested.pk}.{gate}"]
        assert (finding.verdict, finding.position) == (Verdict.NO_GO, Position.MANIFEST), gate
        assert finding.message.startswith(who + message), finding.message
    assert findings[f"manifest.booking.{manifested.pk}.security_screening_passed"].message.endswith(
        "Flare gun in the bag.")
    assert f"manifest.booking.{manifested.pk}" not in findings  # no "every gate holds" GO
