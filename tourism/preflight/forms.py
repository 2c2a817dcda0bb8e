"""Portal forms: they check the shape of what was typed; the services decide and refuse."""

from __future__ import annotations

from django import forms


class WaiverForm(forms.Form):
    legal_name = forms.CharField(
        max_length=150, label="Type your full legal name to sign", widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    text_sha256 = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
