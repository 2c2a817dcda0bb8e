"""Operations' admin for space traffic: protected objects, events (read-only figures), CDM upload.

Events and updates are written only by the services (CDM import, screening); decisions only by the
flight director's signature. Nothing is deleted.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from flights.exceptions import DomainError
from flights.traffic import services
from flights.traffic.models import (
    ConjunctionDecision,
    ConjunctionEvent,
    ConjunctionUpdate,
    ProtectedObject,
    ScreeningRun,
)
from flights.traffic.screening import screening_run_request


class NoDelete:
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ProtectedObject)
class ProtectedObjectAdmin(NoDelete, admin.ModelAdmin):
    list_display = ["name", "designator", "kind", "flight", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "designator", "flight__code"]
    raw_id_fields = ["flight"]

    def save_model(self, request, obj, form, change):
        obj.designator = services.normalize_designator(obj.designator)
        super().save_model(request, obj, form, change)


class UpdateInline(admin.TabularInline):
    model = ConjunctionUpdate
    fields = ["received_at", "source", "message_id", "tca", "miss_distance_m", "pc", "tier", "superseded"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class DecisionInline(UpdateInline):
    model = ConjunctionDecision
    fields = ["signed_at", "signer_name", "tier", "kind", "reason", "manoeuvre_at", "delta_v_m_s", "shelter_at"]
    readonly_fields = fields


class CdmUploadForm(forms.Form):
    cdm_file = forms.FileField(label="CDM file (KVN)")
    hbr_m = forms.FloatField(required=False, min_value=0.001, label="Hard-body radius (m), if not the message's")


@admin.register(ConjunctionEvent)
class ConjunctionEventAdmin(NoDelete, admin.ModelAdmin):
    list_display = ["__str__", "tier", "pc", "miss_distance_m", "tca", "status", "source"]
    list_filter = ["tier", "status", "source"]
    search_fields = ["other_designator", "other_name", "protected__name", "protected__flight__code"]
    list_select_related = ["protected"]
    inlines = [UpdateInline, DecisionInline]
    readonly_fields = [f.name for f in ConjunctionEvent._meta.fields]
    change_list_template = "admin/traffic/conjunctionevent/change_list.html"

    def has_add_permission(self, request) -> bool:
        return False

    def get_urls(self):
        return [path("upload-cdm/", self.admin_site.admin_view(self.upload_cdm), name="traffic_cdm_upload"),
                *super().get_urls()]

    def upload_cdm(self, request):
        if not self.has_view_permission(request) or not request.user.has_perm("traffic.add_conjunctionupdate"):
            messages.error(request, "You may not import CDMs.")
            return redirect(reverse("admin:traffic_conjunctionevent_changelist"))
        form = CdmUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                text = form.cleaned_data["cdm_file"].read().decode("utf-8")
                result = services.cdm_import(text=text, received_by=request.user, hbr_m=form.cleaned_data["hbr_m"])
            except UnicodeDecodeError:
                form.add_error("cdm_file", "The CDM is not UTF-8 text.")
            except DomainError as error:
                form.add_error("cdm_file", error.message)
            else:
                messages.success(request, f"Imported: {result.event} ({result.event.tier}).")
                return redirect(reverse("admin:traffic_conjunctionevent_change", args=[result.event.pk]))
        context = {**self.admin_site.each_context(request), "form": form, "title": "Import a CDM",
                   "opts": self.model._meta}
        return render(request, "admin/traffic/upload_cdm.html", context)


@admin.register(ScreeningRun)
class ScreeningRunAdmin(NoDelete, admin.ModelAdmin):
    """Our own on-orbit screening runs, with progress while one runs (like window computations)."""

    list_display = ["requested_at", "status", "progress", "stage", "finished_at", "objects_screened",
                    "approaches_found", "events_created"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in ScreeningRun._meta.fields]
    change_list_template = "admin/traffic/screeningrun/change_list.html"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Progress")
    def progress(self, obj):
        return format_html('<progress max="100" value="{}">{}%</progress> {}%', obj.progress_percent,
                           obj.progress_percent, obj.progress_percent)

    def get_urls(self):
        return [path("screen-now/", self.admin_site.admin_view(require_POST(self.screen_now)),
                     name="traffic_screening_now"), *super().get_urls()]

    def screen_now(self, request):
        if not request.user.has_perm("traffic.add_screeningrun"):
            messages.error(request, "You may not start an on-orbit screening.")
        else:
            try:
                run = screening_run_request()
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, f"On-orbit screening queued ({run}); its progress shows here.")
        return redirect(reverse("admin:traffic_screeningrun_changelist"))
