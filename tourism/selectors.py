"""Reads of the booking app that others reuse: seats left, a passenger's bookings, amounts paid.

Every list here costs a fixed number of queries however many rows it returns (subqueries, not loops).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from config.rows import ModelColumns, attach, execute_fixed, split_row
from flights.models import Flight, Itinerary, Spaceport, Vehicle, VehicleModel
from tourism.models import Booking, EmailVerification, LedgerEntry, WaitlistEntry

MONEY = DecimalField(max_digits=14, decimal_places=2)
# Flights a passenger may book: on the schedule and not yet launched.
BOOKABLE_STATUSES = (Flight.Status.SCHEDULED, Flight.Status.READY)


def _count_subquery(queryset: QuerySet, field: str) -> Coalesce:
    counted = queryset.order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


class _Correlated(Func):
    """`(SELECT <aggregate> FROM <model's table> WHERE <key> = <outer> AND <condition>)`, written out as SQL.

    The seat counts are in every catalog list, API list and flight page, and the bookable filter repeats them
    in WHERE and in the page count: as ORM Subqueries each occurrence builds, resolves and compiles a whole
    inner query, about 11 of the bookable list's 19 ms while PostgreSQL runs it in 0.3 ms (issue 15). Here the
    SQL is a fixed string; only the outer column and the values are compiled. `aggregate` and `condition` name
    the row's fields in braces (`{status}`); `condition` takes `values` for its `%s`, in order.
    """

    output_field = IntegerField()

    def __init__(self, outer, *values, model, key: str, condition: str, aggregate: str = "COUNT(*)"):
        super().__init__(outer, *(Value(value) for value in values))
        self.model, self.key, self.condition, self.aggregate = model, key, condition, aggregate

    def as_sql(self, compiler, connection, **extra_context):
        compiled = [compiler.compile(expression) for expression in self.get_source_expressions()]
        sql = _correlated_sql(
            self.model, outer=compiled[0][0], key=self.key, condition=self.condition, aggregate=self.aggregate,
            values=tuple(sql for sql, _ in compiled[1:]), connection=connection,
        )
        return sql, tuple(param for _, params in compiled for param in params)


def _correlated_sql(
    model, *, outer: str, key: str, condition: str, aggregate: str = "COUNT(*)", values: tuple | None = None,
    connection=connection,
) -> str:
    """`_Correlated`'s SQL for the outer column `outer`; the condition's `%s` are left as placeholders unless
    `values` gives the SQL for each."""
    quote, row = connection.ops.quote_name, connection.ops.quote_name("counted")
    columns = {field.name: f"{row}.{quote(field.column)}" for field in model._meta.concrete_fields}
    condition = condition.format(**columns)
    if values is not None:
        condition = condition % values
    return (
        f"(SELECT {aggregate.format(**columns)} FROM {quote(model._meta.db_table)} {row} "
        f"WHERE {columns[key]} = {outer} AND {condition})"
    )


def _placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))


# Bookings that take a seat whatever the time, and the one status that takes it only until its hold lapses.
SEAT_TAKING_STATUSES = (Booking.Status.AWAITING_CONSENT, Booking.Status.RESERVED, Booking.Status.MANIFESTED)


def seats_taken_filter(now: dt.datetime) -> Q:
    """Bookings that take a seat at `now`: a lapsed hold no longer does, even before the sweep expires it."""
    return Q(status__in=SEAT_TAKING_STATUSES) | Q(status=Booking.Status.HELD, hold_expires_at__gt=now)


def seats_claimed(now: dt.datetime, *, flight=None, for_user=None) -> Func:
    """Seats taken at `now` by live bookings (`seats_taken_filter`) plus those offered to the waitlist by offers
    still open (other people's, given `for_user`): of the outer query's flight, or of `flight` (an expression)."""
    flight = flight if flight is not None else F("pk")
    taken = _Correlated(flight, *_taken_values(now), model=Booking, key="flight", condition=_TAKEN)
    offer, offer_values = (_OFFERED, _offered_values(now)) if for_user is None else (
        _OFFERED_TO_OTHERS, _offered_values(now, for_user)
    )
    offered = _Correlated(flight, *offer_values, model=WaitlistEntry, key="flight", condition=offer)
    return ExpressionWrapper(taken + offered, output_field=IntegerField())


# The conditions of `seats_claimed` and the passenger's own seated booking, shared with the hold's written-out
# lookup (`flight_for_hold`), with the values for their placeholders.
_TAKEN = "({status} IN (%s, %s, %s) OR ({status} = %s AND {hold_expires_at} > %s))"
_OFFERED = "{status} = %s AND {offer_expires_at} > %s"
_OFFERED_TO_OTHERS = _OFFERED + " AND {user} <> %s"
_OWN_SEATED = "{user} = %s AND {status} IN (" + _placeholders(Booking.SEATED_STATUSES) + ")"


def _taken_values(now: dt.datetime) -> list:
    return [*SEAT_TAKING_STATUSES, Booking.Status.HELD, now]


def _offered_values(now: dt.datetime, for_user=None) -> list:
    return [WaitlistEntry.Status.OFFERED, now] + ([] if for_user is None else [for_user.pk])


def _seats_left(now: dt.datetime) -> Greatest:
    return Greatest(F("vehicle__model__passenger_seats") - seats_claimed(now), Value(0))


def _vehicle_flights_flown() -> CombinedExpression:
    """The vehicle's record: flights before this system tracked them, and those it has flown since."""
    flown = _Correlated(
        F("vehicle_id"), *Flight.FLOWN_STATUSES, model=Flight, key="vehicle",
        condition="{status} IN (" + _placeholders(Flight.FLOWN_STATUSES) + ")",
    )
    return F("vehicle__flights_before_tracking") + flown


def flight_list_with_seats(*, now: dt.datetime | None = None) -> QuerySet[Flight]:
    """Flights off the drafting table, annotated with `seats_left` (seats minus live bookings and open
    waitlist offers) and `vehicle_flights_flown` (the vehicle's record), each one SQL expression."""
    flights = Flight.objects.exclude(status=Flight.Status.DRAFT).select_related("itinerary", "vehicle__model", "spaceport")
    return flight_annotate_seats(flights, now=now).order_by("launch_at", "code")


@dataclass(frozen=True)
class FlightSeatsFor:
    """One flight's seats and record as a passenger's page shows them, with the passenger's own place on it."""

    seats_left: int
    vehicle_flights_flown: int
    booking: Booking | None
    waitlist_entry: WaitlistEntry | None
    email_verified: bool  # for anyone not logged in: True (nothing to ask of them yet)


def flight_annotate_seats(queryset: QuerySet[Flight], *, now: dt.datetime | None = None) -> QuerySet[Flight]:
    """`seats_left` (seats minus live bookings and open waitlist offers) and `vehicle_flights_flown`, each one
    SQL expression."""
    return queryset.annotate(seats_left=_seats_left(now or timezone.now()), vehicle_flights_flown=_vehicle_flights_flown())


def _own_places(user) -> dict:
    """`user`'s live booking and active waitlist entry on the outer flight (at most one each: unique
    constraints) and whether their address is verified (EmailVerification.is_current_for, in SQL)."""
    places = {
        f"{name}_id": _Correlated(
            F("pk"), user.pk, *statuses, model=model, key="flight", aggregate="MIN({id})",
            condition="{user} = %s AND {status} IN (" + _placeholders(statuses) + ")",
        )
        for name, model, statuses in (
            ("booking", Booking, Booking.LIVE_STATUSES),
            ("entry", WaitlistEntry, WaitlistEntry.ACTIVE_STATUSES),
        )
    }
    places["verified"] = _Correlated(
        Value(user.pk), user.email or "", model=EmailVerification, key="user",
        condition="{verified_at} IS NOT NULL AND {email} <> '' AND LOWER({email}) = LOWER(%s)",
    )
    return places


def flight_seats_for(flight: Flight, *, user=None, now: dt.datetime | None = None) -> FlightSeatsFor:
    """Seats left and the vehicle's record (from `flight_annotate_seats` when the flight carries them), and
    `user`'s live booking or active waitlist entry on `flight` and whether their address is verified: one query
    at most, one more when the passenger has a booking or an entry."""
    logged_in = user is not None and user.is_authenticated
    wanted = {} if hasattr(flight, "seats_left") else {
        "seats_left": _seats_left(now or timezone.now()), "vehicle_flights_flown": _vehicle_flights_flown(),
    }
    if logged_in:
        wanted.update(_own_places(user))
    row = Flight.objects.filter(pk=flight.pk).values(**wanted).get() if wanted else {}
    booking = entry = None
    if row.get("booking_id"):
        booking = Booking.objects.get(pk=row["booking_id"])
    elif row.get("entry_id"):
        entry = WaitlistEntry.objects.get(pk=row["entry_id"])
    seats = row if "seats_left" in row else vars(flight)
    verified = not logged_in or bool(user.email and row["verified"])
    return FlightSeatsFor(seats["seats_left"], seats["vehicle_flights_flown"], booking, entry, verified)


def flight_filter_on_sale(queryset: QuerySet[Flight], *, now: dt.datetime | None = None) -> QuerySet[Flight]:
    """Commercial flights of published itineraries still to launch, full or not (a full one has a waitlist)."""
    now = now or timezone.now()
    return queryset.filter(
        status__in=BOOKABLE_STATUSES,
        purpose=Flight.Purpose.COMMERCIAL,
        itinerary__is_published=True,
        launch_at__gt=now,
    )


def flight_is_on_sale(flight: Flight, *, now: dt.datetime | None = None) -> bool:
    """The same test as `flight_filter_on_sale`, for one flight already in memory."""
    now = now or timezone.now()
    return (
        flight.status in BOOKABLE_STATUSES
        and flight.purpose == Flight.Purpose.COMMERCIAL
        and flight.itinerary is not None
        and flight.itinerary.is_published
        and flight.launch_at > now
    )


def flight_filter_bookable(queryset: QuerySet[Flight], *, now: dt.datetime | None = None) -> QuerySet[Flight]:
    """On sale with at least one seat left (needs `flight_list_with_seats`' annotation)."""
    return flight_filter_on_sale(queryset, now=now).filter(seats_left__gt=0)


def flight_open_offers(flight: Flight, *, now: dt.datetime, for_user=None) -> int:
    """Seats offered to the waitlist by offers still open (other people's, given `for_user`)."""
    offers = WaitlistEntry.objects.filter(flight=flight, status=WaitlistEntry.Status.OFFERED, offer_expires_at__gt=now)
    if for_user is not None:
        offers = offers.exclude(user=for_user)
    return offers.count()


def flight_seats_left(flight: Flight, *, now: dt.datetime, for_user=None) -> int:
    """Seats free for `for_user` right now: seats minus live bookings minus other people's open offers.

    Exact only under the flight's row lock, after lapsed holds were expired (the services do both).
    """
    live = Booking.objects.filter(flight=flight, status__in=Booking.LIVE_STATUSES).count()
    return max(flight.seats_total - live - flight_open_offers(flight, now=now, for_user=for_user), 0)


class SeatRow(NamedTuple):
    """A seated booking of the flight, or an offered waitlist entry (or the passenger's active one) of it."""

    id: int
    user_id: int
    seat_number: int | None  # None for a waitlist entry
    status: str
    lapsed: bool  # a held booking past its hold, an offered entry past its offer


# Both reads in one statement, written out: it runs on every seat hold, where two ORM querysets cost more
# Python to build than PostgreSQL takes to answer them. The lapse tests are SQL, so no timestamp comes back.
_SEAT_ROWS_SQL = (
    f"SELECT 'booking', id, user_id, seat_number, status, (status = %s AND hold_expires_at <= %s) "
    f"FROM {Booking._meta.db_table} WHERE flight_id = %s AND status IN ({_placeholders(Booking.SEATED_STATUSES)}) "
    "UNION ALL "
    f"SELECT 'entry', id, user_id, NULL, status, (status = %s AND offer_expires_at <= %s) "
    f"FROM {WaitlistEntry._meta.db_table} WHERE flight_id = %s "
    f"AND (status = %s OR (user_id = %s AND status IN ({_placeholders(WaitlistEntry.ACTIVE_STATUSES)})))"
)


def flight_seat_rows(flight: Flight, *, user, now: dt.datetime) -> tuple[list[SeatRow], list[SeatRow]]:
    """In one query, unlocked: the flight's seated bookings, and its offered waitlist entries with `user`'s
    active one, each marked lapsed or not at `now`. Exact under the flight's row lock (booking_hold's use)."""
    moment = adapt_value(now)
    params = [
        Booking.Status.HELD, moment, flight.pk, *Booking.SEATED_STATUSES,
        WaitlistEntry.Status.OFFERED, moment, flight.pk, WaitlistEntry.Status.OFFERED, user.pk,
        *WaitlistEntry.ACTIVE_STATUSES,
    ]
    bookings, entries = [], []
    with connection.cursor() as cursor:
        execute_fixed(cursor, "flightops_seat_rows", _SEAT_ROWS_SQL, params)
        for kind, *row in cursor.fetchall():
            (bookings if kind == "booking" else entries).append(SeatRow(*row[:4], lapsed=bool(row[4])))
    return bookings, entries


def flight_seats_left_snapshot(flight: Flight, *, now: dt.datetime, for_user=None) -> int:
    """Seats free for `for_user` in the committed state, without a lock: live bookings whose hold has not
    lapsed, and other people's open waitlist offers. At most what the locked count finds (which may also
    offer a lapsed hold's seat to the waitlist), so 0 here is a safe refusal."""
    claimed = Flight.objects.filter(pk=flight.pk).values_list(seats_claimed(now, for_user=for_user), flat=True).get()
    return max(flight.seats_total - claimed, 0)


def _hold_snapshot_columns(now: dt.datetime, user) -> dict:
    own = _Correlated(
        F("pk"), user.pk, *Booking.SEATED_STATUSES, model=Booking, key="flight", aggregate="MIN({id})",
        condition=_OWN_SEATED,
    )
    return {"hold_seats_claimed": seats_claimed(now, for_user=user), "hold_own_booking_id": own}


# The hold's lookup: the flight with its itinerary, vehicle, vehicle model and spaceport, and the snapshot.
HOLD_FLIGHT = ModelColumns(Flight, "f")
HOLD_ITINERARY = ModelColumns(Itinerary, "i")
_HOLD_RELATED = (ModelColumns(Vehicle, "v"), ModelColumns(VehicleModel, "m"), ModelColumns(Spaceport, "s"))


@functools.cache
def _hold_lookup_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    claimed = " + ".join((
        _correlated_sql(Booking, outer='f."id"', key="flight", condition=_TAKEN),
        _correlated_sql(WaitlistEntry, outer='f."id"', key="flight", condition=_OFFERED_TO_OTHERS),
    ))
    own = _correlated_sql(Booking, outer='f."id"', key="flight", condition=_OWN_SEATED, aggregate="MIN({id})")
    columns = ", ".join(part.sql() for part in (HOLD_FLIGHT, HOLD_ITINERARY, *_HOLD_RELATED))
    return (
        f"SELECT {columns}, {claimed}, {own} FROM {quote(Flight._meta.db_table)} f "
        f"LEFT JOIN {quote(Itinerary._meta.db_table)} i ON i.id = f.itinerary_id "
        f"JOIN {quote(Vehicle._meta.db_table)} v ON v.id = f.vehicle_id "
        f"JOIN {quote(VehicleModel._meta.db_table)} m ON m.id = v.model_id "
        f"JOIN {quote(Spaceport._meta.db_table)} s ON s.id = f.spaceport_id "
        "WHERE f.id = %s"
    )


def flight_for_hold(flight_id: int, *, now: dt.datetime, user) -> Flight | None:
    """The flight a hold asks for (None: there is none, the API's 404) with its itinerary, vehicle, vehicle model
    and spaceport, and `flight_hold_snapshot`'s two values for `user` at `now`: one written-out query (it runs on
    every hold; as a joined ORM query with two annotations it cost about 2 ms of Python to build).
    The same columns and rows as `Flight.objects.select_related("itinerary", "vehicle__model", "spaceport")`
    annotated with `_hold_snapshot_columns` (tests/tourism/test_hold_lookup.py compares them)."""
    params = [*_taken_values(now), *_offered_values(now, user), user.pk, *Booking.SEATED_STATUSES, flight_id]
    with connection.cursor() as cursor:
        execute_fixed(cursor, "flightops_hold_lookup", _hold_lookup_sql(connection.vendor), [adapt_value(v) for v in params])
        row = cursor.fetchone()
    if row is None:
        return None
    (flight, itinerary, vehicle, model, spaceport), (claimed, own_id) = split_row(
        row, HOLD_FLIGHT, HOLD_ITINERARY, *_HOLD_RELATED
    )
    attach(vehicle, "model", model)
    for name, related in (("itinerary", itinerary), ("vehicle", vehicle), ("spaceport", spaceport)):
        attach(flight, name, related)
    flight.hold_seats_claimed, flight.hold_own_booking_id = claimed, own_id
    flight.from_hold_lookup = True  # lock_flight_for_hold may keep its vehicle, model and spaceport
    return flight


def adapt_value(value):
    """A parameter for written-out SQL as the ORM would pass it (SQLite keeps times as text)."""
    return connection.ops.adapt_datetimefield_value(value) if isinstance(value, dt.datetime) else value


def flight_annotate_hold_snapshot(queryset: QuerySet[Flight], *, now: dt.datetime, user) -> QuerySet[Flight]:
    """The flights with `flight_hold_snapshot`'s two columns for `user` at `now` (`flight_for_hold` is the same
    for one flight, written out)."""
    return queryset.annotate(**_hold_snapshot_columns(now, user))


def flight_hold_snapshot(flight: Flight, *, now: dt.datetime, user) -> tuple[int, int | None]:
    """In one query of the committed state, without a lock: the seats free for `user` (as
    flight_seats_left_snapshot) and the id of `user`'s seated booking on the flight, if any.

    No query when `flight` came from `flight_for_hold` (or `flight_annotate_hold_snapshot`), which the caller ran
    for the same `user` at the same `now` (the API's hold view passes its `now` to booking_hold for that)."""
    if hasattr(flight, "hold_seats_claimed"):
        claimed, own_id = flight.hold_seats_claimed, flight.hold_own_booking_id
    else:
        columns = _hold_snapshot_columns(now, user)
        claimed, own_id = Flight.objects.filter(pk=flight.pk).values_list(*columns.values()).get()
    return max(flight.seats_total - claimed, 0), own_id


def _paid_subquery(booking_ref) -> Coalesce:
    signed = Case(When(kind__in=LedgerEntry.CREDITS, then=F("amount")), default=-F("amount"), output_field=MONEY)
    totals = (
        LedgerEntry.objects.filter(booking=booking_ref)
        .order_by()
        .values("booking")
        .annotate(total=Sum(signed))
        .values("total")
    )
    return Coalesce(Subquery(totals, output_field=MONEY), Value(Decimal("0.00")), output_field=MONEY)


def booking_annotate_paid(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    """Each booking's `amount_paid` (net of refunds and transfers), in one subquery."""
    return bookings.annotate(amount_paid=_paid_subquery(OuterRef("pk")))


def booking_list_for_user(user) -> QuerySet[Booking]:
    """A passenger's own bookings with their flight, vehicle and amount paid, newest first."""
    return booking_annotate_paid(
        Booking.objects.filter(user=user)
        .select_related("flight__itinerary", "flight__vehicle__model", "flight__spaceport", "consent")
        .defer("consent__disclosure_text", "consent__material_facts")  # long; the detail reads them on demand
        .order_by("-created_at", "-id")
    )


def booking_amount_paid(booking: Booking) -> Decimal:
    """What the passenger has paid net of refunds and transfers (the annotation when the list has it)."""
    annotated = getattr(booking, "amount_paid", None)
    if annotated is not None:
        return annotated
    total = Decimal("0.00")
    for entry in booking.ledger_entries.all():
        total += entry.signed_amount
    return total


def booking_balance_outstanding(booking: Booking) -> Decimal:
    return max(booking.price - booking_amount_paid(booking), Decimal("0.00"))


def waitlist_position(entry: WaitlistEntry) -> int | None:
    """1 for the first in line; None once the entry is no longer waiting."""
    if entry.status != WaitlistEntry.Status.WAITING:
        return None
    return (
        WaitlistEntry.objects.filter(flight_id=entry.flight_id, status=WaitlistEntry.Status.WAITING)
        .filter(Q(joined_at__lt=entry.joined_at) | Q(joined_at=entry.joined_at, pk__lt=entry.pk))
        .count()
        + 1
    )


def waitlist_list_for_user(user) -> QuerySet[WaitlistEntry]:
    ahead = WaitlistEntry.objects.filter(
        flight=OuterRef("flight"), status=WaitlistEntry.Status.WAITING
    ).filter(Q(joined_at__lt=OuterRef("joined_at")) | Q(joined_at=OuterRef("joined_at"), pk__lt=OuterRef("pk")))
    return (
        WaitlistEntry.objects.filter(user=user)
        .select_related("flight__itinerary", "flight__spaceport", "flight__vehicle__model")
        .annotate(ahead_in_line=_count_subquery(ahead, "flight"))
        .order_by("-joined_at", "-id")
    )


def itinerary_catalog(*, flights: QuerySet[Flight], regime: str = "") -> QuerySet[Itinerary]:
    """Published itineraries, each with `catalog_flights`: the given (filtered, annotated) flights of it."""
    itineraries = Itinerary.objects.filter(is_published=True)
    if regime:
        itineraries = itineraries.filter(regime=regime)
    return itineraries.prefetch_related(Prefetch("flights", queryset=flights, to_attr="catalog_flights"))
