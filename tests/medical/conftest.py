import pytest

from flights import roles
from tests.conftest import make_user


@pytest.fixture
def other_surgeon(db, django_user_model):
    return make_user(django_user_model, "morgan", roles.FLIGHT_SURGEON)


@pytest.fixture
def flights_of_passengers():
    """Stand in for the bookings app: register which upcoming flights each passenger is on (the bookings
    source tourism registers is set aside meanwhile, so query counts are the medical app's own)."""
    from tourism.medical.registry import passenger_flights

    booked: dict[int, list] = {}

    def source(user_ids, *, now):
        return [(user_id, flight) for user_id in user_ids for flight in booked.get(user_id, [])]

    saved = list(passenger_flights._sources)
    passenger_flights._sources[:] = [source]
    yield booked
    passenger_flights._sources[:] = saved




@pytest.fixture(autouse=True)
def _medical_rules():
    """Medical tests run with the flights and medical rules; other apps' guards are tested there."""
    from tests.conftest import only_rules_of

    with only_rules_of("tourism.medical"):
        yield
