import datetime as dt
import zoneinfo

from django import forms
from django.utils import timezone

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


def spaceport_local_to_utc(naive: dt.datetime, tz_name: str) -> dt.datetime:
    """A wall-clock time at the spaceport as an aware UTC time; a time the clocks skip (spring forward) or
    pass twice (fall back) is refused with both readings, so nobody launches an hour off."""
    zone = zoneinfo.ZoneInfo(tz_name)
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    try:
        round_trip = first.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
    except OverflowError:
        raise forms.ValidationError(f"{naive:%Y-%m-%d %H:%M} is not a launch time.") from None
    if round_trip != naive:
        raise forms.ValidationError(f"{naive:%Y-%m-%d %H:%M} does not exist in {tz_name} (the clocks skip it).")
    if first.utcoffset() != second.utcoffset():
        raise forms.ValidationError(
            f"{naive:%Y-%m-%d %H:%M} happens twice in {tz_name}: {first.astimezone(dt.UTC):%H:%M} or "
            f"{second.astimezone(dt.UTC):%H:%M} UTC. Choose a time outside the change."
        )
    return first.astimezone(dt.UTC)


class RescheduleForm(forms.Form):
    """A new launch time in the spaceport's local time (the page shows UTC beside it) and why."""

    launch_at = forms.DateTimeField(
        label="New launch time (spaceport local time)",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": "1"}, format="%Y-%m-%dT%H:%M:%S"),
    )
    reason = forms.CharField(max_length=1000, required=False, widget=forms.TextInput(attrs={"size": 50}))

    def __init__(self, *args, spaceport, **kwargs):
        super().__init__(*args, **kwargs)
        self.spaceport = spaceport
        self.fields["launch_at"].help_text = f"Local time at {spaceport.name} ({spaceport.timezone}); stored in UTC."

    def clean_launch_at(self) -> dt.datetime:
        value = self.cleaned_data["launch_at"]
        # Django makes a parsed naive time aware in the server's zone: read the wall clock back as local.
        naive = timezone.make_naive(value) if timezone.is_aware(value) else value
        return spaceport_local_to_utc(naive, self.spaceport.timezone)


class ReturnForm(forms.Form):
    """A new planned landing for an orbital flight in flight (UTC: it lands far from its spaceport) and why."""

    landing_at = forms.DateTimeField(
        label="New planned landing (UTC)",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": "1"}, format="%Y-%m-%dT%H:%M:%S"),
        help_text="UTC. The undocking, deorbit burn and landing steps move with it.",
    )
    reason = forms.CharField(max_length=1000, widget=forms.TextInput(attrs={"size": 50}))

    def clean_landing_at(self) -> dt.datetime:
        value = self.cleaned_data["landing_at"]
        naive = timezone.make_naive(value) if timezone.is_aware(value) else value
        return naive.replace(tzinfo=dt.UTC)
