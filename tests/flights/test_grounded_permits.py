"""A grounded vehicle flies nothing, unless a registered permit lets one particular flight through."""

import pytest

from flights import registry, services
from flights.exceptions import VehicleNotAvailable
from flights.models import Flight
from tests.flights.factories import FlightFactory, VehicleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def permit_test_flights():
    def permit(flight):
        return flight.code.startswith("RTF-")

    registry.grounded_flight_permits.register(permit)
    yield
    registry.grounded_flight_permits.unregister(permit)


def test_grounded_vehicle_refuses_flights_without_a_permit(operations):
    vehicle = VehicleFactory()
    services.vehicle_ground(vehicle=vehicle, reason="Mishap on NS-23", by=operations)
    flight = FlightFactory(vehicle=vehicle, purpose=Flight.Purpose.UNCREWED_VERIFICATION, itinerary=None)
    with pytest.raises(VehicleNotAvailable, match=r"vehicle .* is grounded \(Mishap on NS-23\)"):
        services.flight_schedule(flight=flight, by=operations)


def test_a_permit_lets_one_flight_be_scheduled_and_readied_on_a_grounded_vehicle(operations, permit_test_flights):
    vehicle = VehicleFactory()
    services.vehicle_ground(vehicle=vehicle, reason="Mishap on NS-23", by=operations)
    allowed = FlightFactory(code="RTF-1", vehicle=vehicle, purpose=Flight.Purpose.UNCREWED_VERIFICATION, itinerary=None)
    other = FlightFactory(code="NS-99", vehicle=vehicle, purpose=Flight.Purpose.UNCREWED_VERIFICATION, itinerary=None)
    services.flight_schedule(flight=allowed, by=operations)
    assert services.flight_mark_ready(flight=allowed, by=operations).status == Flight.Status.READY
    with pytest.raises(VehicleNotAvailable, match="is grounded"):
        services.flight_schedule(flight=other, by=operations)


def test_a_permit_does_not_open_a_retired_vehicle(operations, permit_test_flights):
    vehicle = VehicleFactory()
    services.vehicle_retire(vehicle=vehicle, reason="End of life", by=operations)
    flight = FlightFactory(code="RTF-2", vehicle=vehicle, purpose=Flight.Purpose.UNCREWED_VERIFICATION, itinerary=None)
    with pytest.raises(VehicleNotAvailable, match="is retired"):
        services.flight_schedule(flight=flight, by=operations)
