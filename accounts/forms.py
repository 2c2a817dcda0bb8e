"""The code step, enrolment and the admin log-in form with its code field."""

from __future__ import annotations

import hashlib

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import PasswordResetForm
from django.template.loader import render_to_string

from accounts import services
from accounts.policy import confirmed_device, requires_two_factor
from flights.exceptions import DomainError
from flights.notifications import notification_queue

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


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's password reset, with the email written to the outbox (flights.notifications) instead of
    sent from the request: a mail server that is down delays the link, never loses it or answers 500."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None) -> None:
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        # The same link asked for twice within a second is one message; the key never holds the token itself.
        token_digest = hashlib.sha256(context["token"].encode()).hexdigest()[:16]
        notification_queue(
            dedupe_key=f"accounts.password_reset.{context['user'].pk}.{token_digest}",
            recipient=to_email, subject=subject, body=body, sensitive=True,
        )
