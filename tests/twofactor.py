"""Two-factor login in tests: real TOTP codes computed from a device's key, and the suite's one way to log
a user in on a test client (a staff account gets a session that passed the code step).

Most tests are about something else than logging in, so `log_in` sets the session as django_otp.login
leaves it after a right code; tests/accounts walk the real password-then-code flow.
"""

from __future__ import annotations

import base64
import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.policy import requires_two_factor


def totp_device(user, *, confirmed: bool = True) -> TOTPDevice:
    """The user's authenticator app: their device, made if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=confirmed)


def totp_code(device: TOTPDevice, *, at: float | None = None) -> str:
    """The code the app shows now, computed from the device's key (RFC 6238). A code once accepted is never
    accepted again, so a second log-in within the same 30 s gets the next step's code, which the device's
    tolerance of one step still takes."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    step = max(totp.t(), device.last_t + 1)
    return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"


def code_from_secret(secret: str, *, at: float | None = None, step_s: int = 30) -> str:
    """What an authenticator app shows for the base32 secret typed into it (spaces ignored)."""
    secret = "".join(secret.split()).upper()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // step_s)
    return f"{hotp(key, counter, digits=6):06d}"


def log_in(client, user):
    """Log `user` in on a Django test client. A staff account (two-factor required) gets a confirmed device
    and a session verified by it, as after the real code step; a passenger a plain session."""
    client.force_login(user)
    if requires_two_factor(user):
        device = totp_device(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
