"""What the pre-flight services refuse with (see flights.exceptions for the base and the API mapping)."""

from __future__ import annotations

from flights.exceptions import DomainError, InvalidInput


class RecordImmutable(DomainError):
    """A sign-off, waiver or screening is final: a newer record supersedes it, nothing edits or deletes it."""

    code = "record_immutable"


class PreflightRefused(DomainError):
    """A rule refused the record (the booking is no longer live, the module is retired, ...): 409."""

    code = "preflight_refused"


class PreflightInvalid(InvalidInput):
    """What was entered is wrong (a name that does not match, an instructor who is not staff, ...): 400."""

    code = "preflight_invalid"
