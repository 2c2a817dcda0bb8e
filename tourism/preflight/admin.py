"""Admin for pre-flight records. Operations keep the training syllabus (modules: add, change, retire) and
enter training sign-offs and screening results through forms that call the services, so every rule of the
portal and the API holds here too. Sign-offs, waivers and screenings are then read-only (append-only
records: a correction is a new one); waivers are signed only by passengers. Nothing is deleted.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q

from flights import roles
from flights.admin_base import RecordAdmin
from flights.exceptions import DomainError
from flights.models import Flight
from tourism.forms import DATE_INPUT, add_domain_error
from tourism.models import Booking
from tourism.preflight import services
from tourism.preflight.models import SecurityScreening, TrainingModule, TrainingRecord, WaiverOfClaims


def _passenger_label(user) -> str:
    profile = getattr(user, "passenger_profile", None)
    name = profile.legal_name if profile else user.get_full_name()
    return f"{name} ({user.get_username()})" if name else user.get_username()


class BookingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, booking) -> str:
        return f"{booking.flight.code}, seat {booking.seat_number}: {_passenger_label(booking.user)} (booking #{booking.pk})"


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return _passenger_label(user)


class ServiceForm(forms.ModelForm):
    """An admin add form whose save is a service call: the service runs once the fields are valid, its
    refusal shows as a form error, and the record it made becomes the form's instance."""

    by = None  # the signed-in user, set by the admin's get_form

    def call_service(self, data: dict):
        raise NotImplementedError

    def _post_clean(self):
        # In place of the model's own validation: the service checks everything, with its own messages.
        if self.errors:
            return
        try:
            self.instance = self.call_service(self.cleaned_data)
        except DomainError as exc:
            add_domain_error(self, exc)


class NoDeleteAdmin(admin.ModelAdmin):
    """Append-only records keep no simple-history (they never change): no delete page and no bulk delete."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class ServiceAddAdmin(NoDeleteAdmin):
    """Add through a service form; what was recorded is then only viewed."""

    service_form: type[ServiceForm]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        return type(self.service_form.__name__, (self.service_form,), {"by": request.user})

    def get_fields(self, request, obj=None):
        return list(self.service_form.base_fields) if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        pass  # the service saved it in the form's validation (ServiceForm._post_clean)


@admin.register(TrainingModule)
class TrainingModuleAdmin(RecordAdmin):
    list_display = ("name", "applies_to", "hours", "is_emergency_training", "valid_for_days", "is_active", "position")
    list_filter = ("is_emergency_training", "is_active", "regime", "itinerary")
    search_fields = ("name", "description", "itinerary__name")
    list_select_related = ("itinerary",)
    fields = (
        "name", "description", "itinerary", "regime", "hours", "is_emergency_training", "valid_for_days", "is_active",
        "position",
    )

    @admin.display(description="Required for")
    def applies_to(self, obj) -> str:
        return obj.applies_to


class TrainingSignOffForm(ServiceForm):
    booking = BookingChoiceField(queryset=Booking.objects.none(), help_text="The passenger's live booking.")
    module = forms.ModelChoiceField(queryset=TrainingModule.objects.filter(is_active=True).select_related("itinerary"))
    instructor = UserChoiceField(queryset=get_user_model().objects.none(), help_text="A member of the staff.")

    class Meta:
        model = TrainingRecord
        fields = ("booking", "module", "completed_on", "hours_attended", "instructor", "note")
        widgets = {"completed_on": DATE_INPUT, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["booking"].queryset = (
            Booking.objects.filter(status__in=Booking.LIVE_STATUSES)
            .select_related("flight", "user__passenger_profile")
            .order_by("flight__launch_at", "seat_number")
        )
        self.fields["instructor"].queryset = get_user_model().objects.filter(is_staff=True, is_active=True).order_by(
            "last_name", "username"
        )

    def call_service(self, data: dict):
        return services.training_sign_off(
            booking=data["booking"], module=data["module"], completed_on=data["completed_on"],
            hours_attended=data["hours_attended"], instructor=data["instructor"], note=data.get("note", ""), by=self.by,
        )


@admin.register(TrainingRecord)
class TrainingRecordAdmin(ServiceAddAdmin):
    service_form = TrainingSignOffForm
    list_display = ("completed_on", "passenger", "module", "hours_attended", "instructor", "booking", "recorded_by")
    list_filter = ("module", "completed_on")
    search_fields = ("passenger__username", "passenger__passenger_profile__legal_name", "module__name")
    list_select_related = ("passenger", "module", "instructor", "booking__flight", "recorded_by")
    date_hierarchy = "completed_on"
    readonly_fields = (
        "passenger", "module", "booking", "completed_on", "hours_attended", "instructor", "note", "recorded_by",
        "recorded_at",
    )


class ScreeningForm(ServiceForm):
    passenger = UserChoiceField(queryset=get_user_model().objects.none())
    flight = forms.ModelChoiceField(queryset=Flight.objects.none())

    class Meta:
        model = SecurityScreening
        fields = ("passenger", "flight", "result", "note")
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["passenger"].queryset = (
            get_user_model().objects.filter(groups__name=roles.PASSENGER).select_related("passenger_profile")
            .order_by("username")
        )
        self.fields["flight"].queryset = Flight.objects.filter(status__in=Flight.UPCOMING_STATUSES).order_by("launch_at")
        self.fields["note"].help_text = "Required when the screening failed: what was found or refused."

    def call_service(self, data: dict):
        return services.screening_record(
            passenger=data["passenger"], flight=data["flight"], result=data["result"], note=data.get("note", ""),
            by=self.by,
        )


@admin.register(SecurityScreening)
class SecurityScreeningAdmin(ServiceAddAdmin):
    service_form = ScreeningForm
    list_display = ("screened_at", "passenger", "flight", "result", "screened_by")
    list_filter = ("result", "flight")
    search_fields = ("passenger__username", "passenger__passenger_profile__legal_name", "flight__code", "note")
    list_select_related = ("passenger", "flight", "screened_by")
    date_hierarchy = "screened_at"
    readonly_fields = ("passenger", "flight", "booking", "result", "screened_at", "screened_by", "note")


@admin.register(WaiverOfClaims)
class WaiverOfClaimsAdmin(NoDeleteAdmin):
    """Signed by passengers only (portal or API); here they are read, never added, changed or deleted."""

    list_display = ("signed_at", "typed_name", "passenger", "flight", "text_version", "superseded", "text_sha256")
    list_filter = ("text_version", "flight")
    search_fields = ("typed_name", "passenger__username", "flight__code", "text_sha256")
    list_select_related = ("passenger", "flight")
    date_hierarchy = "signed_at"
    readonly_fields = (
        "booking", "passenger", "flight", "typed_name", "signed_at", "ip_address", "text_version", "text_sha256", "text",
    )
    fields = readonly_fields

    def get_queryset(self, request):
        newer = WaiverOfClaims.objects.filter(passenger=OuterRef("passenger"), flight=OuterRef("flight")).filter(
            Q(signed_at__gt=OuterRef("signed_at")) | Q(signed_at=OuterRef("signed_at"), pk__gt=OuterRef("pk"))
        )
        return super().get_queryset(request).annotate(is_superseded=Exists(newer))

    @admin.display(description="Superseded", boolean=True)
    def superseded(self, obj) -> bool:
        return obj.is_superseded

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
