"""The readiness registry discovers every app's checks (from each app's readiness.py), and a whole run
over a booked flight carries the verification and tourism findings beside the flights ones."""

import pytest
from django.utils import timezone

from flights.models import Position
from flights.readiness import flight_findings, registry
from tests.tourism.factories import bookable_flight, reserved_booking
from tests.verification.factories import certified_vehicle

pytestmark = pytest.mark.django_db


def test_the_registry_discovers_flights_tourism_and_verification_checks():
    from tourism import readiness as tourism_readiness
    from verification import readiness as verification_readiness

    names = registry.names()
    assert {"vehicle", "range", "windows", "weather"} <= set(names)
    assert registry._checks["verification"] is verification_readiness.vehicle_certification
    assert registry._checks["tourism.manifest"] is tourism_readiness.manifest_gates_hold
    assert registry._checks["tourism.cabin_mass"] is tourism_readiness.cabin_mass
    assert registry._checks["tourism.reserved"] is tourism_readiness.reserved_on_launch_eve


def test_a_run_reports_every_apps_positions(operations, director, other_director):
    flight = bookable_flight(vehicle=certified_vehicle(ops=operations, directors=[director, other_director]))
    reserved_booking(flight, by=operations)
    findings = {f.key: f for f in flight_findings(flight, now=timezone.now())}
    assert findings["verification.certification"].is_go
    assert findings["verification.certification"].position == Position.VERIFICATION
    assert findings["manifest.cabin_mass"].is_go
    assert findings["manifest.passengers"].message == f"No passenger is manifested on {flight.code} yet."
