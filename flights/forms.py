from django import forms

from flights.models import Position, Verdict


class VoteForm(forms.Form):
    position = forms.ChoiceField(choices=Position.choices)
    vote = forms.ChoiceField(choices=[(Verdict.GO, "GO"), (Verdict.NO_GO, "NO-GO")], widget=forms.RadioSelect)
    comment = forms.CharField(required=False, max_length=500, widget=forms.TextInput(attrs={"size": 40}))

    def __init__(self, *args, positions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].choices = [(p, Position(p).label) for p in positions]


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=1000, widget=forms.TextInput(attrs={"size": 50}))


class WaiverForm(forms.Form):
    check_key = forms.CharField(max_length=200, widget=forms.HiddenInput)
    reason = forms.CharField(max_length=1000, widget=forms.TextInput(attrs={"size": 40}))
