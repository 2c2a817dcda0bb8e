"""Every write of staff two-factor login: enrol a TOTP device, check a code, reset a lost device.

Codes are checked by django-otp (`TOTPDevice.verify_token`): the current 30 s step, one step either side
for clock drift, each code once (a replayed code is refused), and a throttle that doubles the wait after
each wrong code. The device row is locked while a code is checked, so two requests cannot both use one code.
The throttle's failure count is saved inside that transaction: a refusal is raised only after it commits.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils import timezone
from django_otp import device_classes
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from accounts.exceptions import TwoFactorAlreadySetUp, TwoFactorCodeInvalid, TwoFactorSetupRequired, TwoFactorThrottled
from accounts.policy import confirmed_device
from flights import roles
from flights.exceptions import InvalidInput, NotAllowed

logger = logging.getLogger(__name__)

DEVICE_NAME = "Authenticator app"
CODE = re.compile(r"^\d{6}$")


def _clean_code(code: str) -> str:
    code = "".join((code or "").split())
    if not CODE.match(code):
        raise TwoFactorCodeInvalid(
            "Enter the 6-digit code from your authenticator app.",
            fields={"otp_token": ["Enter the 6-digit code from your authenticator app."]},
        )
    return code


def _throttled(device: TOTPDevice, *, now: dt.datetime) -> TwoFactorThrottled | None:
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    locked_until = (info or {}).get("locked_until") or now + dt.timedelta(seconds=1)
    wait_s = max(1, math.ceil((locked_until - now).total_seconds()))
    return TwoFactorThrottled(
        f"Too many wrong codes: wait {wait_s} s before trying again.",
        retry_after_s=wait_s,
        fields={"otp_token": [f"Too many wrong codes: wait {wait_s} s before trying again."]},
    )


def _check_code(device_query, *, code: str, now: dt.datetime) -> TOTPDevice | None:
    """Lock the device, check the code (counting a wrong one), commit, and only then refuse."""
    refusal = None
    with transaction.atomic():
        device = device_query.select_for_update().order_by("pk").first()
        if device is None:
            return None
        refusal = _throttled(device, now=now)
        if refusal is None and not device.verify_token(code):
            refusal = TwoFactorCodeInvalid(
                "The code is not correct, or it was already used: enter the current code from your authenticator app.",
                fields={"otp_token": ["The code is not correct, or it was already used."]},
            )
    if refusal is not None:
        raise refusal
    return device


def two_factor_verify(*, user, code: str, now: dt.datetime | None = None) -> TOTPDevice:
    """Check a code against the user's confirmed device; the caller marks the session verified with it."""
    now = now or timezone.now()
    code = _clean_code(code)
    device = _check_code(TOTPDevice.objects.devices_for_user(user, confirmed=True), code=code, now=now)
    if device is None:
        raise TwoFactorSetupRequired(
            "Set up two-factor login first: log in to the portal and scan the code shown at /accounts/two-factor/setup/."
        )
    return device


def two_factor_enrol_start(*, user) -> TOTPDevice:
    """The device whose secret the enrolment page shows: the same one until it is confirmed."""
    if confirmed_device(user) is not None:
        raise TwoFactorAlreadySetUp(
            "Two-factor login is already set up for this account. Lost the device? Ask operations to reset it."
        )
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def two_factor_enrol_confirm(*, user, code: str, now: dt.datetime | None = None) -> TOTPDevice:
    """A valid code from the new device proves it was set up: it becomes the account's device."""
    now = now or timezone.now()
    code = _clean_code(code)
    if confirmed_device(user) is not None:
        raise TwoFactorAlreadySetUp("Two-factor login is already set up for this account.")
    device = _check_code(TOTPDevice.objects.filter(user=user, confirmed=False), code=code, now=now)
    if device is None:
        raise TwoFactorSetupRequired("Open the set-up page again: it shows the code to scan.")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
    logger.info("Two-factor device set up for %s.", user.get_username())
    return device


def two_factor_reset(*, user, by, reason: str, now: dt.datetime | None = None) -> int:
    """Operations reset a lost or replaced device: the account's devices and API token are removed, so its
    next log-in enrols a new device. Recorded in the admin log of the account (who, when, why).

    Devices are credentials, not records: they are removed, never kept half-valid (a lost phone still
    produces codes for its old secret).
    """
    from accounts.models import StaffAccount

    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput(
            "Say why the two-factor device is reset (lost phone, new phone, ...).", fields={"reason": ["A reason is required."]}
        )
    if not (by.is_superuser or roles.user_has_role(by, roles.OPERATIONS)):
        raise NotAllowed("Only operations staff reset two-factor devices.")
    if by.pk == user.pk:
        raise NotAllowed("Ask another operations colleague to reset your own two-factor device.")
    with transaction.atomic():
        removed = sum(model.objects.filter(user=user).delete()[0] for model in device_classes())
        Token.objects.filter(user=user).delete()
        account = StaffAccount.objects.get(pk=user.pk)
        LogEntry.objects.log_actions(
            user_id=by.pk,
            queryset=[account],
            action_flag=CHANGE,
            change_message=f"Two-factor device reset ({removed} removed; API token revoked). Reason: {reason}",
            single_object=True,
        )
    logger.warning(
        "Two-factor device of %s reset by %s (%d removed): %s", user.get_username(), by.get_username(), removed, reason
    )
    return removed
