"""Model history through config.history: every save still writes its historical row, read back per instance and
per model, with the manager's class built once per model instead of on every read."""

import pytest

from config.history import OnceBuiltHistoryDescriptor
from flights.models import Flight, Vehicle
from tests.tourism.factories import bookable_flight, passenger_with_profile
from tourism import services
from tourism.models import Booking
from verification.models import VerificationFlight

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Booking, Flight, Vehicle, VerificationFlight])
def test_every_tracked_model_reads_history_through_one_manager_class(model):
    assert isinstance(model.__dict__["history"], OnceBuiltHistoryDescriptor)
    assert type(model.history) is type(model.history)


def test_a_hold_and_its_cancellation_are_in_the_booking_history_with_who_did_them():
    user = passenger_with_profile()
    booking = services.booking_hold(flight=bookable_flight(), user=user)
    services.booking_cancel(booking=booking, by=user, reason="Plans changed")
    rows = list(booking.history.order_by("history_id").values_list("history_type", "status", "history_user_id"))
    assert rows == [("+", "held", user.pk), ("~", "cancelled", user.pk)]
    assert [row.status for row in Booking.history.filter(id=booking.pk).order_by("history_id")] == ["held", "cancelled"]
    other = services.booking_hold(flight=bookable_flight(), user=passenger_with_profile())
    assert list(other.history.values_list("status", flat=True)) == ["held"]  # bound to its own instance
