"""Refusals of the booking journey. Each has a stable snake_case code for API clients (config/api.py)."""

from __future__ import annotations

from flights.exceptions import DomainError, InvalidInput


class SoldOut(DomainError):
    code = "sold_out"


class AlreadyBooked(DomainError):
    code = "already_booked"


class FlightNotBookable(DomainError):
    code = "flight_not_bookable"


class PassengerNotEligible(DomainError):
    code = "passenger_not_eligible"


class ProfileRequired(DomainError):
    code = "profile_required"


class HoldExpired(DomainError):
    code = "hold_expired"


class ConsentRequired(DomainError):
    """No current informed consent: payments and reservation wait for it (14 CFR 460.45)."""

    code = "consent_required"


class ConsentStale(ConsentRequired):
    code = "consent_stale"


class ConsentUnavailable(DomainError):
    code = "consent_document_missing"


class ConsentSignatureInvalid(InvalidInput):
    """Wrong typed name or password: the request is wrong, so 400."""

    code = "signature_invalid"


class DisclosureChanged(DomainError):
    code = "disclosure_changed"


class PaymentRefused(DomainError):
    code = "payment_refused"


class ManifestGateFailed(DomainError):
    code = "manifest_gate_failed"


class TransferRefused(DomainError):
    code = "transfer_refused"


class WaitlistRefused(DomainError):
    code = "waitlist_refused"


class RegistrationRefused(InvalidInput):
    code = "invalid"


class EmailNotVerified(DomainError):
    """Seats, waitlists and consent wait until the passenger proves their email address: 403."""

    code = "email_not_verified"
    status_code = 403


class EmailAlreadyVerified(DomainError):
    code = "email_already_verified"


class VerificationLinkInvalid(InvalidInput):
    """Tampered with, for another address, or already used: 400."""

    code = "verification_link_invalid"


class VerificationLinkExpired(VerificationLinkInvalid):
    code = "verification_link_expired"


class VerificationEmailThrottled(DomainError):
    """A new link was sent a moment ago: 429, with the seconds to wait."""

    code = "verification_email_throttled"
    status_code = 429

    def __init__(self, message: str, *, retry_after_s: int, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after_s = retry_after_s
