"""The code step, enrolment and the admin log-in form with its code field."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm

from accounts import services
from accounts.policy import confirmed_device, requires_two_factor
from flights.exceptions import DomainError

CODE_WIDGET = forms.TextInput(
    attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*", "size": 8, "autofocus": True}
)


class TwoFactorCodeForm(forms.Form):
    otp_token = forms.CharField(
        label="Code from your authenticator app", max_length=12, widget=CODE_WIDGET,
        help_text="The 6 digits your app shows now; a new code appears every 30 seconds.",
    )


class AdminLoginForm(AdminAuthenticationForm):
    """Password, then, for accounts that must use two factors and have a device, the current code.

    A staff account without a device logs in with the password only and is sent on to enrol before it can
    see anything (accounts.middleware); the admin site itself refuses every session without the code step.
    """

    otp_token = forms.CharField(
        label="Two-factor code", required=False, max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "size": 8}),
        help_text="Staff: the 6-digit code from your authenticator app.",
    )

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and requires_two_factor(user) and confirmed_device(user) is not None:
            try:
                user.otp_device = services.two_factor_verify(user=user, code=cleaned.get("otp_token", ""))
            except DomainError as exc:
                raise forms.ValidationError(exc.message, code=exc.code) from None
            # django_otp's user_logged_in receiver saves user.otp_device in the new session.
        return cleaned
