"""Email verification for passengers: a signed, expiring link proves they read the address booking news
goes to.

The token is signed with Django's signing (an HMAC under SECRET_KEY) and carries the account's id, when it
was issued and a fingerprint of the address and its verification state. It expires after
EMAIL_VERIFICATION_DAYS and stops working once the address is verified or changed, because the
fingerprint no longer matches. Until the account's current address is verified, a passenger can log in
and browse but cannot hold a seat, join a waitlist or sign informed consent (`require_email_verified`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from flights.exceptions import InvalidInput
from tourism.exceptions import (
    EmailAlreadyVerified,
    EmailNotVerified,
    VerificationEmailThrottled,
    VerificationLinkExpired,
    VerificationLinkInvalid,
)
from tourism.models import EmailVerification

SALT = "tourism.email-verification"


def _fingerprint(user, verification: EmailVerification | None) -> str:
    """Changes when the address changes or gets verified: a link issued before either stops working."""
    verified_at = verification.verified_at.isoformat() if verification and verification.verified_at else ""
    return salted_hmac(SALT, f"{user.pk}|{(user.email or '').lower()}|{verified_at}").hexdigest()[:32]


def email_verification_token(user, *, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    verification = EmailVerification.objects.filter(user=user).first()
    payload = {"user": user.pk, "state": _fingerprint(user, verification), "at": int(now.timestamp())}
    return signing.dumps(payload, salt=SALT)


def email_verification_url(user, *, now: dt.datetime | None = None) -> str:
    path = reverse("tourism:verify-email-confirm", args=[email_verification_token(user, now=now)])
    return settings.SITE_URL.rstrip("/") + path


def email_is_verified(user) -> bool:
    """The account's current address is the one its owner proved."""
    try:
        verification = user.email_verification
    except (ObjectDoesNotExist, AttributeError):
        return False
    return verification.is_current_for(user)


def require_email_verified(user) -> None:
    """Seats, waitlists and consent need a proven address: booking news, offers and refunds go there."""
    if email_is_verified(user):
        return
    if not user.email:
        raise EmailNotVerified(
            "Verify your email address first: your account has none. Add one to your account, then follow the "
            "link we send to it."
        )
    verification = EmailVerification.objects.filter(user=user).first()
    sent = verification is not None and verification.last_sent_at is not None
    if sent:
        message = (
            f"Verify your email address first: we sent a link to {user.email}. Follow it, or ask for a new one."
        )
    else:
        message = f"Verify your email address first: ask for a link to be sent to {user.email}, then follow it."
    raise EmailNotVerified(message, fields={"email": [f"{user.email} is not verified yet."]})


def _resend_wait_s(verification: EmailVerification, now: dt.datetime) -> int:
    if verification.last_sent_at is None:
        return 0
    ready_at = verification.last_sent_at + dt.timedelta(seconds=settings.EMAIL_VERIFICATION_RESEND_SECONDS)
    return max(0, int((ready_at - now).total_seconds() + 0.999))


def email_verification_send(*, user, now: dt.datetime | None = None) -> EmailVerification:
    """Email a new verification link to the account's address, at most once per
    EMAIL_VERIFICATION_RESEND_SECONDS (429 `verification_email_throttled` sooner)."""
    now = now or timezone.now()
    if not user.email:
        raise InvalidInput("Your account has no email address to verify.", fields={"email": ["An email address is required."]})
    with transaction.atomic():
        verification, _ = EmailVerification.objects.select_for_update().get_or_create(user=user)
        if verification.is_current_for(user):
            raise EmailAlreadyVerified(
                f"{user.email} is already verified (since {verification.verified_at:%Y-%m-%d %H:%M} UTC)."
            )
        wait_s = _resend_wait_s(verification, now)
        if wait_s:
            raise VerificationEmailThrottled(
                f"A link went to {user.email} a moment ago: check your inbox (and spam folder), or ask again in "
                f"{wait_s} s.",
                retry_after_s=wait_s,
            )
        verification.last_sent_at = now
        verification._history_user = user
        verification.save(update_fields=["last_sent_at"])
        from tourism.notifications import queue_verification_email

        queue_verification_email(user, now=now)
    return verification


@dataclass(frozen=True)
class VerificationLink:
    """A verification link that checks out: whose, and for which address."""

    user: object
    email: str


def email_verification_check(*, token: str, now: dt.datetime | None = None) -> VerificationLink:
    """Whether a link would verify, without using it: expired, tampered, used or out of date refuse (400)."""
    now = now or timezone.now()
    try:
        payload = signing.loads(token or "", salt=SALT)
        user_id, state, issued_s = int(payload["user"]), str(payload["state"]), int(payload["at"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise VerificationLinkInvalid(
            "This verification link is not valid: copy the whole link from the email, or ask for a new one."
        ) from None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise VerificationLinkInvalid("This verification link is not valid: the account no longer exists or is inactive.")
    days = settings.EMAIL_VERIFICATION_DAYS
    if now.timestamp() - issued_s > days * 24 * 3600:
        raise VerificationLinkExpired(
            f"This verification link has expired (links work for {days} days): log in and ask for a new one."
        )
    verification = EmailVerification.objects.filter(user=user).first()
    if not constant_time_compare(state, _fingerprint(user, verification)):
        if verification is not None and verification.is_current_for(user):
            raise VerificationLinkInvalid(
                f"This verification link was already used: {user.email} is verified.", code="verification_link_used"
            )
        raise VerificationLinkInvalid(
            "This verification link is out of date: the account's email address changed since it was sent. Use the "
            "link in the latest email, or ask for a new one."
        )
    return VerificationLink(user=user, email=user.email)


def email_verify(*, token: str, now: dt.datetime | None = None):
    """Follow a verification link: the account's address is verified now, and the link is used up."""
    now = now or timezone.now()
    with transaction.atomic():
        link = email_verification_check(token=token, now=now)
        user = get_user_model().objects.select_for_update().get(pk=link.user.pk)
        link = email_verification_check(token=token, now=now)  # again under the lock: one link, one use
        verification, _ = EmailVerification.objects.select_for_update().get_or_create(user=user)
        verification.email = user.email
        verification.verified_at = now
        verification._history_user = user
        verification.save(update_fields=["email", "verified_at"])
    return user


def email_verification_mark_verified(*, user, by=None, now: dt.datetime | None = None) -> EmailVerification:
    """Record the account's current address as verified without a link (demo data, tests, migrated accounts)."""
    now = now or timezone.now()
    if not user.email:
        raise InvalidInput("The account has no email address to mark verified.")
    with transaction.atomic():
        verification, _ = EmailVerification.objects.select_for_update().get_or_create(user=user)
        if not verification.is_current_for(user):
            verification.email = user.email
            verification.verified_at = now
            verification._history_user = by
            verification.save(update_fields=["email", "verified_at"])
    return verification


def passenger_email_change(*, user, email: str, password: str, now: dt.datetime | None = None):
    """Change the account's email address (with the password, so a borrowed session cannot move it) and send
    a link to the new one: until it is followed, the account is unverified again."""
    now = now or timezone.now()
    email = (email or "").strip().lower()
    errors: dict[str, list[str]] = {}
    if not password or not user.check_password(password):
        errors["password"] = ["The password is not correct."]
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Enter a valid email address."]
    else:
        if email == (user.email or "").lower():
            errors["email"] = ["This is already your email address."]
        elif get_user_model().objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            errors["email"] = ["An account with this email address already exists."]
    if errors:
        raise InvalidInput("The email address was not changed: check " + ", ".join(sorted(errors)) + ".", fields=errors)
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        user.email = email
        user.save(update_fields=["email"])
        verification, _ = EmailVerification.objects.select_for_update().get_or_create(user=user)
        verification.email, verification.verified_at, verification.last_sent_at = "", None, None
        verification._history_user = user
        verification.save(update_fields=["email", "verified_at", "last_sent_at"])
        email_verification_send(user=user, now=now)
    return user
