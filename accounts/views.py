"""The two-factor pages: the code step after the password, and enrolment for a staff account without a
device. Both come after the password (Django's login view); accounts.middleware sends every staff
session here until it has passed the code step."""

from __future__ import annotations

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from accounts import services
from accounts.forms import TwoFactorCodeForm
from accounts.policy import confirmed_device, is_two_factor_verified, requires_two_factor
from accounts.qr import base32_secret, qr_svg
from flights.exceptions import DomainError


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, target: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': target})}"


def _verified(request, device) -> None:
    """Mark the session verified by `device`; a new session key, as after any rise in privilege."""
    request.session.cycle_key()
    django_otp.login(request, device)


@login_required
def two_factor(request):
    """After the password: the current code from the authenticator app."""
    target = _next(request)
    if not requires_two_factor(request.user) or is_two_factor_verified(request.user):
        return redirect(target)
    if confirmed_device(request.user) is None:
        return redirect(_with_next("accounts:two-factor-setup", target))
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_verify(user=request.user, code=form.cleaned_data["otp_token"])
        except DomainError as exc:
            form.add_error("otp_token", exc.message)
        else:
            _verified(request, device)
            return redirect(target)
    return render(request, "accounts/two_factor.html", {"form": form, "next": target})


@login_required
def two_factor_setup(request):
    """A staff account without a device: scan the QR code (or type the secret), then prove it with a code."""
    target = _next(request)
    if not requires_two_factor(request.user):
        messages.info(request, "Two-factor login is for staff accounts; yours does not need it.")
        return redirect(target)
    if confirmed_device(request.user) is not None:
        return redirect(_with_next("accounts:two-factor", target))
    device = services.two_factor_enrol_start(user=request.user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_enrol_confirm(user=request.user, code=form.cleaned_data["otp_token"])
        except DomainError as exc:
            form.add_error("otp_token", exc.message)
        else:
            _verified(request, device)
            messages.success(request, "Two-factor login is set up: from now on you enter a code after your password.")
            return redirect(target)
    context = {
        "form": form,
        "next": target,
        "qr_svg": qr_svg(device.config_url, label="QR code to scan with your authenticator app"),
        "secret": base32_secret(device.key),
        "issuer": settings.OTP_TOTP_ISSUER,
    }
    response = render(request, "accounts/two_factor_setup.html", context)
    response["Cache-Control"] = "no-store"  # the page shows a secret
    return response
