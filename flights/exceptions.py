"""Domain errors: what a service raises when a rule refuses.

The API maps them to one error body (config/api.py); the portal shows `message` as a form error.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the change. `code` is a stable snake_case name for clients."""

    code = "refused"
    status_code = 409

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}

    def __str__(self) -> str:
        return self.message


class InvalidTransition(DomainError):
    code = "invalid_transition"


class InvalidInput(DomainError):
    """The request itself is wrong (a date in the past, a missing reason): 400, not 409."""

    code = "invalid"
    status_code = 400


class VehicleNotAvailable(DomainError):
    code = "vehicle_not_available"


class FlightNotSchedulable(DomainError):
    code = "flight_not_schedulable"


class NotAllowed(DomainError):
    """The person may not do this (the wrong role, or not the holder of that position): 403."""

    code = "permission_denied"
    status_code = 403


class FileStoreDown(DomainError):
    """The shared file store (issue 15: S3 on several hosts) did not answer: nothing was stored or read. 503, with
    Retry-After: the request is right and will work once the store answers again."""

    code = "file_store_unreachable"
    status_code = 503
    retry_after_s = 60


class StoredFileMissing(DomainError):
    """The store answered, and the file a record names is not in it."""

    code = "file_missing"
    status_code = 404
