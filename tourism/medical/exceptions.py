"""What the medical services refuse with (see flights.exceptions for the base and the API mapping)."""

from __future__ import annotations

from flights.exceptions import DomainError, InvalidInput


class MedicalAccessDenied(DomainError):
    """The person may not do this with a medical record (not theirs, not a flight surgeon)."""

    code = "medical_access_denied"
    status_code = 403


class ClearanceConflict(DomainError):
    code = "clearance_conflict"


class InvalidDocument(InvalidInput):
    code = "invalid_document"


class SelfCertificationRefused(DomainError):
    code = "self_certification_refused"
