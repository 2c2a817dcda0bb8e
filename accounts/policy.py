"""Who must log in with two factors, and whether a request's session has done so.

Flight surgeons, flight directors, operations, and any staff or superuser account: after the password,
a code from their authenticator app (TOTP). Passengers are not asked.
"""

from __future__ import annotations

from django_otp.plugins.otp_totp.models import TOTPDevice

from flights import roles

STAFF_ROLES = (roles.FLIGHT_SURGEON, roles.FLIGHT_DIRECTOR, roles.OPERATIONS)


def requires_two_factor(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return roles.user_has_any_role(user, STAFF_ROLES)  # one query, cached on the user


def is_two_factor_verified(user) -> bool:
    """The session passed the code step (django_otp's OTPMiddleware puts `is_verified` on request.user)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def two_factor_satisfied(user) -> bool:
    return not requires_two_factor(user) or is_two_factor_verified(user)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()
