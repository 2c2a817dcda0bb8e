"""Informed consent (14 CFR 460.45): publishing the operator's document, and the passenger's signature."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from flights.exceptions import InvalidInput, InvalidTransition
from flights.models import Vehicle
from tourism.disclosure import ConsentState, consent_state, disclosure_build
from tourism.exceptions import ConsentSignatureInvalid, DisclosureChanged
from tourism.models import Booking, ConsentDocument, ConsentSignature, IndustrySafetyRecord
from tourism.services.common import lock_for_change, require_hold_not_lapsed, require_profile
from tourism.services.email_verification import require_email_verified
from tourism.services.payments import booking_reserve


def consent_document_publish(
    *,
    vehicle: Vehicle,
    known_hazards: str,
    by,
    unknown_hazards: str = "",
    government_statement: str = "",
    now: dt.datetime | None = None,
) -> ConsentDocument:
    """Publish the next version of a vehicle's consent document; consent signed on an earlier one is stale."""
    now = now or timezone.now()
    known_hazards = (known_hazards or "").strip()
    if not known_hazards:
        raise InvalidInput(
            "A consent document must list the known hazards.", fields={"known_hazards": ["This field is required."]}
        )
    with transaction.atomic():
        vehicle = Vehicle.objects.select_for_update().get(pk=vehicle.pk)  # versions are numbered one at a time
        latest = ConsentDocument.objects.filter(vehicle=vehicle).aggregate(n=Max("version"))["n"] or 0
        document = ConsentDocument(
            vehicle=vehicle,
            version=latest + 1,
            known_hazards=known_hazards,
            unknown_hazards=(unknown_hazards or "").strip() or ConsentDocument.UNKNOWN_HAZARDS,
            government_statement=(government_statement or "").strip() or ConsentDocument.GOVERNMENT_STATEMENT,
            published_at=now,
            published_by=by,
        )
        document._history_user = by
        document.save()
    return document


def industry_record_publish(*, summary: str, as_of: dt.date, by) -> IndustrySafetyRecord:
    summary = (summary or "").strip()
    if not summary:
        raise InvalidInput("The industry safety record needs a summary.", fields={"summary": ["This field is required."]})
    record = IndustrySafetyRecord(summary=summary, as_of=as_of, updated_by=by)
    record._history_user = by
    record.save()
    return record


def _normalised_name(name: str) -> str:
    return " ".join((name or "").split()).casefold()


def consent_sign(
    *,
    booking: Booking,
    user,
    typed_name: str,
    password: str,
    disclosure_sha256: str = "",
    ip_address: str | None = None,
    now: dt.datetime | None = None,
) -> ConsentSignature:
    """The passenger signs the disclosure for the booking's vehicle by typing their full legal name and
    their password. The record keeps the exact text shown, its SHA-256 and the material facts disclosed.

    `disclosure_sha256` is the digest of the text the passenger read (the portal always sends it): when the
    record changed since, the signature is refused and the new text is shown.
    """
    now = now or timezone.now()
    if booking.user_id != user.pk:
        raise ConsentSignatureInvalid("Only the passenger of a booking can sign its informed consent.")
    require_email_verified(user)
    profile = require_profile(user)
    errors = {}
    if _normalised_name(typed_name) != _normalised_name(profile.legal_name):
        errors["legal_name"] = ["Type your full legal name exactly as in your passenger profile."]
    if not password or not user.check_password(password):
        errors["password"] = ["The password is not correct."]
    if errors:
        raise ConsentSignatureInvalid(
            "The signature was not accepted: " + " ".join(message for messages in errors.values() for message in messages),
            fields=errors,
        )
    with transaction.atomic():
        booking = lock_for_change(booking)
        flight = booking.flight
        if not booking.is_live:
            raise InvalidTransition(
                f"Cannot sign informed consent for booking {booking}: it is {booking.get_status_display().lower()}."
            )
        require_hold_not_lapsed(booking, now=now, action="sign informed consent")
        disclosure = disclosure_build(flight.vehicle)
        if disclosure_sha256 and disclosure_sha256.strip().lower() != disclosure.sha256:
            raise DisclosureChanged(
                "The disclosure changed while you were reading it (the vehicle's record was updated). Read the new "
                "text and sign again.",
                fields={"disclosure_sha256": [f"The current disclosure's SHA-256 is {disclosure.sha256}."]},
            )
        state = consent_state(signature=booking.consent, vehicle=flight.vehicle, disclosure=disclosure)
        if state.status == ConsentState.CURRENT:
            raise InvalidTransition(
                f"Booking {booking} already has current informed consent, signed {state.signature.signed_at:%Y-%m-%d}.",
                code="consent_current",
            )
        signature = ConsentSignature.objects.create(
            booking=booking,
            user=user,
            vehicle=flight.vehicle,
            document=disclosure.document,
            disclosure_text=disclosure.text,
            disclosure_sha256=disclosure.sha256,
            material_facts=disclosure.material_facts,
            material_facts_sha256=disclosure.material_facts_sha256,
            typed_name=" ".join(typed_name.split()),
            signed_at=now,
            ip_address=ip_address,
        )
        booking.consent = signature
        booking._history_user = user
        booking.save(update_fields=["consent"])
        if booking.status == Booking.Status.AWAITING_CONSENT:
            # A transfer brought the seat and the payments; this signature is what it waited for.
            booking_reserve(booking, by=user, now=now, reason=(
                f"Informed consent signed for flight {flight.code} after the transfer; the payments carried over stand."
            ))
        elif booking.status == Booking.Status.HELD and booking.deposit == 0:
            # No deposit to wait for: consent alone reserves the seat.
            booking_reserve(booking, by=user, now=now, reason="Informed consent signed; this itinerary takes no deposit.")
    return signature
