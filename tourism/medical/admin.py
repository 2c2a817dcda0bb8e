"""Admin for medical clearance. Operations and flight directors see status, validity and restrictions only.

The content models (questionnaire, notes, examinations, documents, access log) are private: operations
get no permission on them (flights.roles.PRIVATE_MODELS). Whoever may open them (a superuser) reads
them read-only, and each change-page view is written to the access log like any other read.
Everything is read-only here: clearances change through the flight surgeons' portal and its services.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.utils.html import format_html, format_html_join

from flights.admin_base import RecordAdmin
from tourism.medical import questionnaire, services
from tourism.medical.models import (
    ClearanceNote,
    ClearanceStatusChange,
    HealthSelfCertification,
    MedicalAccessLog,
    MedicalClearance,
    MedicalDocument,
    MedicalExamination,
    MedicalQuestionnaire,
)

Type = MedicalAccessLog.RecordType


class ReadOnlyMixin:
    """Records are written by services only; admin shows them."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False


class ClearanceStatusChangeInline(ReadOnlyInline):
    model = ClearanceStatusChange
    fields = ("changed_at", "from_status", "to_status", "changed_by")
    readonly_fields = fields


class HealthSelfCertificationInline(ReadOnlyInline):
    model = HealthSelfCertification
    fields = ("flight", "certified_at")
    readonly_fields = fields


@admin.register(MedicalClearance)
class MedicalClearanceAdmin(ReadOnlyMixin, RecordAdmin):
    """Status, validity and restrictions: what operations and flight directors may know."""

    list_display = (
        "__str__", "passenger", "status", "submitted_at", "decided_at", "decided_by", "valid_until", "restrictions",
    )
    list_filter = ("status", "valid_until")
    search_fields = ("passenger__username", "passenger__first_name", "passenger__last_name", "passenger__email")
    list_select_related = ("passenger", "decided_by")
    date_hierarchy = "created_at"
    fields = (
        "passenger", "status", "status_changed_at", "created_at", "submitted_at", "reviewer", "decided_at",
        "decided_by", "valid_until", "restrictions", "superseded_by", "expiry_reminder_sent_at",
    )
    readonly_fields = fields
    inlines = [ClearanceStatusChangeInline, HealthSelfCertificationInline]

    @admin.display(description="Restrictions")
    def restrictions(self, obj) -> str:
        return obj.restrictions_display


class LoggedContentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Private content: each view of a record's page is logged (who, when, which record, via admin)."""

    record_type: str = ""

    def logged_records(self, obj) -> list[tuple[str, int]]:
        return [(self.record_type, obj.pk)]

    def log_read(self, request, obj) -> None:
        services.access_log_record(
            reader=request.user, clearance=obj.clearance, records=self.logged_records(obj),
            channel=MedicalAccessLog.Channel.ADMIN, path=request.path,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            self.log_read(request, self.get_object(request, unquote(object_id)))
        return response


@admin.register(MedicalQuestionnaire)
class MedicalQuestionnaireAdmin(LoggedContentAdmin, RecordAdmin):
    record_type = Type.QUESTIONNAIRE
    list_display = ("__str__", "clearance", "updated_at")
    list_select_related = ("clearance__passenger",)
    search_fields = ("clearance__passenger__username",)
    fields = ("clearance", "updated_at", "answers_display")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("answers")  # lists decrypt nothing

    @admin.display(description="Answers")
    def answers_display(self, obj):
        rows = []
        for section, form_class in questionnaire.SECTIONS.items():
            for key, value in sorted(obj.answers.get(section, {}).items()):
                rows.append((form_class.title, key, value))
        return format_html(
            "<table>{}</table>", format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
        )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        response = super().history_form_view(request, object_id, version_id, extra_context)
        if request.method == "GET" and response.status_code == 200:
            self.log_read(request, self.get_object(request, unquote(object_id)))
        return response


@admin.register(ClearanceNote)
class ClearanceNoteAdmin(LoggedContentAdmin):
    record_type = Type.NOTE
    list_display = ("__str__", "clearance", "kind", "author", "created_at")
    list_filter = ("kind",)
    list_select_related = ("clearance__passenger", "author")
    fields = ("clearance", "kind", "author", "created_at", "body")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("body")


@admin.register(MedicalExamination)
class MedicalExaminationAdmin(LoggedContentAdmin):
    record_type = Type.EXAMINATION
    list_display = ("__str__", "clearance", "kind", "performed_on", "examiner")
    list_filter = ("kind",)
    list_select_related = ("clearance__passenger", "examiner")
    fields = ("clearance", "kind", "performed_on", "outcome", "examiner", "recorded_at", "findings")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("findings")


@admin.register(MedicalDocument)
class MedicalDocumentAdmin(LoggedContentAdmin):
    record_type = Type.DOCUMENT
    list_display = ("__str__", "clearance", "kind", "content_type", "size_bytes", "uploaded_by", "uploaded_at")
    list_filter = ("kind", "content_type")
    list_select_related = ("clearance__passenger", "uploaded_by")
    fields = ("clearance", "kind", "original_name", "content_type", "size_bytes", "uploaded_by", "uploaded_at", "download")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("original_name")

    @admin.display(description="File")
    def download(self, obj):
        # The download view checks who reads and logs the download itself.
        return format_html('<a href="{}">Download (logged)</a>', obj.get_absolute_url())


@admin.register(MedicalAccessLog)
class MedicalAccessLogAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("accessed_at", "accessed_by", "clearance", "record_type", "record_id", "action", "channel")
    list_filter = ("channel", "record_type", "action")
    search_fields = ("accessed_by__username", "clearance__passenger__username")
    list_select_related = ("accessed_by", "clearance__passenger")
    date_hierarchy = "accessed_at"
    readonly_fields = ("accessed_at", "accessed_by", "clearance", "record_type", "record_id", "action", "channel", "path")
