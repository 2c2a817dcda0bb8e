"""The payments ledger and refunds: Decimal with currency, no payment before consent (14 CFR 460.45)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from flights import services as flight_services
from flights.exceptions import InvalidInput
from tests.tourism.factories import pay_balance, pay_deposit, reserved_booking, sign
from tourism import selectors, services
from tourism.exceptions import ConsentRequired, ConsentStale, HoldExpired, PaymentRefused
from tourism.models import LedgerEntry, RefundPolicy
from tourism.payments import BankTransferProvider, booking_payment_reference, get_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(pax, flight):
    return services.booking_hold(flight=flight, user=pax)


def record(booking, operations, **kwargs):
    kwargs.setdefault("kind", "deposit")
    kwargs.setdefault("amount", booking.deposit)
    kwargs.setdefault("reference", "BANK-0001")
    return services.payment_record(booking=booking, by=operations, **kwargs)


def test_no_payment_before_consent_is_signed(held, operations):
    with pytest.raises(
        ConsentRequired,
        match=r"Cannot record a payment for booking .* before the passenger signs informed consent \(14 CFR 460.45\)",
    ):
        record(held, operations)
    assert not LedgerEntry.objects.exists()
    held.refresh_from_db()
    assert held.status == "held"


def test_deposit_after_consent_reserves_the_seat(held, operations, mailoutbox, deliver_outbox):
    sign(held)
    deliver_outbox()  # the hold's email
    mailoutbox.clear()
    entry = record(held, operations, reference="  BANK-0001 ")
    deliver_outbox()
    assert (entry.kind, entry.amount, entry.currency, entry.provider, entry.reference, entry.recorded_by) == (
        "deposit", Decimal("150000.00"), "USD", "bank_transfer", "BANK-0001", operations,
    )
    held.refresh_from_db()
    assert held.status == "reserved" and held.reserved_at is not None
    change = held.status_changes.last()
    assert "deposit of 150,000.00 USD received (Bank transfer, reference BANK-0001)" in change.reason
    assert [m.subject for m in mailoutbox] == [f"Booking #{held.pk} on flight NS-41: reserved"]


def test_no_payment_while_consent_is_stale(flight, operations):
    booking = reserved_booking(flight)
    flight_services.vehicle_ground(vehicle=flight.vehicle, reason="Hard landing on NS-40", by=operations)
    with pytest.raises(ConsentStale, match="informed consent is stale and must be signed again. The vehicle's safety record"):
        pay_balance(booking, by=operations)
    sign(booking)
    assert pay_balance(booking, by=operations).amount == Decimal("300000.00")


def test_partial_deposit_is_refused(held, operations):
    sign(held)
    with pytest.raises(PaymentRefused, match=r"The deposit for booking .* is 150,000.00 USD; 100,000.00 USD is less"):
        record(held, operations, amount="100000")


def test_first_payment_must_be_the_deposit(held, operations):
    sign(held)
    with pytest.raises(PaymentRefused, match="The first payment for booking .* is its deposit"):
        record(held, operations, kind="balance")


def test_second_deposit_is_refused(flight, operations):
    booking = reserved_booking(flight)
    with pytest.raises(PaymentRefused, match="deposit for booking .* is already received; record this payment as a balance"):
        record(booking, operations, reference="BANK-0002")


def test_overpayment_is_refused(flight, operations):
    booking = reserved_booking(flight)
    with pytest.raises(PaymentRefused, match=r"above its price of 450,000.00 USD; 300,000.00 USD is outstanding"):
        record(booking, operations, kind="balance", amount="300000.01", reference="BANK-0002")


def test_other_currency_is_refused(held, operations):
    sign(held)
    with pytest.raises(PaymentRefused, match="is priced in USD: a payment in EUR cannot be recorded"):
        record(held, operations, currency="eur")


def test_the_same_bank_reference_cannot_be_recorded_twice(flight, operations):
    first = reserved_booking(flight)
    second = reserved_booking(flight)
    record(first, operations, kind="balance", amount="1000", reference="BANK-7")
    with pytest.raises(PaymentRefused, match=f"Bank transfer reference BANK-7 is already recorded on booking #{first.pk}") as caught:
        record(second, operations, kind="balance", amount="1000", reference="BANK-7")
    assert caught.value.code == "duplicate_payment"


def test_payment_on_a_lapsed_hold_is_refused(held, operations):
    sign(held)
    with pytest.raises(HoldExpired, match="the seat went back on sale. Hold a seat again"):
        record(held, operations, now=held.hold_expires_at)


def test_payment_on_a_cancelled_booking_is_refused(flight, operations):
    booking = reserved_booking(flight)
    services.booking_cancel(booking=booking, by=booking.user)
    with pytest.raises(PaymentRefused, match="it is cancelled"):
        record(booking, operations, kind="balance", amount="10", reference="BANK-9")


@pytest.mark.parametrize(
    "amount,field",
    [("0", "amount"), ("-5", "amount"), ("12.345", "amount"), ("lots", "amount"), ("NaN", "amount")],
)
def test_bad_amounts_are_refused(held, operations, amount, field):
    sign(held)
    with pytest.raises(InvalidInput) as caught:
        record(held, operations, amount=amount)
    assert field in caught.value.fields


@pytest.mark.parametrize("reference", ["", "  ", "x", "a" * 65, "semi;colon"])
def test_bad_references_are_refused(held, operations, reference):
    sign(held)
    with pytest.raises(InvalidInput, match="Give the bank's reference"):
        record(held, operations, reference=reference)


def test_unknown_provider_and_kind_are_refused(held, operations):
    with pytest.raises(InvalidInput, match="Unknown payment provider 'card'"):
        record(held, operations, provider="card")
    with pytest.raises(InvalidInput, match="A payment received is a deposit or a balance payment."):
        record(held, operations, kind="refund")


def test_balance_payments_add_up_to_the_price(flight, operations):
    booking = reserved_booking(flight)
    record(booking, operations, kind="balance", amount="100000.50", reference="B-1")
    record(booking, operations, kind="balance", amount="199999.50", reference="B-2")
    assert selectors.booking_amount_paid(booking) == Decimal("450000.00")
    assert selectors.booking_balance_outstanding(booking) == Decimal("0.00")


def test_bank_transfer_instructions_quote_the_booking_reference(held, settings):
    settings.BANK_TRANSFER_DETAILS = "Spaceline Ltd, IBAN GB00 TEST"
    lines = get_provider("bank_transfer").instructions(booking=held, amount=Decimal("150000"))
    assert lines[0] == "Transfer 150,000.00 USD to Spaceline Ltd, IBAN GB00 TEST."
    assert booking_payment_reference(held) in lines[1]
    assert isinstance(get_provider("bank_transfer"), BankTransferProvider)


# --- Refunds ------------------------------------------------------------------------------------------------


def quote(booking, days_before, **kwargs):
    return services.refund_quote(booking=booking, now=booking.flight.launch_at - days_before, **kwargs)


@pytest.mark.parametrize(
    "days_before,refund,rule",
    [
        (dt.timedelta(days=91), "125000.00", "more than 90 days before launch"),
        (dt.timedelta(days=90, seconds=1), "125000.00", "more than 90 days"),
        (dt.timedelta(days=90), "75000.00", "30 to 90 days before launch: 50% of what was paid"),
        (dt.timedelta(days=30), "75000.00", "30 to 90 days"),
        (dt.timedelta(days=30) - dt.timedelta(seconds=1), "0.00", "less than 30 days before launch: nothing"),
        (dt.timedelta(days=1), "0.00", "nothing is refunded"),
    ],
)
def test_refund_tiers_by_days_before_launch(flight, days_before, refund, rule):
    booking = reserved_booking(flight)
    result = quote(booking, days_before)
    assert (result.paid, result.refund, result.currency) == (Decimal("150000.00"), Decimal(refund), "USD")
    assert rule in result.rule
    assert result.retained == result.paid - result.refund


def test_operator_fault_refunds_everything_even_at_the_last_minute(flight, operations):
    booking = reserved_booking(flight)
    pay_balance(booking, by=operations)
    result = quote(booking, dt.timedelta(hours=2), operator_fault=True)
    assert result.refund == Decimal("450000.00")
    assert "The operator cancelled or cannot carry you" in result.rule


def test_non_refundable_part_never_exceeds_what_was_paid(pax, flight):
    booking = services.booking_hold(flight=flight, user=pax)
    assert quote(booking, dt.timedelta(days=200)).refund == Decimal("0.00")


def test_the_itinerary_policy_overrides_the_defaults(flight):
    RefundPolicy.objects.create(
        itinerary=flight.itinerary, full_refund_days=60, partial_refund_days=14, partial_refund_percent=25
    )
    booking = reserved_booking(flight)
    assert quote(booking, dt.timedelta(days=61)).refund == Decimal("125000.00")
    partial = quote(booking, dt.timedelta(days=20))
    assert partial.refund == Decimal("37500.00") and "14 to 60 days before launch: 25%" in partial.rule
    assert quote(booking, dt.timedelta(days=13)).refund == Decimal("0.00")


def test_half_cents_round_half_up(flight, operations):
    booking = reserved_booking(flight)
    record(booking, operations, kind="balance", amount="0.01", reference="B-CENT")
    assert quote(booking, dt.timedelta(days=45)).refund == Decimal("75000.01")


def test_balance_due_date_follows_the_itinerary(flight):
    booking = reserved_booking(flight)
    assert booking.balance_due_at == flight.launch_at - dt.timedelta(days=90)
    flight.itinerary.balance_due_days = 60
    flight.itinerary.save()
    booking.refresh_from_db()
    assert booking.balance_due_at == flight.launch_at - dt.timedelta(days=60)


def test_a_deposit_free_itinerary_reserves_on_consent(pax):
    from tests.flights.factories import ItineraryFactory
    from tests.tourism.factories import bookable_flight

    flight = bookable_flight(itinerary=ItineraryFactory(deposit=Decimal("0"), deposit_non_refundable=Decimal("0")))
    booking = services.booking_hold(flight=flight, user=pax)
    sign(booking)
    booking.refresh_from_db()
    assert booking.status == "reserved"


def test_deposit_helper_round_trip(held, operations):
    sign(held)
    pay_deposit(held, by=operations, now=timezone.now())
    held.refresh_from_db()
    assert held.status == "reserved"
