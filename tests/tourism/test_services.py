"""The booking lifecycle: every transition, every refusal with its message."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from flights import registry
from flights import services as flight_services
from flights.exceptions import InvalidInput, InvalidTransition
from flights.models import Flight
from tests.flights.factories import FlightFactory, ItineraryFactory, VehicleFactory, scheduled_flight
from tests.tourism.factories import (
    PassengerProfileFactory,
    bookable_flight,
    passenger_with_profile,
    pay_balance,
    pay_deposit,
    reserved_booking,
    sign,
)
from tourism import selectors, services
from tourism.exceptions import (
    AlreadyBooked,
    FlightNotBookable,
    HoldExpired,
    ManifestGateFailed,
    PassengerNotEligible,
    ProfileRequired,
    SoldOut,
    TransferRefused,
)
from tourism.models import Booking, BookingStatusChange, LedgerEntry

pytestmark = pytest.mark.django_db


def hold(flight, user, **kwargs):
    return services.booking_hold(flight=flight, user=user, **kwargs)


def manifested_booking(flight, operations, user=None):
    booking = reserved_booking(flight, user=user)
    pay_balance(booking, by=operations)
    return services.booking_manifest(booking=booking, by=operations)


# --- Holds -------------------------------------------------------------------------------------------


def test_hold_takes_the_lowest_free_seat_for_the_configured_time(pax, other_pax, flight, settings):
    settings.SEAT_HOLD_HOURS = 48
    now = timezone.now()
    first = hold(flight, pax, now=now)
    second = hold(flight, other_pax, now=now)
    assert (first.status, first.seat_number, second.seat_number) == ("held", 1, 2)
    assert first.hold_expires_at == now + dt.timedelta(hours=48)
    # The terms are the itinerary's at the time of the hold.
    assert (first.price, first.deposit, first.deposit_non_refundable, first.currency) == (
        Decimal("450000.00"), Decimal("150000.00"), Decimal("25000.00"), "USD",
    )
    change = first.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by) == ("", "held", pax)


def test_a_hold_writes_its_status_change_with_its_email_in_the_outbox(pax, flight):
    booking = hold(flight, pax)
    notification = booking.status_changes.get().notification
    assert (notification.dedupe_key, notification.recipient, notification.subject) == (
        f"tourism.booking_start.{booking.pk}", pax.email, f"Booking #{booking.pk} on flight NS-41: held",
    )
    assert f"Seat 1 on flight NS-41 ({flight.itinerary}) is held for you until" in notification.body


def test_a_freed_seat_number_is_reused(pax, other_pax, flight):
    first = hold(flight, pax)
    hold(flight, other_pax)
    services.booking_cancel(booking=first, by=pax)
    third = hold(flight, passenger_with_profile())
    assert third.seat_number == 1


def test_sold_out_when_every_seat_is_taken(flight):
    for _ in range(6):
        hold(flight, passenger_with_profile())
    with pytest.raises(SoldOut, match="Flight NS-41 is sold out: all 6 seats are taken or offered to the waitlist"):
        hold(flight, passenger_with_profile())
    assert Booking.objects.filter(flight=flight).count() == 6


def test_same_passenger_cannot_book_a_flight_twice(pax, flight):
    booking = hold(flight, pax)
    with pytest.raises(AlreadyBooked, match=rf"You already have booking #{booking.pk} on flight NS-41 \(seat 1, held\)"):
        hold(flight, pax)


def test_already_booked_wins_over_sold_out(pax, flight):
    hold(flight, pax)
    for _ in range(5):
        hold(flight, passenger_with_profile())
    with pytest.raises(AlreadyBooked):
        hold(flight, pax)


def test_after_cancelling_the_passenger_may_book_again(pax, flight):
    services.booking_cancel(booking=hold(flight, pax), by=pax)
    assert hold(flight, pax).status == "held"


def test_a_lapsed_hold_frees_its_seat_for_the_next_hold_under_the_same_lock(pax, flight):
    now = timezone.now()
    holds = [hold(flight, passenger_with_profile(), now=now) for _ in range(6)]
    later = now + dt.timedelta(hours=73)
    booking = hold(flight, pax, now=later)
    assert booking.seat_number == 1
    assert set(Booking.objects.filter(pk__in=[h.pk for h in holds]).values_list("status", flat=True)) == {"expired"}
    expired = BookingStatusChange.objects.get(booking=holds[0], to_status="expired")
    assert "The hold lapsed at" in expired.reason and expired.changed_by is None


def test_under_age_on_the_flight_date_is_refused(flight):
    launch_day = flight.launch_at.astimezone(flight.spaceport.tzinfo).date()
    minor = passenger_with_profile(date_of_birth=launch_day.replace(year=launch_day.year - 18) + dt.timedelta(days=1))
    with pytest.raises(PassengerNotEligible, match=r"must be 18 or older on the flight date; on .* you will be 17"):
        hold(flight, minor)


def test_eighteenth_birthday_on_the_flight_date_is_enough(flight):
    launch_day = flight.launch_at.astimezone(flight.spaceport.tzinfo).date()
    adult = passenger_with_profile(date_of_birth=launch_day.replace(year=launch_day.year - 18))
    assert hold(flight, adult).status == "held"


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("mass_kg", Decimal("101.5"), r"carries passengers of 50(\.0)? to 101(\.0)? kg; your profile gives 101.5 kg"),
        ("mass_kg", Decimal("49.0"), r"your profile gives 49.0 kg"),
        ("height_cm", 194, r"carries passengers 152 to 193 cm tall; your profile gives 194 cm"),
        ("height_cm", 150, r"your profile gives 150 cm"),
    ],
)
def test_passenger_outside_vehicle_limits_is_refused(flight, field, value, message):
    user = passenger_with_profile(**{field: value})
    with pytest.raises(PassengerNotEligible, match=message):
        hold(flight, user)


def test_a_profile_is_required_before_booking(passenger, flight):
    with pytest.raises(ProfileRequired, match="Complete your passenger profile"):
        hold(flight, passenger)


@pytest.mark.parametrize(
    "setup,message",
    [
        ("draft", "Flight X-1 cannot be booked: it is draft."),
        ("cancelled", "Flight X-1 cannot be booked: it is cancelled."),
        ("scrubbed", "Flight X-1 cannot be booked: it is scrubbed."),
        ("verification", "Flight X-1 is a uncrewed verification flight: it carries no paying passengers."),
        ("unpublished", "Flight X-1 cannot be booked: its itinerary .* is not on sale."),
        ("past", "Flight X-1 cannot be booked: its launch time has passed."),
    ],
)
def test_flights_not_on_sale_are_refused(pax, operations, setup, message):
    if setup == "draft":
        flight = FlightFactory(code="X-1")
    elif setup == "verification":
        flight = scheduled_flight(code="X-1", purpose=Flight.Purpose.UNCREWED_VERIFICATION, itinerary=None)
    else:
        flight = bookable_flight(code="X-1")
    if setup == "cancelled":
        flight_services.flight_cancel(flight=flight, reason="Range closed", by=operations)
    elif setup == "scrubbed":
        flight_services.flight_scrub(flight=flight, reason="Winds", by=operations)
    elif setup == "unpublished":
        flight.itinerary.is_published = False
        flight.itinerary.save()
    now = flight.launch_at + dt.timedelta(minutes=1) if setup == "past" else None
    with pytest.raises(FlightNotBookable, match=message):
        hold(flight, pax, now=now)


def test_registered_booking_guards_refuse_with_their_message(pax, flight):
    def not_certified(f):
        return f"Vehicle {f.vehicle.serial} is not certified for passengers."

    registry.booking_guards.register(not_certified)
    try:
        with pytest.raises(Exception, match=rf"Vehicle {flight.vehicle.serial} is not certified for passengers.") as caught:
            hold(flight, pax)
        assert caught.value.code == "flight_not_bookable"
    finally:
        registry.booking_guards.unregister(not_certified)
    assert not Booking.objects.exists()


# --- The expiry sweep ----------------------------------------------------------------------------------


def test_sweep_expires_lapsed_holds_once(pax, other_pax, flight):
    now = timezone.now()
    keeping = hold(flight, other_pax, now=now)
    lapsing = hold(flight, pax, now=now - dt.timedelta(hours=73))
    first = services.booking_expire_lapsed_holds(now=now)
    second = services.booking_expire_lapsed_holds(now=now)
    assert (first.expired_holds, second.expired_holds) == (1, 0)
    lapsing.refresh_from_db()
    keeping.refresh_from_db()
    assert (lapsing.status, keeping.status) == ("expired", "held")
    assert lapsing.ended_at == now
    assert BookingStatusChange.objects.filter(booking=lapsing, to_status="expired").count() == 1


def test_sweep_leaves_reserved_bookings_alone_even_after_the_old_hold_time(flight):
    booking = reserved_booking(flight)
    result = services.booking_expire_lapsed_holds(now=timezone.now() + dt.timedelta(days=10))
    booking.refresh_from_db()
    assert (result.expired_holds, booking.status) == (0, "reserved")


# --- Cancellation ----------------------------------------------------------------------------------------


def test_passenger_cancels_a_hold_nothing_to_refund(pax, flight):
    booking = services.booking_cancel(booking=hold(flight, pax), by=pax)
    assert booking.status == "cancelled"
    assert "Refund 0.00 USD: Nothing has been paid" in booking.end_reason
    assert not LedgerEntry.objects.filter(kind="refund").exists()


def test_cancel_records_the_policy_refund_in_the_ledger(flight, operations):
    booking = reserved_booking(flight, by=operations)
    now = flight.launch_at - dt.timedelta(days=100)
    services.booking_cancel(booking=booking, by=booking.user, now=now, reason="Changed my plans")
    refund = LedgerEntry.objects.get(booking=booking, kind="refund")
    assert (refund.amount, refund.currency) == (Decimal("125000.00"), "USD")
    assert "non-refundable part of the deposit" in refund.note
    assert selectors.booking_amount_paid(booking) == Decimal("25000.00")
    booking.refresh_from_db()
    assert booking.end_reason.startswith("Changed my plans. Refund 125,000.00 USD")


def test_operator_cancellation_refunds_everything(flight, operations):
    booking = reserved_booking(flight)
    now = flight.launch_at - dt.timedelta(days=5)
    services.booking_cancel(booking=booking, by=operations, operator_fault=True, now=now, reason="Medical hold by us")
    assert LedgerEntry.objects.get(booking=booking, kind="refund").amount == Decimal("150000.00")


@pytest.mark.parametrize("status", ["flown", "no_show", "cancelled", "expired", "transferred"])
def test_ended_bookings_cannot_be_cancelled(status, flight, operations):
    booking = reserved_booking(flight)
    Booking.objects.filter(pk=booking.pk).update(status=status)
    label = dict(Booking.Status.choices)[status].lower()
    with pytest.raises(InvalidTransition, match=rf"Cannot cancel booking #{booking.pk} \(NS-41, seat 1\): it is {label}\."):
        services.booking_cancel(booking=booking, by=booking.user)


def test_cancelling_a_flown_booking_is_refused(flight, operations):
    booking = manifested_booking(flight, operations)
    flight_services.flight_mark_ready(flight=flight, by=operations)
    flight_services.flight_launch(flight=flight, by=operations, at=flight.launch_at, now=flight.launch_at)
    booking.refresh_from_db()
    assert booking.status == "flown"
    with pytest.raises(InvalidTransition, match="it is flown"):
        services.booking_cancel(booking=booking, by=booking.user)


# --- Operator actions on the flight ---------------------------------------------------------------------


def test_cancelling_the_flight_cancels_its_bookings_with_full_refunds(flight, operations, pax):
    reserved = reserved_booking(flight)
    held = hold(flight, pax)
    flight_services.flight_cancel(flight=flight, reason="Vehicle retired early", by=operations)
    reserved.refresh_from_db()
    held.refresh_from_db()
    assert (reserved.status, held.status) == ("cancelled", "cancelled")
    assert "Flight NS-41 was cancelled: Vehicle retired early" in reserved.end_reason
    assert LedgerEntry.objects.get(booking=reserved, kind="refund").amount == Decimal("150000.00")
    assert reserved.status_changes.last().changed_by == operations


def test_a_scrub_does_not_touch_bookings(flight, operations):
    booking = reserved_booking(flight)
    before = booking.status_changes.count()
    flight_services.flight_scrub(flight=flight, reason="Upper-level winds", by=operations)
    flight_services.flight_schedule(
        flight=flight, by=operations, launch_at=flight.launch_at + dt.timedelta(days=3)
    )
    booking.refresh_from_db()
    assert (booking.status, booking.flight_id, booking.status_changes.count()) == ("reserved", flight.pk, before)


def test_launch_flies_manifested_passengers_only(flight, operations):
    manifested = manifested_booking(flight, operations)
    reserved = reserved_booking(flight)
    flight_services.flight_mark_ready(flight=flight, by=operations)
    flight_services.flight_launch(flight=flight, by=operations, at=flight.launch_at, now=flight.launch_at)
    manifested.refresh_from_db()
    reserved.refresh_from_db()
    assert (manifested.status, reserved.status) == ("flown", "reserved")


# --- Manifest ---------------------------------------------------------------------------------------------


def test_manifest_when_balance_paid_and_consent_current(flight, operations, run_on_commit):
    booking = reserved_booking(flight)
    pay_balance(booking, by=operations)
    with run_on_commit():
        booking = services.booking_manifest(booking=booking, by=operations)
    assert booking.status == "manifested" and booking.manifested_at is not None
    assert booking.status_changes.last().reason == "Every pre-flight gate is met."


def test_manifest_refusal_lists_every_failing_gate(flight, operations):
    booking = reserved_booking(flight)

    def medical(b, *, now):
        return f"No medical clearance for {b.user.username} valid on the flight date."

    def training(b, *, now):
        return "Emergency training not complete."

    registry.manifest_gates.register(medical)
    registry.manifest_gates.register(training)
    try:
        with pytest.raises(ManifestGateFailed) as caught:
            services.booking_manifest(booking=booking, by=operations)
    finally:
        registry.manifest_gates.unregister(medical)
        registry.manifest_gates.unregister(training)
    message = caught.value.message
    assert message.startswith(f"Cannot manifest booking {booking}: ")
    assert "Balance unpaid: 300,000.00 USD of 450,000.00 USD is outstanding" in message
    assert "No medical clearance" in message and "Emergency training not complete." in message
    assert caught.value.code == "manifest_gate_failed"
    booking.refresh_from_db()
    assert booking.status == "reserved"


def test_manifest_refused_when_consent_went_stale(flight, operations):
    booking = reserved_booking(flight)
    pay_balance(booking, by=operations)
    flight_services.vehicle_ground(vehicle=flight.vehicle, reason="Parachute anomaly on NS-40", by=operations)
    with pytest.raises(ManifestGateFailed, match="Informed consent is not current: The vehicle's safety record changed"):
        services.booking_manifest(booking=booking, by=operations)


def test_manifest_refused_over_the_cabin_mass_budget(operations):
    vehicle = VehicleFactory(model__cabin_mass_budget_kg=Decimal("180"), model__passenger_seats=3)
    flight = bookable_flight(vehicle=vehicle)
    first = reserved_booking(flight, user=passenger_with_profile(mass_kg=Decimal("95")))
    second = reserved_booking(flight, user=passenger_with_profile(mass_kg=Decimal("90")))
    for booking in (first, second):
        pay_balance(booking, by=operations)
    services.booking_manifest(booking=first, by=operations)
    with pytest.raises(ManifestGateFailed, match=r"Cabin mass over budget: the manifest would carry 185(\.0)? kg"):
        services.booking_manifest(booking=second, by=operations)


def test_manifest_refused_when_the_profile_left_the_vehicle_limits(flight, operations):
    booking = reserved_booking(flight)
    pay_balance(booking, by=operations)
    services.passenger_profile_save(user=booking.user, mass_kg=Decimal("120"))
    with pytest.raises(ManifestGateFailed, match="your profile gives 120"):
        services.booking_manifest(booking=booking, by=operations)


def test_a_held_booking_cannot_be_manifested(pax, flight, operations):
    booking = hold(flight, pax)
    with pytest.raises(InvalidTransition, match="Cannot manifest booking .*: it is held. From held it can only become"):
        services.booking_manifest(booking=booking, by=operations)


def test_unmanifest_needs_a_reason_and_goes_back_to_reserved(flight, operations):
    booking = manifested_booking(flight, operations)
    with pytest.raises(InvalidInput, match="Give a reason to take a booking off the manifest."):
        services.booking_unmanifest(booking=booking, by=operations, reason=" ")
    booking = services.booking_unmanifest(booking=booking, by=operations, reason="Clearance expires before new date")
    assert booking.status == "reserved"


def test_no_show_needs_a_reason_and_refunds_nothing(flight, operations):
    booking = manifested_booking(flight, operations)
    with pytest.raises(InvalidInput, match="Give a reason to mark a booking no-show."):
        services.booking_mark_no_show(booking=booking, by=operations, reason="")
    booking = services.booking_mark_no_show(booking=booking, by=operations, reason="Did not report at L-2 h")
    assert booking.status == "no_show"
    assert not LedgerEntry.objects.filter(kind="refund").exists()


def test_mark_flown_refused_before_launch(flight, operations):
    booking = manifested_booking(flight, operations)
    with pytest.raises(InvalidTransition, match="Cannot mark flown booking .*: flight NS-41 is scheduled."):
        services.booking_mark_flown(booking=booking, by=operations)


def test_manifest_refused_on_a_flight_that_is_no_longer_upcoming(flight, operations):
    booking = reserved_booking(flight)
    pay_balance(booking, by=operations)
    Flight.objects.filter(pk=flight.pk).update(status=Flight.Status.LANDED, launched_at=flight.launch_at)
    with pytest.raises(InvalidTransition, match="flight NS-41 is landed"):
        services.booking_manifest(booking=booking, by=operations)


# --- Transfers --------------------------------------------------------------------------------------------


def other_flight_of(flight, **kwargs):
    """Another flight of the same itinerary, a few days later each time (the vehicle needs its turnaround)."""
    kwargs.setdefault("vehicle", flight.vehicle)
    later = Flight.objects.filter(vehicle=kwargs["vehicle"]).count()
    return bookable_flight(
        itinerary=flight.itinerary, launch_at=flight.launch_at + dt.timedelta(days=7 * later), **kwargs
    )


def test_transfer_same_vehicle_keeps_consent_and_payments(flight, operations):
    booking = reserved_booking(flight)
    later = other_flight_of(flight, code="NS-42")
    new = services.booking_transfer(booking=booking, to_flight=later, by=operations, reason="Passenger asked")
    booking.refresh_from_db()
    assert (booking.status, new.status, new.flight, new.transferred_from) == ("transferred", "reserved", later, booking)
    assert new.consent_id == booking.consent_id
    assert selectors.booking_amount_paid(new) == Decimal("150000.00")
    assert selectors.booking_amount_paid(booking) == Decimal("0.00")
    from tourism.disclosure import consent_state

    assert consent_state(signature=new.consent, vehicle=later.vehicle).is_current
    assert "now booking #" in booking.end_reason and "NS-42" in booking.end_reason
    start = new.status_changes.get()
    assert start.reason == f"Transferred from booking #{booking.pk} on flight NS-41."
    assert start.notification.dedupe_key == f"tourism.booking_start.{new.pk}" and start.reason in start.notification.body


def test_transfer_to_another_vehicle_needs_consent_before_reserved(flight, operations):
    booking = reserved_booking(flight)
    other_vehicle = VehicleFactory(model=flight.vehicle.model, home_spaceport=flight.spaceport)
    later = other_flight_of(flight, code="NS-50", vehicle=other_vehicle)
    services.consent_document_publish(vehicle=other_vehicle, known_hazards="Death or serious injury.", by=None)
    new = services.booking_transfer(booking=booking, to_flight=later, by=booking.user)
    from tourism.disclosure import consent_state

    state = consent_state(signature=new.consent, vehicle=later.vehicle)
    assert state.status == "stale"
    assert f"Consent was signed for vehicle {flight.vehicle}; the flight now uses {other_vehicle}." in state.reasons
    # Not reserved: the seat is held for the passenger and the payments came along, nothing more.
    assert (new.status, new.reserved_at) == ("awaiting_consent", None)
    assert selectors.booking_amount_paid(new) == Decimal("150000.00")
    assert "must be signed again for this flight before the seat is reserved" in new.status_changes.get().reason
    assert selectors.flight_seats_left(later, now=timezone.now()) == later.seats_total - 1
    with pytest.raises(Exception, match="informed consent is stale"):
        pay_balance(new, by=operations)
    with pytest.raises(ManifestGateFailed, match="waits for the passenger to sign informed consent"):
        services.booking_manifest(booking=new, by=operations)
    sign(new)
    new.refresh_from_db()
    assert new.status == "reserved" and new.reserved_at is not None
    assert "after the transfer" in new.status_changes.order_by("-pk").first().reason
    assert pay_balance(new, by=operations).kind == "balance"


def test_transfer_to_a_flight_with_a_newer_consent_document_needs_consent_again(flight, operations):
    booking = reserved_booking(flight)
    later = other_flight_of(flight, code="NS-51")
    services.consent_document_publish(vehicle=flight.vehicle, known_hazards="Death, injury, hearing loss.", by=None)
    new = services.booking_transfer(booking=booking, to_flight=later, by=booking.user)
    assert new.status == "awaiting_consent"
    assert "Consent document version 2 replaced the version 1" in new.status_changes.get().reason
    services.booking_cancel(booking=new, by=booking.user)  # it may still be cancelled (the ledger refunds)
    new.refresh_from_db()
    assert new.status == "cancelled"


def test_transfer_of_a_hold_keeps_its_deadline(pax, flight):
    booking = hold(flight, pax)
    new = services.booking_transfer(booking=booking, to_flight=other_flight_of(flight), by=pax)
    assert (new.status, new.hold_expires_at) == ("held", booking.hold_expires_at)


def test_transfer_manifested_starts_reserved(flight, operations):
    booking = manifested_booking(flight, operations)
    new = services.booking_transfer(booking=booking, to_flight=other_flight_of(flight), by=operations)
    assert new.status == "reserved"


def test_a_transfer_onto_a_flight_accepts_the_passengers_waitlist_entry(pax, flight, full, operations):
    later = other_flight_of(flight, code="NS-42")
    booking = services.booking_hold(flight=later, user=pax)
    entry = services.waitlist_join(flight=flight, user=pax)
    services.booking_cancel(booking=full[5], by=full[5].user)
    entry.refresh_from_db()
    assert entry.status == "offered"
    moved = services.booking_transfer(booking=booking, to_flight=flight, by=operations)
    entry.refresh_from_db()
    assert (moved.seat_number, entry.status, entry.booking) == (6, "accepted", moved)


def test_transfer_refusals(pax, flight, operations):
    booking = hold(flight, pax)
    with pytest.raises(TransferRefused, match="is already on flight NS-41"):
        services.booking_transfer(booking=booking, to_flight=flight, by=pax)
    elsewhere = bookable_flight(itinerary=ItineraryFactory(name="Orbit Lite"))
    with pytest.raises(TransferRefused, match=r"can move only to another flight of .*; flight .* flies Orbit Lite"):
        services.booking_transfer(booking=booking, to_flight=elsewhere, by=pax)
    full = other_flight_of(flight, code="NS-43")
    for _ in range(6):
        hold(full, passenger_with_profile())
    with pytest.raises(SoldOut):
        services.booking_transfer(booking=booking, to_flight=full, by=pax)
    booking.refresh_from_db()
    assert booking.status == "held"
    with pytest.raises(HoldExpired, match="its hold lapsed"):
        services.booking_transfer(
            booking=booking, to_flight=other_flight_of(flight, code="NS-44"), by=pax,
            now=booking.hold_expires_at + dt.timedelta(seconds=1),
        )


def test_transfer_refused_when_already_on_the_target_flight(pax, flight):
    booking = hold(flight, pax)
    later = other_flight_of(flight)
    hold(later, pax)
    with pytest.raises(AlreadyBooked):
        services.booking_transfer(booking=booking, to_flight=later, by=pax)


# --- Every move of the transition table ------------------------------------------------------------------


def booking_in(status, flight, operations):
    """A booking brought to `status` through the services."""
    if status == "held":
        return hold(flight, passenger_with_profile())
    if status == "reserved":
        return reserved_booking(flight)
    return manifested_booking(flight, operations)


def do_move(booking, to_status, operations, flight):
    if to_status == "reserved" and booking.status == "held":
        sign(booking)
        return pay_deposit(booking, by=operations)
    if to_status == "reserved":
        return services.booking_unmanifest(booking=booking, by=operations, reason="Gate lapsed")
    if to_status == "manifested":
        pay_balance(booking, by=operations)
        return services.booking_manifest(booking=booking, by=operations)
    if to_status == "cancelled":
        return services.booking_cancel(booking=booking, by=booking.user)
    if to_status == "expired":
        return services.booking_expire_lapsed_holds(now=booking.hold_expires_at)
    if to_status == "transferred":
        return services.booking_transfer(booking=booking, to_flight=other_flight_of(flight), by=operations)
    if to_status == "no_show":
        return services.booking_mark_no_show(booking=booking, by=operations, reason="Absent")
    if to_status == "flown":
        flight_services.flight_mark_ready(flight=flight, by=operations)
        return flight_services.flight_launch(flight=flight, by=operations, at=flight.launch_at, now=flight.launch_at)
    raise AssertionError(to_status)


@pytest.mark.parametrize(
    "from_status,to_status",
    [(a, b) for a in ("held", "reserved", "manifested") for b in sorted(Booking.TRANSITIONS[a])],
)
def test_every_allowed_move_is_recorded(from_status, to_status, flight, operations):
    booking = booking_in(from_status, flight, operations)
    do_move(booking, to_status, operations, flight)
    booking.refresh_from_db()
    assert booking.status == to_status
    change = booking.status_changes.last()
    assert (change.from_status, change.to_status) == (from_status, to_status)
    assert booking.history.filter(status=to_status).exists()


def test_terminal_statuses_allow_no_move():
    for status in ("flown", "no_show", "cancelled", "expired", "transferred"):
        assert Booking.TRANSITIONS[status] == set()
    assert set(Booking.TRANSITIONS) == set(Booking.Status.values)


def test_profile_validation_refuses_impossible_values(pax):
    with pytest.raises(InvalidInput) as caught:
        services.passenger_profile_save(user=pax, mass_kg=Decimal("-3"), nationality="XX", height_cm=20)
    assert {"mass_kg", "nationality", "height_cm"} <= set(caught.value.fields)


def test_unknown_profile_field_is_a_programming_error(pax):
    with pytest.raises(TypeError):
        services.passenger_profile_save(user=pax, shoe_size=44)


def test_profile_factory_defaults_are_eligible(flight):
    assert services.eligibility_problems(PassengerProfileFactory(), flight) == []
