"""Refusals of the two-factor step, with stable codes for API clients (config/api.py)."""

from __future__ import annotations

from flights.exceptions import DomainError, InvalidInput, NotAllowed


class TwoFactorCodeInvalid(InvalidInput):
    code = "otp_invalid"


class TwoFactorThrottled(DomainError):
    """Too many wrong codes: django-otp's throttle makes the device wait (doubling each time)."""

    code = "otp_throttled"
    status_code = 429

    def __init__(self, message: str, *, retry_after_s: int, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after_s = retry_after_s


class TwoFactorSetupRequired(NotAllowed):
    code = "two_factor_setup_required"


class TwoFactorAlreadySetUp(DomainError):
    code = "two_factor_already_set_up"
