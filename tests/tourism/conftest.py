import pytest
from django.utils import timezone

from tests.tourism.factories import bookable_flight, passenger_with_profile
from tourism import services


@pytest.fixture
def flight(db):
    """A scheduled commercial flight 120 days out, 6 seats, price 450,000 USD, deposit 150,000 (25,000 kept)."""
    return bookable_flight(code="NS-41")


@pytest.fixture
def full(flight):
    """NS-41 with all six seats held; the holds are returned in seat order."""
    now = timezone.now()
    return [services.booking_hold(flight=flight, user=passenger_with_profile(), now=now) for _ in range(6)]


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (emails) as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(autouse=True)
def _booking_rules_without_the_medical_gate(request, monkeypatch):
    """Booking tests exercise the booking's own gates. The medical gate (clearance valid on the date,
    self-certification in the last 24 h) has its own tests in tests/medical, the pre-flight gates (training,
    waiver of claims, security screening) theirs in tests/preflight, and
    tests/integration/test_manifest_gates.py manifests a booking through every gate together."""
    if request.node.get_closest_marker("all_gates"):
        return
    from flights import registry
    from tourism.medical.gates import medical_manifest_gate
    from tourism.preflight.gates import PREFLIGHT_GATES

    other_apps = {medical_manifest_gate, *PREFLIGHT_GATES}
    monkeypatch.setattr(
        registry.manifest_gates, "_guards", [g for g in registry.manifest_gates._guards if g not in other_apps]
    )


@pytest.fixture(autouse=True)
def _tourism_rules():
    """Booking tests run with the flights and tourism rules; certification (verification) is tested there."""
    from tests.conftest import only_rules_of

    with only_rules_of("tourism"):
        yield
