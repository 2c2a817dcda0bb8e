import pytest

from tests.flights.factories import VehicleFactory, VehicleModelFactory


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Attachments go to a throwaway MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "private-media"


@pytest.fixture
def directors(director, other_director):
    return [director, other_director]


@pytest.fixture
def vehicle():
    """A vehicle whose model asks two uncrewed and one crewed verification flight (a module may define its own)."""
    return VehicleFactory(model=VehicleModelFactory(required_uncrewed_flights=2, required_crewed_flights=1))
