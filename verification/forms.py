"""Portal forms: the sign-off with password re-entry, and a reason box for reopening."""

from __future__ import annotations

from django import forms

from verification.models import SignOff


class SignOffForm(forms.Form):
    # The record's hash as the director saw it on this page: the signature is refused if it changed since.
    record_hash = forms.CharField(widget=forms.HiddenInput, min_length=64, max_length=64)
    decision = forms.ChoiceField(choices=SignOff.Decision.choices, widget=forms.RadioSelect, initial="approve")
    meaning = forms.CharField(
        label="Meaning of your signature",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What you attest to, e.g. “Objectives met; safe to proceed to crewed flights.”",
    )
    comment = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Required when you reject."
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Re-enter your password to sign. The signature records your name, the time and a hash of "
        "the record as you see it.",
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
