import pytest

from tests.preflight.factories import operations_staff
from tests.tourism.factories import bookable_flight, reserved_booking


@pytest.fixture(autouse=True)
def _preflight_rules(monkeypatch):
    """Pre-flight tests run with the flights, booking and pre-flight rules; the medical gate has its own tests
    (tests/medical) and tests/integration manifests through every gate together."""
    from flights import registry
    from tests.conftest import only_rules_of
    from tourism.medical.gates import medical_manifest_gate

    with only_rules_of("tourism"):
        monkeypatch.setattr(
            registry.manifest_gates, "_guards", [g for g in registry.manifest_gates._guards if g is not medical_manifest_gate]
        )
        yield


@pytest.fixture
def flight(db):
    """A scheduled commercial flight 120 days out (suborbital itinerary, 14 training hours)."""
    return bookable_flight(code="NS-41")


@pytest.fixture
def booking(flight, pax, operations):
    """Pat's reserved seat on the flight (consent signed, deposit paid)."""
    return reserved_booking(flight, user=pax, by=operations)


@pytest.fixture
def instructor(db):
    """Operations staff who also instruct."""
    return operations_staff("ivy")
