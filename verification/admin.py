"""Verification records in admin: every save and action calls a service; a locked record is read-only.

Operations staff enter records here while they are planned; once flown, every field and child row is
read-only (and the models refuse the save anyway). Sign-offs are given in the flight director portal,
never in admin; here they are shown with their validity recomputed.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils.html import format_html

from flights.admin_base import ReasonActionForm, RecordAdmin, service_action
from flights.exceptions import DomainError
from verification import selectors, services
from verification.models import (
    Anomaly,
    Attachment,
    CorrectiveAction,
    Mishap,
    Occupant,
    RecordStatusChange,
    SignOff,
    SignOffChainHead,
    TestObjective,
    VerificationFlight,
)


def _as_admin_service(service, argument: str):
    """service_action passes the object under its model name; the services take `record=` and the like."""

    def call(**kwargs):
        target = next(key for key in kwargs if key not in ("by", "reason"))
        kwargs[argument] = kwargs.pop(target)
        return service(**kwargs)

    call.__name__ = service.__name__
    return call


class ServiceSaveMixin:
    """Admin add/change forms call services: `create(request, obj, form)` and `update(request, obj, changes)`.

    A refusal shows as an error message and nothing is saved."""

    def create(self, request, obj, form):
        raise NotImplementedError

    def update(self, request, obj, changes: dict):
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        try:
            if change:
                changes = {name: form.cleaned_data[name] for name in form.changed_data}
                saved = self.update(request, obj, changes) if changes else obj
            else:
                saved = self.create(request, obj, form)
        except DomainError as exc:
            request.verification_refusal = exc.message  # the ModelAdmin is shared: keep state on the request
            return
        obj.pk = saved.pk

    def response_add(self, request, obj, post_url_continue=None):
        return self._refused(request) or super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        return self._refused(request) or super().response_change(request, obj)

    def _refused(self, request):
        message = getattr(request, "verification_refusal", None)
        if message is None:
            return None
        self.message_user(request, message, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def log_addition(self, request, obj, message):
        return None if getattr(request, "verification_refusal", None) else super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        return None if getattr(request, "verification_refusal", None) else super().log_change(request, obj, message)

    def save_related(self, request, form, formsets, change):
        if not getattr(request, "verification_refusal", None):
            super().save_related(request, form, formsets, change)


class ReviewedChangelistMixin:
    """Validity columns are computed for the whole page at once (`attach(objects)`), not row by row."""

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        self.attach(list(changelist.result_list))
        return changelist

    def attach(self, objects: list) -> None:
        raise NotImplementedError


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class OccupantInline(ReadOnlyInline):
    model = Occupant
    fields = ("name", "role", "is_test_dummy", "entered_by", "last_edited_by")


class ObjectiveInline(ReadOnlyInline):
    model = TestObjective
    fields = ("sequence", "description", "success_criterion", "measured_result", "result", "flight_rationale",
              "entered_by", "last_edited_by")


class AnomalyInline(ReadOnlyInline):
    model = Anomaly
    fields = ("title", "severity", "disposition", "flight_rationale", "entered_by", "last_edited_by")


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ("title", "kind", "sha256", "size_bytes", "uploaded_by", "uploaded_at")


class StatusChangeInline(ReadOnlyInline):
    model = RecordStatusChange
    fields = ("changed_at", "from_status", "to_status", "revision", "reason", "changed_by")
    show_change_link = False


class SignOffInline(ReadOnlyInline):
    model = SignOff
    fields = ("sequence", "signer_name", "signed_at", "decision", "meaning", "comment", "key_id", "voided_at",
              "void_reason")
    show_change_link = False


@admin.register(VerificationFlight)
class VerificationFlightAdmin(ReviewedChangelistMixin, ServiceSaveMixin, RecordAdmin):
    list_display = ("flight", "vehicle", "kind", "status", "revision", "launched_at", "signoff_state")
    list_filter = ("status", "kind", "vehicle")
    search_fields = ("flight__code", "vehicle__serial", "vehicle__name", "summary")
    list_select_related = ("flight", "vehicle")
    autocomplete_fields = ("flight",)
    readonly_fields = ("kind", "status", "status_reason", "status_changed_at", "revision", "created_by", "created_at",
                       "last_edited_by")
    fields = (
        "flight", "vehicle", "kind", "summary", ("launched_at", "landed_at"), "apogee_km",
        ("peak_g_ascent", "peak_g_entry"), "landing_distance_m", "status", "status_reason", "status_changed_at",
        "revision", ("created_by", "last_edited_by"), "created_at",
    )
    inlines = [OccupantInline, ObjectiveInline, AnomalyInline, AttachmentInline, SignOffInline, StatusChangeInline]
    action_form = ReasonActionForm
    actions = [
        service_action(service=_as_admin_service(services.verification_mark_flown, "record"),
                       description="Mark selected records flown (locks them)", needs_reason=False),
        service_action(service=_as_admin_service(services.verification_submit_for_review, "record"),
                       description="Submit selected records for sign-off", needs_reason=False),
        service_action(service=_as_admin_service(services.verification_reopen, "record"),
                       description="Reopen selected records (voids their sign-offs)"),
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("flight")  # the vehicle and kind follow the flight
        fields.append("vehicle")
        if obj is not None and not obj.is_editable:
            fields += [f for f in self.fields if isinstance(f, str)] + ["launched_at", "landed_at", "peak_g_ascent",
                                                                        "peak_g_entry"]
        elif obj is not None and (obj.flight.launched_at is not None or obj.signoffs.exists()):
            fields.append("launched_at")  # the flight's recorded liftoff, or locked once signed
        return list(dict.fromkeys(fields))

    def get_queryset(self, request):
        return selectors.record_queryset()

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # a new record has no rows to show yet

    def create(self, request, obj, form):
        fields = {name: form.cleaned_data[name] for name in services.records.RECORD_FIELDS if name in form.cleaned_data}
        return services.verification_record_create(flight=form.cleaned_data["flight"], by=request.user, **fields)

    def update(self, request, obj, changes):
        return services.verification_record_update(record=obj, by=request.user, **changes)

    def attach(self, objects):
        for review in selectors.record_reviews(objects):
            review.record.review = review

    @admin.display(description="Sign-offs")
    def signoff_state(self, obj) -> str:
        review = getattr(obj, "review", None) or selectors.record_review(obj)
        void = review.void_signoffs
        if void:
            return format_html('<strong class="errornote">{} void</strong>', len(void))
        return f"{len(review.valid_approvers)} of {review.required_signatures}"


class RecordContentAdmin(ServiceSaveMixin, RecordAdmin):
    """A child row of a record: editable only while its record is."""

    list_select_related = ("record__flight",)
    search_fields = ("record__flight__code",)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and not obj.record.is_editable:
            return False  # shown read-only: the record is locked
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and hasattr(obj, "entered_by_id"):
            fields += ["entered_by", "last_edited_by"]  # who may not sign the record (separation of duties)
        return fields + (["record"] if obj is not None else [])

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "record":
            kwargs["queryset"] = VerificationFlight.objects.filter(
                status__in=VerificationFlight.EDITABLE_STATUSES
            ).select_related("flight")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Occupant)
class OccupantAdmin(RecordContentAdmin):
    list_display = ("name", "role", "is_test_dummy", "record")
    list_filter = ("is_test_dummy",)
    search_fields = ("name", "role", "record__flight__code")

    def create(self, request, obj, form):
        data = form.cleaned_data
        return services.occupant_add(record=data["record"], by=request.user, name=data["name"], role=data["role"],
                                     is_test_dummy=data["is_test_dummy"])

    def update(self, request, obj, changes):
        return services.occupant_update(occupant=obj, by=request.user, **changes)


@admin.register(TestObjective)
class TestObjectiveAdmin(RecordContentAdmin):
    list_display = ("__str__", "record", "result")
    list_filter = ("result",)
    search_fields = ("description", "record__flight__code")
    readonly_fields = ("sequence",)

    def create(self, request, obj, form):
        data = dict(form.cleaned_data)
        record = data.pop("record")
        data.pop("sequence", None)
        return services.objective_add(record=record, by=request.user, **data)

    def update(self, request, obj, changes):
        return services.objective_update(objective=obj, by=request.user, **changes)


@admin.register(Anomaly)
class AnomalyAdmin(RecordContentAdmin):
    list_display = ("title", "severity", "disposition", "record")
    list_filter = ("severity", "disposition")
    search_fields = ("title", "description", "record__flight__code")

    def create(self, request, obj, form):
        data = dict(form.cleaned_data)
        record = data.pop("record")
        return services.anomaly_add(record=record, by=request.user, **data)

    def update(self, request, obj, changes):
        return services.anomaly_update(anomaly=obj, by=request.user, **changes)


@admin.register(Attachment)
class AttachmentAdmin(RecordContentAdmin):
    list_display = ("title", "kind", "record", "size_bytes", "uploaded_at", "download")
    list_filter = ("kind",)
    search_fields = ("title", "original_name", "record__flight__code")
    readonly_fields = ("original_name", "content_type", "sha256", "size_bytes", "uploaded_by", "uploaded_at", "download")

    def has_change_permission(self, request, obj=None) -> bool:
        # An attachment is evidence: it is never edited, a correction is a new one (on a reopened record).
        return obj is None and super().has_change_permission(request, obj)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("record", "kind", "title", "file")
        return ("record", "kind", "title", "original_name", "content_type", "sha256", "size_bytes", "uploaded_by",
                "uploaded_at", "download")

    @admin.display(description="File")
    def download(self, obj) -> str:
        return format_html('<a href="{}">Download</a>', obj.get_absolute_url()) if obj.pk else "—"

    def create(self, request, obj, form):
        data = form.cleaned_data
        return services.attachment_add(record=data["record"], by=request.user, kind=data["kind"], title=data["title"],
                                       file=data["file"])


class ReadOnlyMixin:
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, RecordAdmin):
    """Rows without a simple_history table: their history page is Django's own admin log."""

    history_view = admin.ModelAdmin.history_view
    object_history_template = None


@admin.register(SignOff)
class SignOffAdmin(ReviewedChangelistMixin, ReadOnlyMixin, RecordAdmin):
    """Signatures are given in the flight director portal with a password, never here."""

    list_display = ("sequence", "record", "signer_name", "signed_at", "decision", "key_id", "validity")
    list_filter = ("decision", "signed_at")
    search_fields = ("record__flight__code", "signer_name", "signer__username")
    list_select_related = ("record__flight", "signer")

    def attach(self, objects):
        records = selectors.record_queryset().filter(pk__in={signoff.record_id for signoff in objects})
        checks = {view.signoff.pk: view.check for review in selectors.record_reviews(records) for view in review.signoffs}
        for signoff in objects:
            signoff.check = checks[signoff.pk]

    @admin.display(description="Validity")
    def validity(self, obj) -> str:
        if not hasattr(obj, "check"):
            self.attach([obj])
        return obj.check.label if obj.check.valid else f"Void: {obj.check.problem}"


@admin.register(RecordStatusChange)
class RecordStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ("record", "from_status", "to_status", "revision", "changed_by", "changed_at")
    list_filter = ("to_status",)
    search_fields = ("record__flight__code", "reason")
    list_select_related = ("record__flight", "changed_by")


@admin.register(SignOffChainHead)
class SignOffChainHeadAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "last_hash", "key_id", "updated_at")


class CorrectiveActionInline(ReadOnlyInline):
    model = CorrectiveAction
    fields = ("description", "status", "closed_at", "closed_by", "closure_note")


@admin.register(Mishap)
class MishapAdmin(ReviewedChangelistMixin, ServiceSaveMixin, RecordAdmin):
    list_display = ("flight", "vehicle", "occurred_at", "declared_by", "return_to_flight")
    list_filter = ("vehicle",)
    search_fields = ("flight__code", "vehicle__serial", "description")
    list_select_related = ("flight", "vehicle__model", "declared_by")
    autocomplete_fields = ("flight",)
    inlines = [CorrectiveActionInline]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("flight", "occurred_at", "description")
        return ("flight", "vehicle", "occurred_at", "description", "declared_by", "declared_at", "return_to_flight")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def create(self, request, obj, form):
        data = form.cleaned_data
        return services.mishap_declare(flight=data["flight"], by=request.user, description=data["description"],
                                       occurred_at=data.get("occurred_at"))

    def attach(self, objects):
        certifications = selectors.vehicle_certifications({mishap.vehicle for mishap in objects})
        states = {state.mishap.pk: state for c in certifications.values() for state in c.mishaps}
        for mishap in objects:
            mishap.state = states[mishap.pk]

    @admin.display(description="Return to flight")
    def return_to_flight(self, obj) -> str:
        if not hasattr(obj, "state"):
            self.attach([obj])
        return obj.state.summary


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(ServiceSaveMixin, RecordAdmin):
    list_display = ("__str__", "mishap", "status", "closed_at", "closed_by")
    list_filter = ("status",)
    search_fields = ("description", "mishap__flight__code")
    list_select_related = ("mishap__flight", "closed_by")
    readonly_fields = ("status", "created_by", "created_at", "closed_at", "closed_by", "closure_note")
    action_form = ReasonActionForm
    actions = [
        service_action(service=_as_admin_service(services.corrective_action_close, "corrective_action"),
                       description="Close selected corrective actions (the reason is the closure note)"),
    ]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def create(self, request, obj, form):
        data = form.cleaned_data
        return services.corrective_action_add(mishap=data["mishap"], by=request.user, description=data["description"])
