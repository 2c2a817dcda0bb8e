"""The payments ledger: deposits and balances received, refunds owed. Decimal amounts with their currency.

14 CFR 460.45: no payment is taken before the passenger has signed informed consent, so a receipt is
refused while the booking's consent is missing or stale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone

from flights.exceptions import InvalidInput
from tourism import selectors
from tourism.disclosure import ConsentState, consent_state
from tourism.exceptions import ConsentRequired, ConsentStale, PaymentRefused
from tourism.models import Booking, LedgerEntry, RefundPolicy, ScrubNotice
from tourism.payments import get_provider
from tourism.services.common import booking_move, lock_for_change, require_hold_not_lapsed

CENT = Decimal("0.01")


def clean_amount(amount) -> Decimal:
    """A positive amount with at most two decimals, or InvalidInput."""
    try:
        value = Decimal(str(amount).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{amount!r} is not an amount of money.", fields={"amount": ["Enter a number."]}) from None
    if not value.is_finite() or value <= 0:
        raise InvalidInput("An amount must be more than zero.", fields={"amount": ["Must be more than zero."]})
    if value != value.quantize(CENT):
        raise InvalidInput("An amount has at most two decimals.", fields={"amount": ["At most two decimals."]})
    return value.quantize(CENT)


# --- Refunds -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefundQuote:
    paid: Decimal
    refund: Decimal
    currency: str
    rule: str

    @property
    def retained(self) -> Decimal:
        return self.paid - self.refund


def refund_policy_for(itinerary) -> RefundPolicy:
    try:
        return itinerary.refund_policy
    except (ObjectDoesNotExist, AttributeError):
        return RefundPolicy(itinerary=itinerary)  # the defaults, unsaved


def refund_quote(*, booking: Booking, now: dt.datetime | None = None, operator_fault: bool = False) -> RefundQuote:
    """What cancelling `booking` at `now` gives back, by the itinerary's policy. The one place refunds are computed.

    Defaults: more than 90 days before launch, everything paid minus the non-refundable part of the
    deposit; 30 to 90 days, half of what was paid; under 30 days, nothing; when the operator cancels or
    cannot carry the passenger, everything paid. A scrub that left the passenger blocked for the new
    launch time (an open scrub notice) is the operator's doing too.
    """
    now = now or timezone.now()
    paid = selectors.booking_amount_paid(booking)
    currency = booking.currency
    if paid <= 0:
        return RefundQuote(Decimal("0.00"), Decimal("0.00"), currency, "Nothing has been paid, so nothing is refunded.")
    if operator_fault:
        return RefundQuote(paid, paid, currency, "The operator cancelled or cannot carry you: everything paid is refunded.")
    scrub = open_scrub_notice(booking)
    if scrub is not None:
        return RefundQuote(paid, paid, currency, (
            f"Flight {booking.flight.code} was scrubbed and moved to {scrub.new_launch_at:%Y-%m-%d %H:%M} UTC, which "
            "keeps you off its manifest as things stand: the operator's terms apply, everything paid is refunded."
        ))
    policy = refund_policy_for(booking.flight.itinerary)
    before_launch = booking.flight.launch_at - now
    if before_launch > dt.timedelta(days=policy.full_refund_days):
        kept = min(paid, booking.deposit_non_refundable)
        rule = (
            f"Cancelled more than {policy.full_refund_days} days before launch: everything paid minus the "
            f"non-refundable part of the deposit ({kept:,.2f} {currency})."
        )
        return RefundQuote(paid, paid - kept, currency, rule)
    if before_launch >= dt.timedelta(days=policy.partial_refund_days):
        refund = (paid * policy.partial_refund_percent / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)
        rule = (
            f"Cancelled {policy.partial_refund_days} to {policy.full_refund_days} days before launch: "
            f"{policy.partial_refund_percent}% of what was paid."
        )
        return RefundQuote(paid, refund, currency, rule)
    rule = f"Cancelled less than {policy.partial_refund_days} days before launch: nothing is refunded."
    return RefundQuote(paid, Decimal("0.00"), currency, rule)


def open_scrub_notice(booking: Booking) -> ScrubNotice | None:
    """The latest scrub notice that still makes a cancellation the operator's doing, if any."""
    if booking.pk is None:
        return None
    return ScrubNotice.objects.filter(booking=booking, operator_terms=True, closed_at__isnull=True).first()


# --- Payments received ---------------------------------------------------------------------------------


def require_current_consent(booking: Booking, *, action: str) -> ConsentState:
    """14 CFR 460.45: informed consent comes before payment and before any promise to fly."""
    state = consent_state(signature=booking.consent, vehicle=booking.flight.vehicle)
    if state.status == ConsentState.MISSING:
        raise ConsentRequired(
            f"Cannot {action} for booking {booking} before the passenger signs informed consent (14 CFR 460.45)."
        )
    if state.status == ConsentState.STALE:
        raise ConsentStale(
            f"Cannot {action} for booking {booking}: the passenger's informed consent is stale and must be signed "
            "again. " + " ".join(state.reasons)
        )
    return state


def payment_record(
    *,
    booking: Booking,
    kind: str,
    amount,
    reference: str,
    by,
    currency: str | None = None,
    provider: str = "bank_transfer",
    note: str = "",
    now: dt.datetime | None = None,
) -> LedgerEntry:
    """Record a payment received (operations, when the bank statement shows it). The deposit on a held
    booking, with consent signed, reserves it; later payments go to the balance."""
    now = now or timezone.now()
    payment_provider = get_provider(provider)
    reference = payment_provider.clean_reference(reference)
    amount = clean_amount(amount)
    if kind not in (LedgerEntry.Kind.DEPOSIT, LedgerEntry.Kind.BALANCE):
        raise InvalidInput("A payment received is a deposit or a balance payment.", fields={"kind": ["Unknown kind."]})
    with transaction.atomic():
        booking = lock_for_change(booking)
        code = booking.currency
        currency = (currency or code).strip().upper()
        if currency != code:
            raise PaymentRefused(
                f"Booking {booking} is priced in {code}: a payment in {currency} cannot be recorded against it.",
                fields={"currency": [f"Must be {code}."]},
            )
        if not booking.is_live:
            raise PaymentRefused(
                f"Cannot record a payment for booking {booking}: it is {booking.get_status_display().lower()}."
            )
        require_hold_not_lapsed(booking, now=now, action="record a payment")
        require_current_consent(booking, action="record a payment")
        duplicate = LedgerEntry.objects.filter(
            provider=payment_provider.code, reference=reference, kind__in=(LedgerEntry.Kind.DEPOSIT, LedgerEntry.Kind.BALANCE)
        ).first()
        if duplicate:
            raise PaymentRefused(
                f"{payment_provider.name} reference {reference} is already recorded on booking #{duplicate.booking_id}.",
                code="duplicate_payment",
                fields={"reference": ["Already recorded."]},
            )
        paid = selectors.booking_amount_paid(booking)
        held = booking.status == Booking.Status.HELD
        if held and kind != LedgerEntry.Kind.DEPOSIT:
            raise PaymentRefused(f"The first payment for booking {booking} is its deposit; record it as the deposit.")
        if held and amount < booking.deposit:
            raise PaymentRefused(
                f"The deposit for booking {booking} is {booking.deposit:,.2f} {code}; {amount:,.2f} {code} is less. "
                "Record a payment once the full deposit has arrived.",
                fields={"amount": [f"At least {booking.deposit:,.2f}."]},
            )
        if not held and kind == LedgerEntry.Kind.DEPOSIT:
            raise PaymentRefused(
                f"The deposit for booking {booking} is already received; record this payment as a balance payment."
            )
        if paid + amount > booking.price:
            raise PaymentRefused(
                f"{amount:,.2f} {code} would bring booking {booking} to {paid + amount:,.2f} {code}, above its price of "
                f"{booking.price:,.2f} {code}; {booking.price - paid:,.2f} {code} is outstanding.",
                fields={"amount": [f"At most {booking.price - paid:,.2f}."]},
            )
        entry = LedgerEntry.objects.create(
            booking=booking, kind=kind, amount=amount, currency=code, provider=payment_provider.code,
            reference=reference, note=note, recorded_by=by, recorded_at=now,
        )
        if held:
            booking_reserve(booking, by=by, now=now, reason=(
                f"Informed consent signed and deposit of {amount:,.2f} {code} received "
                f"({payment_provider.name}, reference {reference})."
            ))
    return entry


def booking_reserve(booking: Booking, *, by, now: dt.datetime, reason: str) -> None:
    """held -> reserved, on a locked booking whose consent is current and whose deposit is in."""
    booking.reserved_at = now
    booking_move(
        booking, to_status=Booking.Status.RESERVED, by=by, reason=reason, now=now, action="reserve",
        extra_fields=("reserved_at",),
    )
