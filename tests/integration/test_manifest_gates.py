"""A booking through every manifest gate together: the booking's own (balance, consent, limits), the
medical app's (clearance valid on the date, self-certification in the last 24 h) and the pre-flight app's
(training, waiver of claims, security screening)."""

import datetime as dt

import pytest

from tests.medical import factories as medical
from tests.preflight.factories import preflight_complete
from tests.tourism.factories import bookable_flight, passenger_with_profile, pay_balance, reserved_booking
from tests.verification.factories import certified_vehicle
from tourism import services
from tourism.exceptions import ManifestGateFailed
from tourism.medical import services as medical_services

pytestmark = pytest.mark.django_db


def test_manifest_needs_every_gate_and_names_each_failing_one(surgeon, operations, director, other_director):
    vehicle = certified_vehicle(ops=operations, directors=[director, other_director])
    flight = bookable_flight(code="NS-90", vehicle=vehicle)
    passenger = passenger_with_profile()
    booking = reserved_booking(flight, user=passenger, by=operations)
    day_before = flight.launch_at - dt.timedelta(hours=20)
    with pytest.raises(ManifestGateFailed) as refused:
        services.booking_manifest(booking=booking, by=operations, now=day_before)
    assert "no medical clearance" in refused.value.message and "balance" in refused.value.message.lower()
    assert "Training incomplete" in refused.value.message
    assert f"Waiver of claims (14 CFR 460.49) not signed for flight {flight.code}." in refused.value.message
    assert f"Security screening (14 CFR 460.53) not recorded for flight {flight.code}." in refused.value.message

    pay_balance(booking, by=operations)
    preflight_complete(booking, by=operations, now=day_before)
    medical.decided(passenger, surgeon)
    with pytest.raises(ManifestGateFailed, match="has not certified .no change in my health. in the 24 hours"):
        services.booking_manifest(booking=booking, by=operations, now=day_before)

    medical_services.self_certification_record(passenger=passenger, flight=flight, now=day_before)
    manifested = services.booking_manifest(booking=booking, by=operations, now=day_before)
    assert manifested.status == "manifested"
