"""Portal forms: they check the shape of what was typed; the services decide and refuse."""

from __future__ import annotations

from django import forms

from flights.exceptions import DomainError
from flights.models import Flight
from tourism.models import PassengerProfile

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on the form: the sentence on top, each field's messages under it."""
    fields = {field: messages for field, messages in (exc.fields or {}).items() if field in form.fields}
    if exc.message not in {message for messages in fields.values() for message in messages}:
        form.add_error(None, exc.message)  # each error once (issue 14): not on top when a field says it
    for field, messages in fields.items():
        for message in messages:
            form.add_error(field, message)


class ProfileForm(forms.Form):
    legal_name = forms.CharField(max_length=150, help_text="Your full legal name, as in your passport.")
    date_of_birth = forms.DateField(widget=DATE_INPUT, help_text="You must be 18 or older on the flight date.")
    nationality = forms.CharField(
        min_length=2, max_length=2, help_text="Two-letter country code (ISO 3166), e.g. US, GB, CN.",
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "pattern": "[A-Za-z]{2}", "size": 3}),
    )
    passport_number = forms.CharField(max_length=20)
    mass_kg = forms.DecimalField(
        label="Mass (kg)", max_digits=5, decimal_places=1, min_value=PassengerProfile.MASS_RANGE_KG[0],
        max_value=PassengerProfile.MASS_RANGE_KG[1],
    )
    height_cm = forms.IntegerField(
        label="Height (cm)", min_value=PassengerProfile.HEIGHT_RANGE_CM[0], max_value=PassengerProfile.HEIGHT_RANGE_CM[1]
    )
    emergency_contact = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), help_text="Name, relation and phone number of someone to call."
    )


class SignUpForm(ProfileForm):
    username = forms.CharField(max_length=150)
    email = forms.EmailField()
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, help_text="At least 10 characters.")
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput)

    field_order = ["username", "email", "first_name", "last_name", "password1", "password2"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", "The two passwords differ.")
        return cleaned


class ConsentForm(forms.Form):
    legal_name = forms.CharField(
        max_length=150, label="Type your full legal name to sign",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    password = forms.CharField(label="Your password", widget=forms.PasswordInput)
    disclosure_sha256 = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)


class CancelForm(forms.Form):
    reason = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    quoted_refund = forms.DecimalField(max_digits=14, decimal_places=2, widget=forms.HiddenInput)


class TransferForm(forms.Form):
    flight = forms.ModelChoiceField(queryset=Flight.objects.none(), label="Move to flight", empty_label=None)

    def __init__(self, *args, flights=None, **kwargs):
        super().__init__(*args, **kwargs)
        if flights is not None:
            self.fields["flight"].queryset = flights
        self.fields["flight"].label_from_instance = lambda flight: f"{flight.code}, {flight.launch_at:%Y-%m-%d %H:%M} UTC"


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label="New email address")
    password = forms.CharField(label="Your password", widget=forms.PasswordInput)
