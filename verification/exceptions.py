"""What the verification services raise when a rule refuses (mapped to the API's one error body)."""

from __future__ import annotations

from flights.exceptions import DomainError, InvalidInput


class RecordLocked(DomainError):
    """A flown verification record changes only after a reopen, which voids its sign-offs."""

    code = "record_locked"


class NotPermitted(DomainError):
    """The person is not in a role that may do this (e.g. a passenger signing a record)."""

    code = "not_permitted"
    status_code = 403


class SignOffRefused(DomainError):
    code = "sign_off_refused"


class WrongPassword(InvalidInput):
    code = "wrong_password"


class RecordIncomplete(DomainError):
    code = "record_incomplete"


class MishapRefused(DomainError):
    code = "mishap_refused"
