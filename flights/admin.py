from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.template.response import TemplateResponse
from django.utils.html import format_html

from flights import rescheduling, returns, roles, selectors, services
from flights.admin_base import ReadOnlyAdmin, ReadOnlyInline, ReasonActionForm, RecordAdmin, service_action
from flights.exceptions import DomainError
from flights.formats import moment_text
from flights.forms import RescheduleForm, ReturnForm
from flights.launch_windows import launch_windows_request
from flights.models import (
    CatalogImport,
    CountdownMilestone,
    CrewMember,
    Flight,
    FlightCrew,
    FlightReturnChange,
    FlightStatusChange,
    GoNoGoPoll,
    Itinerary,
    LaunchWindow,
    MaintenanceRecord,
    Notification,
    PositionAssignment,
    ReadinessReport,
    Spaceport,
    TrackedObject,
    Vehicle,
    VehicleModel,
    VehicleStatusChange,
    WeatherReport,
    WindowComputation,
)
from flights.notifications import notification_resend


@admin.register(Spaceport)
class SpaceportAdmin(RecordAdmin):
    list_display = ("code", "name", "country", "latitude_deg", "longitude_deg", "timezone")
    search_fields = ("code", "name")
    list_filter = ("country",)


class VehicleInline(admin.TabularInline):
    model = Vehicle
    fields = ("serial", "name", "home_spaceport", "status", "next_inspection_due")
    readonly_fields = ("status",)
    extra = 0
    show_change_link = True

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(VehicleModel)
class VehicleModelAdmin(RecordAdmin):
    list_display = (
        "__str__", "regime", "passenger_seats", "crew_seats", "apogee_km",
        "required_uncrewed_flights", "required_crewed_flights",
    )
    list_filter = ("regime", "manufacturer")
    search_fields = ("manufacturer", "name")
    inlines = [VehicleInline]
    fieldsets = (
        (None, {"fields": ("manufacturer", "name", "regime")}),
        ("Cabin", {"fields": ("passenger_seats", "crew_seats", "cabin_mass_budget_kg")}),
        ("Passenger limits", {"fields": (
            ("passenger_mass_min_kg", "passenger_mass_max_kg"), ("passenger_height_min_cm", "passenger_height_max_cm"),
        )}),
        ("Flight profile", {"fields": (("peak_g_ascent", "peak_g_entry"), "apogee_km", "plane_change_budget_deg")}),
        ("Launch commit limits", {"fields": ("max_wind_kt", "max_gust_kt")}),
        ("Verification (14 CFR 460.17)", {"fields": ("required_uncrewed_flights", "required_crewed_flights")}),
        ("Nominal ascent (collision screening, 14 CFR 450.169)", {"fields": (
            "ascent_time_to_150km_s", "ascent_insertion_time_s", "ascent_insertion_altitude_km", "ascent_downrange_km",
            "flight_duration_s",
        )}),
    )


class MaintenanceRecordInline(ReadOnlyInline):
    model = MaintenanceRecord
    fields = ("performed_on", "work_done", "is_inspection", "next_inspection_due", "signed_by")


class VehicleStatusChangeInline(ReadOnlyInline):
    model = VehicleStatusChange
    fields = ("changed_at", "from_status", "to_status", "reason", "changed_by")


@admin.register(Vehicle)
class VehicleAdmin(RecordAdmin):
    list_display = ("serial", "name", "model", "home_spaceport", "status", "flights_flown", "next_inspection_due")
    list_filter = ("status", "model", "home_spaceport")
    search_fields = ("serial", "name", "model__name")
    readonly_fields = ("status", "status_reason", "status_changed_at", "status_changed_by", "flights_flown")
    inlines = [MaintenanceRecordInline, VehicleStatusChangeInline]
    action_form = ReasonActionForm
    actions = [
        service_action(service=services.vehicle_ground, description="Ground selected vehicles"),
        service_action(service=services.vehicle_start_maintenance, description="Take selected vehicles into maintenance"),
        service_action(service=services.vehicle_return_to_service, description="Return selected vehicles to service"),
        service_action(service=services.vehicle_retire, description="Retire selected vehicles"),
    ]

    def get_queryset(self, request):
        return selectors.vehicle_list_with_record()

    @admin.display(description="Flights flown")
    def flights_flown(self, obj) -> int:
        return selectors.vehicle_flights_flown(obj)


@admin.register(MaintenanceRecord)
class MaintenanceRecordAdmin(RecordAdmin):
    list_display = ("vehicle", "performed_on", "is_inspection", "next_inspection_due", "signed_by")
    list_filter = ("is_inspection", "vehicle")
    search_fields = ("vehicle__serial", "work_done")
    list_select_related = ("vehicle", "signed_by")
    readonly_fields = ("signed_by",)

    def has_change_permission(self, request, obj=None) -> bool:
        # A signed maintenance record is not edited; a correction is a new record.
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        record = services.maintenance_record_add(
            vehicle=obj.vehicle,
            performed_on=obj.performed_on,
            work_done=obj.work_done,
            signed_by=request.user,
            is_inspection=obj.is_inspection,
            next_inspection_due=obj.next_inspection_due,
        )
        obj.pk = record.pk
        obj.signed_by = record.signed_by


@admin.register(Itinerary)
class ItineraryAdmin(RecordAdmin):
    list_display = ("name", "regime", "duration", "peak_g", "price", "deposit", "currency", "is_published")
    list_filter = ("regime", "is_published", "currency")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}


class FlightStatusChangeInline(ReadOnlyInline):
    model = FlightStatusChange
    fields = ("changed_at", "from_status", "to_status", "launch_at", "reason", "changed_by")


def _refusal_on_form(form, exc: DomainError) -> None:
    """A service's refusal on an action's intermediate form: beside each field it names, and on top."""
    for field, errors in exc.fields.items():
        if field in form.fields:
            for error in errors:
                form.add_error(field, error)
    form.add_error(None, exc.message)


class FlightReturnChangeInline(ReadOnlyInline):
    model = FlightReturnChange
    fields = ("changed_at", "from_landing_at", "to_landing_at", "reason", "changed_by")


@admin.register(Flight)
class FlightAdmin(RecordAdmin):
    list_display = ("code", "purpose", "itinerary", "vehicle", "spaceport", "launch_local", "status", "flight_director")
    list_filter = ("status", "purpose", "spaceport", "vehicle__model")
    search_fields = ("code", "vehicle__serial", "vehicle__name", "itinerary__name")
    list_select_related = ("itinerary", "vehicle", "spaceport", "flight_director")
    date_hierarchy = "launch_at"
    readonly_fields = (
        "status", "status_reason", "status_changed_at", "scrub_count", "launched_at", "landing_planned_at", "landed_at",
    )
    autocomplete_fields = ("vehicle", "itinerary", "spaceport")
    inlines = [FlightStatusChangeInline, FlightReturnChangeInline]
    action_form = ReasonActionForm
    actions = [
        service_action(service=services.flight_schedule, description="Schedule selected flights", needs_reason=False),
        "scrub_flights",
        "reschedule_flight",
        "move_return",
        service_action(service=services.flight_cancel, description="Cancel selected flights"),
        service_action(service=launch_windows_request, description="Compute launch windows", needs_reason=False),
    ]

    @admin.action(description="Scrub selected flights", permissions=["change"])
    def scrub_flights(self, request, queryset):
        """The one scrub service, as the poll and the API use it: reason recorded, next clear window found,
        every passenger re-checked and told once. Each flight is its own transaction."""
        reason = request.POST.get("reason", "").strip()
        if not reason:
            self.message_user(request, "Scrub selected flights: give a reason in the Reason box.", messages.ERROR)
            return
        for flight in queryset:
            try:
                outcome = rescheduling.flight_scrub_recycle(flight=flight, reason=reason, by=request.user)
            except DomainError as exc:
                self.message_user(request, f"{flight}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, outcome.message, messages.SUCCESS if outcome.recycled else messages.WARNING)

    @admin.action(description="Reschedule a flight to a chosen time", permissions=["change"])
    def reschedule_flight(self, request, queryset):
        """An intermediate page: the new time in the spaceport's local time (UTC shown beside it)."""

        def apply(flight, data) -> str:
            flight = rescheduling.flight_reschedule(
                flight=flight, launch_at=data["launch_at"], reason=data["reason"], by=request.user
            )
            return (
                f"Flight {flight.code} rescheduled to {rescheduling.spaceport_time_text(flight.launch_at, flight)}; "
                "countdown moved, every passenger checked again and told."
            )

        return self._one_flight_form_page(
            request, queryset.select_related("spaceport"), doing="Reschedule",
            title="Reschedule flight", template="admin/flights/flight/reschedule.html",
            form=lambda data, flight: RescheduleForm(data, spaceport=flight.spaceport), apply=apply,
            context=lambda flight: {
                "current_time": rescheduling.spaceport_time_text(flight.launch_at, flight),
                "windows": flight.launch_windows.prefetch_related("closures").order_by("opens_at"),
            },
        )

    @admin.action(description="Move the return of a flight in orbit (extend or shorten the stay)", permissions=["change"])
    def move_return(self, request, queryset):
        """An intermediate page: the new planned landing (UTC) and why; the return steps move with it."""

        def apply(flight, data) -> str:
            flight = returns.flight_return_replan(
                flight=flight, landing_at=data["landing_at"], reason=data["reason"], by=request.user
            )
            return (
                f"Flight {flight.code} now plans to land at {flight.landing_planned_at:%Y-%m-%d %H:%M:%S} UTC; "
                "its return steps moved and its launch team was told."
            )

        return self._one_flight_form_page(
            request, queryset, doing="Move the return of",
            title="Move the return of flight", template="admin/flights/flight/move_return.html",
            form=lambda data, flight: ReturnForm(data), apply=apply,
            context=lambda flight: {"milestones": flight.milestones.filter(phase=CountdownMilestone.Phase.RETURN)},
        )

    def _one_flight_form_page(self, request, queryset, *, doing, title, template, form, apply, context):
        """An action on one flight with an intermediate page: `form(data, flight)` shown until it is valid and
        `apply(flight, cleaned_data)` (a service call; its message on success) accepts it. A refusal is shown
        on the form, beside the fields it names."""
        if queryset.count() != 1:
            self.message_user(request, f"{doing} one flight at a time: select exactly one.", messages.ERROR)
            return None
        flight = queryset.get()
        page = form(request.POST if "apply" in request.POST else None, flight)
        if "apply" in request.POST and page.is_valid():
            try:
                message = apply(flight, page.cleaned_data)
            except DomainError as exc:
                _refusal_on_form(page, exc)
            else:
                self.message_user(request, message, messages.SUCCESS)
                return None
        return TemplateResponse(request, template, {
            **self.admin_site.each_context(request),
            "title": f"{title} {flight.code}",
            "flight": flight,
            "form": page,
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            **context(flight),
        })

    @admin.display(description="Launch (NET)", ordering="launch_at")
    def launch_local(self, flight):
        """The spaceport's local time with its UTC offset, and UTC (issue 14: admin times carry their zone)."""
        return moment_text(flight.launch_at, flight.spaceport.timezone)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "flight_director":  # only people who hold the role, never a passenger
            kwargs["queryset"] = get_user_model().objects.filter(groups__name=roles.FLIGHT_DIRECTOR).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status != Flight.Status.DRAFT:
            # Once on the schedule, time and vehicle change only through services (scrub, reschedule).
            fields += ["vehicle", "spaceport", "itinerary", "purpose", "launch_at", "window_open", "window_close"]
        return fields


@admin.register(TrackedObject)
class TrackedObjectAdmin(admin.ModelAdmin):
    list_display = ("norad_id", "name", "object_type", "inhabitable", "perigee_km", "apogee_km", "epoch")
    list_filter = ("object_type", "inhabitable")
    search_fields = ("=norad_id", "name", "international_designator")
    list_editable = ("inhabitable",)
    readonly_fields = ("epoch", "line1", "line2", "mean_elements", "perigee_km", "apogee_km", "updated_at")
    list_per_page = 100

    def has_add_permission(self, request) -> bool:
        return False  # objects come from the catalog import or the GP feed

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CatalogImport)
class CatalogImportAdmin(ReadOnlyAdmin):
    list_display = ("source", "started_at", "created", "updated", "unchanged", "error_count")
    readonly_fields = ("source", "started_at", "finished_at", "created", "updated", "unchanged", "errors")

    @admin.display(description="Not read")
    def error_count(self, obj) -> int:
        return len(obj.errors)


class LaunchWindowInline(ReadOnlyInline):
    model = LaunchWindow
    fields = ("kind", "opens_at", "closes_at", "in_plane_at", "azimuth_deg", "closure_list")

    @admin.display(description="Closures")
    def closure_list(self, obj) -> str:
        return "; ".join(str(c) for c in obj.closures.all()) or "None"


@admin.register(WindowComputation)
class WindowComputationAdmin(ReadOnlyAdmin):
    list_display = ("flight", "status", "progress", "stage", "requested_at", "finished_at", "objects_screened")
    list_filter = ("status",)
    search_fields = ("flight__code",)
    list_select_related = ("flight",)
    readonly_fields = [f.name for f in WindowComputation._meta.fields]
    inlines = [LaunchWindowInline]

    @admin.display(description="Progress")
    def progress(self, obj):
        return format_html('<progress max="100" value="{}">{}%</progress> {}%', obj.progress_percent,
                           obj.progress_percent, obj.progress_percent)


class PositionAssignmentInline(admin.TabularInline):
    model = PositionAssignment
    extra = 0
    autocomplete_fields = ("person",)

    def has_delete_permission(self, request, obj=None) -> bool:
        return True  # reassigning a position is routine; the flight record keeps its history


class FlightCrewInline(admin.TabularInline):
    model = FlightCrew
    extra = 0


class CountdownMilestoneInline(ReadOnlyInline):
    model = CountdownMilestone
    fields = ("phase", "name", "due_at", "status", "attempts", "completed_at", "report")


class GoNoGoPollInline(ReadOnlyInline):
    model = GoNoGoPoll
    fields = ("opened_at", "opened_by", "status", "closed_at", "launch_at", "scrub_reason")


FlightAdmin.inlines = [*FlightAdmin.inlines, PositionAssignmentInline, FlightCrewInline, CountdownMilestoneInline, GoNoGoPollInline]


@admin.register(CrewMember)
class CrewMemberAdmin(RecordAdmin):
    list_display = ("name", "role", "medical_issued_on", "recurrent_training_until")
    list_filter = ("role",)
    search_fields = ("name",)


@admin.register(WeatherReport)
class WeatherReportAdmin(RecordAdmin):
    list_display = ("spaceport", "kind", "valid_at", "wind_kt", "gust_kt", "lightning_distance_nmi", "field_mill_v_m", "source")
    list_filter = ("kind", "spaceport", "source")
    date_hierarchy = "valid_at"
    list_select_related = ("spaceport",)


@admin.register(ReadinessReport)
class ReadinessReportAdmin(ReadOnlyAdmin):
    list_display = ("flight", "created_at", "trigger", "all_go", "launch_at")
    list_filter = ("all_go",)
    search_fields = ("flight__code", "trigger")
    list_select_related = ("flight",)
    readonly_fields = ("flight", "created_at", "trigger", "launch_at", "all_go", "findings")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox: every message to a person, its delivery state and last error. Nothing is added, edited
    or deleted here; a failed (or still waiting) message can be sent again."""

    list_display = ("recipient", "subject", "status", "attempts", "short_error", "created_at", "next_attempt_at", "sent_at")
    list_filter = ("status", ("created_at", admin.DateFieldListFilter), ("sent_at", admin.DateFieldListFilter))
    search_fields = ("recipient", "subject", "dedupe_key")
    date_hierarchy = "created_at"
    fields = ("recipient", "subject", "status", "attempts", "last_error", "created_at", "next_attempt_at", "sent_at",
              "failed_at", "dedupe_key", "message_text")
    readonly_fields = fields
    actions = [service_action(service=notification_resend, description="Resend selected messages", needs_reason=False)]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description="Last error")
    def short_error(self, obj) -> str:
        return obj.last_error[:120]

    @admin.display(description="Message")
    def message_text(self, obj) -> str:
        if obj.sensitive:
            return "(Withheld: the message carries a sign-in or verification link for its recipient only.)"
        return obj.body
