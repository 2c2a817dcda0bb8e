"""Portal forms. They collect input; the services decide (and their refusals land back on the form)."""

from __future__ import annotations

from django import forms

from flights.exceptions import DomainError
from flights.models import Regime
from tourism.medical.models import MedicalClearance, MedicalDocument, MedicalExamination


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the form: on the named fields it knows, and the sentence on top."""
    shown = set()
    for field, messages in error.fields.items():
        if field in form.fields:
            for message in messages:
                form.add_error(field, message)
                shown.add(message)
    if error.message not in shown:  # each error once (issue 14): not again on top when a field says it
        form.add_error(None, error.message)


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(choices=MedicalDocument.Kind.choices, initial=MedicalDocument.Kind.OTHER)
    file = forms.FileField(
        label="Document (PDF, PNG or JPEG)",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )


class SubmitForm(forms.Form):
    reply = forms.CharField(
        label="Your answer to the flight surgeon's request", required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


DECISIONS = [(status, MedicalClearance.Status(status).label) for status in MedicalClearance.DECISION_STATUSES]


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label="Decision", choices=DECISIONS, widget=forms.RadioSelect)
    reasons = forms.CharField(label="Reasons", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    allowed_regimes = forms.MultipleChoiceField(
        label="Allowed regimes", choices=Regime.choices, required=False, widget=forms.CheckboxSelectMultiple,
        initial=Regime.values, help_text="Untick a regime to restrict the clearance (e.g. suborbital only).",
    )
    max_g = forms.DecimalField(
        label="Maximum g", required=False, max_digits=3, decimal_places=1,
        help_text="Leave empty for no g limit.",
    )
    valid_until = forms.DateField(
        label="Valid until (last day)", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for the policy default (12 months).",
    )


class InformationRequestForm(forms.Form):
    message = forms.CharField(
        label="What should the passenger add?", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ExaminationForm(forms.Form):
    kind = forms.ChoiceField(choices=MedicalExamination.Kind.choices)
    performed_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    outcome = forms.ChoiceField(choices=MedicalExamination.Outcome.choices)
    findings = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    body = forms.CharField(label="Note", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class SelfCertificationForm(forms.Form):
    confirm = forms.BooleanField(label="I certify that my health has not changed since my medical clearance")
