"""The hold's written-out reads (selectors.flight_for_hold, services.common.lock_flight_for_hold, the token login) give what the ORM
queries they replace gave, and a hold still decides on the flight row and itinerary as they are under the lock."""

import datetime as dt
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from flights.models import Flight, Itinerary, VehicleModel
from tests.conftest import require_postgres
from tests.flights.factories import SpaceportFactory, VehicleFactory, VehicleModelFactory
from tests.tourism.factories import passenger_with_profile
from tourism import selectors, services
from tourism.api.authentication import token_with_passenger
from tourism.exceptions import FlightNotBookable, PassengerNotEligible
from tourism.models import Booking, EmailVerification, WaitlistEntry
from tourism.services.common import lock_flight_for_hold

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict | None:
    if instance is None:
        return None
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def _orm_lookup(flight_id, *, now, user):
    return selectors.flight_annotate_hold_snapshot(
        Flight.objects.select_related("itinerary", "vehicle__model", "spaceport"), now=now, user=user
    ).get(pk=flight_id)


def _assert_same(written_out, orm):
    assert _fields(written_out) == _fields(orm)
    for related in ("itinerary", "vehicle", "spaceport"):
        assert _fields(getattr(written_out, related)) == _fields(getattr(orm, related))
    assert _fields(written_out.vehicle.model) == _fields(orm.vehicle.model)
    assert (written_out.hold_seats_claimed, written_out.hold_own_booking_id) == (
        orm.hold_seats_claimed, orm.hold_own_booking_id,
    )


def test_the_lookup_gives_the_orm_s_rows_and_snapshot(flight, django_assert_num_queries):
    """Every column of the flight and its related rows, converted as the ORM converts them (times aware, money
    Decimal), and the snapshot's seats claimed and own booking: for a passenger with a seat, one with an offer
    elsewhere, and one with nothing."""
    now = timezone.now()
    holder, offered, other = passenger_with_profile(), passenger_with_profile(), passenger_with_profile()
    own = services.booking_hold(flight=flight, user=holder, now=now)
    services.booking_hold(flight=flight, user=passenger_with_profile(), now=now)
    lapsed = services.booking_hold(flight=flight, user=passenger_with_profile(), now=now)
    Booking.objects.filter(pk=lapsed.pk).update(hold_expires_at=now - dt.timedelta(minutes=1))
    WaitlistEntry.objects.create(
        flight=flight, user=offered, status=WaitlistEntry.Status.OFFERED, offered_at=now,
        offer_expires_at=now + dt.timedelta(hours=1),
    )
    for user in (holder, offered, other):
        with django_assert_num_queries(1):
            written_out = selectors.flight_for_hold(flight.pk, now=now, user=user)
        orm = _orm_lookup(flight.pk, now=now, user=user)
        _assert_same(written_out, orm)
        with django_assert_num_queries(0):
            assert written_out.seats_total == 6 and written_out.itinerary.price == flight.itinerary.price
    seats_left, own_id = selectors.flight_hold_snapshot(
        selectors.flight_for_hold(flight.pk, now=now, user=holder), now=now, user=holder
    )
    assert own_id == own.pk
    # Two live holds and the other passenger's open offer: the lapsed hold no longer takes a seat.
    assert seats_left == 6 - 3


def test_the_lookup_of_a_flight_without_itinerary_and_of_no_flight(flight):
    now, user = timezone.now(), passenger_with_profile()
    test_flight = Flight.objects.create(
        code="TEST-1", vehicle=flight.vehicle, spaceport=flight.spaceport, purpose=Flight.Purpose.UNCREWED_VERIFICATION,
        launch_at=now + dt.timedelta(days=200),
    )
    found = selectors.flight_for_hold(test_flight.pk, now=now, user=user)
    assert found.itinerary is None and found.itinerary_id is None
    _assert_same(found, _orm_lookup(test_flight.pk, now=now, user=user))
    assert selectors.flight_for_hold(test_flight.pk + 1000, now=now, user=user) is None
    with pytest.raises(FlightNotBookable, match="carries no paying passengers"):
        services.booking_hold(flight=found, user=user, now=now)


def test_the_lock_reads_the_flight_and_its_itinerary_again(flight):
    """What changed between the lookup and the lock decides: here the itinerary was taken off sale and its price
    changed, by another connection's committed update the lookup's instance knows nothing of."""
    now, user = timezone.now(), passenger_with_profile()
    looked_up = selectors.flight_for_hold(flight.pk, now=now, user=user)
    Itinerary.objects.filter(pk=flight.itinerary_id).update(price=looked_up.itinerary.price + 1)
    with transaction.atomic():
        locked = lock_flight_for_hold(looked_up)
    assert locked.itinerary.price == looked_up.itinerary.price + 1
    assert locked.vehicle is looked_up.vehicle and locked.spaceport is looked_up.spaceport
    Itinerary.objects.filter(pk=flight.itinerary_id).update(is_published=False)
    with pytest.raises(FlightNotBookable, match="is not on sale"):
        services.booking_hold(flight=looked_up, user=user, now=now)
    Itinerary.objects.filter(pk=flight.itinerary_id).update(is_published=True)
    Flight.objects.filter(pk=flight.pk).update(status=Flight.Status.CANCELLED)
    with pytest.raises(FlightNotBookable, match="cancelled"):
        services.booking_hold(flight=looked_up, user=user, now=now)
    assert not Booking.objects.filter(flight=flight).exists()


def test_a_flight_moved_to_another_vehicle_is_judged_on_the_new_one(flight):
    """The lookup's vehicle is kept only while the locked row still names it: moved to a vehicle whose model
    carries no one this heavy, the hold refuses on the new model's limits."""
    now, user = timezone.now(), passenger_with_profile(mass_kg=95)
    looked_up = selectors.flight_for_hold(flight.pk, now=now, user=user)
    light = VehicleFactory(model=VehicleModelFactory(passenger_mass_max_kg=80), home_spaceport=flight.spaceport)
    Flight.objects.filter(pk=flight.pk).update(vehicle=light)
    with pytest.raises(PassengerNotEligible, match="80"):
        services.booking_hold(flight=looked_up, user=user, now=now)
    moved_port = SpaceportFactory()
    Flight.objects.filter(pk=flight.pk).update(vehicle=looked_up.vehicle, spaceport=moved_port)
    with transaction.atomic():
        assert lock_flight_for_hold(looked_up).spaceport == moved_port


def test_a_flight_from_elsewhere_is_locked_with_the_orm(flight):
    """Only the hold's own lookup (it carries the snapshot) lends its related rows; any other instance is read
    in full under the lock, so a stale one never decides: here its vehicle model has since been limited to
    lighter passengers."""
    stale = Flight.objects.select_related("itinerary", "vehicle__model", "spaceport").get(pk=flight.pk)
    annotated = _orm_lookup(flight.pk, now=timezone.now(), user=passenger_with_profile())  # carries the snapshot
    VehicleModel.objects.filter(pk=stale.vehicle.model_id).update(passenger_mass_max_kg=80)
    for other in (stale, annotated):
        with transaction.atomic():
            locked = lock_flight_for_hold(other)
        assert locked.vehicle.model.passenger_mass_max_kg == 80 and locked.vehicle is not other.vehicle
    with pytest.raises(PassengerNotEligible, match="80"):
        services.booking_hold(flight=stale, user=passenger_with_profile(mass_kg=95))


@pytest.mark.parametrize("flight_id", ["abc", "12x", str(2**63), "0", "-4"])
def test_the_hold_endpoint_answers_404_for_an_id_that_is_none(flight, flight_id):
    user = passenger_with_profile()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    response = client.post(f"/api/v1/flights/{flight_id}/holds/")
    assert response.status_code == 404, response.content
    assert response.json()["code"] == "not_found"
    assert connection.vendor and not Booking.objects.exists()


def test_the_token_login_gives_the_orm_s_rows(django_assert_num_queries):
    """tourism.api.authentication.token_with_passenger: the token, its user and the user's profile and email
    verification as select_related gives them, and a missing profile or verification known missing without a
    query."""
    with_both = passenger_with_profile()
    EmailVerification.objects.update_or_create(
        user=with_both, defaults={"email": with_both.email, "verified_at": timezone.now()}
    )
    bare = get_user_model().objects.create_user("bare", "bare@example.test", "x")
    for user in (with_both, bare):
        key = Token.objects.get_or_create(user=user)[0].key
        orm = Token.objects.select_related("user__passenger_profile", "user__email_verification").get(key=key)
        with django_assert_num_queries(1):
            token = token_with_passenger(key)
        assert _fields(token) == _fields(orm) and _fields(token.user) == _fields(orm.user)
        with django_assert_num_queries(0):
            for accessor in ("passenger_profile", "email_verification"):
                try:
                    written_out = _fields(getattr(token.user, accessor))
                except ObjectDoesNotExist:
                    written_out = "missing"
                try:
                    expected = _fields(getattr(orm.user, accessor))
                except ObjectDoesNotExist:
                    expected = "missing"
                assert written_out == expected, accessor
            assert user is bare or token.user.passenger_profile.user is token.user
    assert token_with_passenger("0" * 40) is None


def _prepared(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_prepared_statements WHERE name = %s", [name])
        return cursor.fetchone()[0] == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # it closes the connection to start new sessions
def test_the_hold_s_reads_are_prepared_once_per_session(flight, settings, django_assert_num_queries):
    """config.rows.execute_fixed: on PostgreSQL the lookup is a prepared statement, prepared once in a session
    (the PREPARE is not one of the request's queries), kept through a rolled-back transaction, prepared again on
    a new connection; with DATABASE_PREPARED_STATEMENTS off it is plain SQL and the answer is the same."""
    require_postgres()
    now, user = timezone.now(), passenger_with_profile()
    connection.close()  # a new session
    with django_assert_num_queries(1) as captured:
        first = selectors.flight_for_hold(flight.pk, now=now, user=user)
    assert captured.captured_queries[0]["sql"].startswith("EXECUTE flightops_hold_lookup(")
    assert _prepared("flightops_hold_lookup")
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        selectors.flight_for_hold(flight.pk, now=now, user=user)
        raise ZeroDivisionError
    with django_assert_num_queries(1):
        again = selectors.flight_for_hold(flight.pk, now=now, user=user)
    _assert_same(again, first)
    connection.close()
    settings.DATABASE_PREPARED_STATEMENTS = False
    with django_assert_num_queries(1) as captured:
        plain = selectors.flight_for_hold(flight.pk, now=now, user=user)
    assert captured.captured_queries[0]["sql"].startswith("SELECT ") and not _prepared("flightops_hold_lookup")
    _assert_same(plain, first)
    settings.DATABASE_PREPARED_STATEMENTS = True
    booking = services.booking_hold(flight=selectors.flight_for_hold(flight.pk, now=now, user=user), user=user, now=now)
    assert booking.seat_number == 1 and _prepared("flightops_hold_lock") and _prepared("flightops_seat_rows")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # it alters a table and closes the connection
def test_a_migration_that_changes_a_returned_column_does_not_break_the_prepared_reads(flight):
    """PostgreSQL refuses a prepared statement once a column it returns changed type ("cached plan must not change
    result type"), as a deploy's migration can do while the old processes serve. Outside a transaction the read
    is prepared again and answers; inside one the refusal stands once and the session is closed after the
    request, so the next one prepares afresh, instead of every hold failing until the connection ages out."""
    require_postgres()
    now, user = timezone.now(), passenger_with_profile()
    looked_up = selectors.flight_for_hold(flight.pk, now=now, user=user)
    with transaction.atomic():
        lock_flight_for_hold(looked_up)  # prepared in this session
    try:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE flights_flight ALTER COLUMN code TYPE varchar(40)")
        assert selectors.flight_for_hold(flight.pk, now=now, user=user).code == flight.code
        with pytest.raises(DatabaseError, match="result type"), transaction.atomic():
            lock_flight_for_hold(looked_up)
        assert connection.close_at is not None and connection.close_at <= time.monotonic()
        connection.close_if_unusable_or_obsolete()  # what Django does when the request ends
        booking = services.booking_hold(flight=selectors.flight_for_hold(flight.pk, now=now, user=user), user=user, now=now)
        assert booking.seat_number == 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE flights_flight ALTER COLUMN code TYPE varchar(32)")
        connection.close()
