"""Portal forms of the space traffic app: CDM upload, the director's signed decision, closing an event."""

from __future__ import annotations

from django import forms

from flights.traffic.models import ConjunctionDecision


class CdmUploadForm(forms.Form):
    cdm_file = forms.FileField(label="CDM file (KVN)")
    hbr_m = forms.FloatField(label="Hard-body radius (m), if not the message's", required=False, min_value=0.001)


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(choices=ConjunctionDecision.Kind.choices)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    manoeuvre_at = forms.DateTimeField(required=False, help_text="UTC, for a manoeuvre: YYYY-MM-DD HH:MM")
    delta_v_m_s = forms.FloatField(required=False, label="Delta-v (m/s)")
    shelter_at = forms.DateTimeField(required=False, help_text="UTC, for shelter in place: crew in the capsule by")
    meaning = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Meaning of your signature")
    password = forms.CharField(widget=forms.PasswordInput, label="Your password (to sign)")


class CloseForm(forms.Form):
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="What happened")
