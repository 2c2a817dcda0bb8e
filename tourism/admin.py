"""Operations run bookings in admin: statuses change only through actions that call the services, payments
are recorded through a form that calls `payment_record`, and nothing can be deleted."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from flights.admin_base import ReasonActionForm, RecordAdmin, service_action
from flights.exceptions import DomainError
from flights.models import Flight
from tourism import selectors, services
from tourism.forms import add_domain_error
from tourism.models import (
    Booking,
    BookingStatusChange,
    ConsentDocument,
    ConsentSignature,
    IndustrySafetyRecord,
    LedgerEntry,
    PassengerProfile,
    RefundPolicy,
    ScrubNotice,
    WaitlistEntry,
)
from tourism.services.accounts import PROFILE_FIELDS


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class BookingStatusChangeInline(ReadOnlyInline):
    model = BookingStatusChange
    fields = ("changed_at", "from_status", "to_status", "reason", "changed_by", "notified_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("notification", "changed_by")


class LedgerEntryInline(ReadOnlyInline):
    model = LedgerEntry
    fields = ("recorded_at", "kind", "amount", "currency", "provider", "reference", "recorded_by", "note")
    readonly_fields = fields


class ConsentSignatureInline(ReadOnlyInline):
    model = ConsentSignature
    fields = ("signed_at", "typed_name", "vehicle", "document", "disclosure_sha256")
    readonly_fields = fields
    show_change_link = True


class ScrubNoticeInline(ReadOnlyInline):
    """What each scrub did to the booking and when the passenger was told (through the outbox)."""

    model = ScrubNotice
    fields = ("created_at", "old_launch_at", "new_launch_at", "scrub_reason", "outcome", "blockers", "operator_terms",
              "notified_at", "closed_at", "closed_reason")
    readonly_fields = fields
    verbose_name_plural = "scrub notices"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("notification")


class PaymentForm(forms.Form):
    kind = forms.ChoiceField(choices=[(LedgerEntry.Kind.DEPOSIT, "Deposit"), (LedgerEntry.Kind.BALANCE, "Balance payment")])
    amount = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    currency = forms.CharField(max_length=3)
    reference = forms.CharField(max_length=64, help_text="The bank's reference for the transfer, as on the statement.")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TransferForm(forms.Form):
    flight = forms.ModelChoiceField(queryset=Flight.objects.none(), help_text="Another flight of the same itinerary.")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


def booking_cancel_by_operator(*, booking, by, reason):
    return services.booking_cancel(booking=booking, by=by, reason=reason, operator_fault=True)


def booking_cancel_at_passenger_request(*, booking, by, reason):
    return services.booking_cancel(booking=booking, by=by, reason=reason, operator_fault=False)


@admin.register(Booking)
class BookingAdmin(RecordAdmin):
    list_display = ("id", "flight", "user", "seat_number", "status", "hold_expires_at", "paid", "created_at")
    list_filter = ("status", "flight__itinerary", "flight")
    search_fields = ("id", "user__username", "user__passenger_profile__legal_name", "flight__code")
    list_select_related = ("flight", "user")
    readonly_fields = (
        "user", "flight", "seat_number", "status", "status_changed_at", "hold_expires_at", "price", "deposit",
        "deposit_non_refundable", "currency", "paid", "consent", "transferred_from", "created_at", "reserved_at",
        "manifested_at", "ended_at", "end_reason", "operations",
    )
    fields = readonly_fields
    inlines = [ConsentSignatureInline, LedgerEntryInline, BookingStatusChangeInline, ScrubNoticeInline]
    action_form = ReasonActionForm
    actions = [
        service_action(service=services.booking_manifest, description="Manifest selected bookings", needs_reason=False),
        service_action(service=services.booking_unmanifest, description="Take selected bookings off the manifest"),
        service_action(service=services.booking_mark_flown, description="Mark selected bookings flown", needs_reason=False),
        service_action(service=services.booking_mark_no_show, description="Mark selected bookings no-show"),
        service_action(
            service=booking_cancel_by_operator, description="Cancel selected bookings for the operator's reason (full refund)"
        ),
        service_action(
            service=booking_cancel_at_passenger_request,
            description="Cancel selected bookings at the passenger's request (refund policy)",
        ),
    ]

    def get_queryset(self, request):
        return selectors.booking_annotate_paid(super().get_queryset(request))

    def has_add_permission(self, request) -> bool:
        return False  # a booking starts as a passenger's hold

    @admin.display(description="Paid")
    def paid(self, obj) -> str:
        return f"{selectors.booking_amount_paid(obj):,.2f} {obj.currency}"

    @admin.display(description="Operations")
    def operations(self, obj) -> str:
        if not obj.pk or not obj.is_live:
            return "—"
        return format_html(
            '<a href="{}">Record a bank transfer received</a> · <a href="{}">Move to another flight</a>',
            reverse("admin:tourism_booking_record_payment", args=[obj.pk]),
            reverse("admin:tourism_booking_transfer", args=[obj.pk]),
        )

    def get_urls(self):
        return [
            path("<int:pk>/record-payment/", self.admin_site.admin_view(self.record_payment_view),
                 name="tourism_booking_record_payment"),
            path("<int:pk>/transfer/", self.admin_site.admin_view(self.transfer_view), name="tourism_booking_transfer"),
            *super().get_urls(),
        ]

    def _booking_for_change(self, request, pk: int) -> Booking:
        booking = get_object_or_404(Booking.objects.select_related("flight", "user"), pk=pk)
        if not self.has_change_permission(request, booking):
            raise PermissionDenied
        return booking

    def _form_page(self, request, booking, form, title: str):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "booking": booking,
            "form": form,
            "opts": self.model._meta,
            "paid": self.paid(booking),
        }
        return TemplateResponse(request, "admin/tourism/booking/service_form.html", context)

    def record_payment_view(self, request, pk: int):
        """The bank-transfer provider's receipt: operations record what the bank statement shows."""
        booking = self._booking_for_change(request, pk)
        form = PaymentForm(request.POST or None, initial={
            "currency": booking.currency,
            "kind": LedgerEntry.Kind.DEPOSIT if booking.status == Booking.Status.HELD else LedgerEntry.Kind.BALANCE,
        })
        if request.method == "POST" and form.is_valid():
            try:
                entry = services.payment_record(booking=booking, by=request.user, provider="bank_transfer", **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                self.message_user(request, f"Recorded: {entry}.", messages.SUCCESS)
                return redirect("admin:tourism_booking_change", booking.pk)
        return self._form_page(request, booking, form, f"Record a bank transfer for booking {booking}")

    def transfer_view(self, request, pk: int):
        booking = self._booking_for_change(request, pk)
        form = TransferForm(request.POST or None)
        form.fields["flight"].queryset = Flight.objects.filter(itinerary_id=booking.flight.itinerary_id).exclude(
            pk=booking.flight_id
        )
        if request.method == "POST" and form.is_valid():
            try:
                new = services.booking_transfer(
                    booking=booking, to_flight=form.cleaned_data["flight"], by=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                self.message_user(request, f"Booking {booking} moved: now booking {new}.", messages.SUCCESS)
                return redirect("admin:tourism_booking_change", new.pk)
        return self._form_page(request, booking, form, f"Move booking {booking} to another flight")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(RecordAdmin):
    list_display = ("recorded_at", "booking", "kind", "amount", "currency", "provider", "reference", "recorded_by")
    list_filter = ("kind", "provider", "currency")
    search_fields = ("reference", "booking__flight__code", "booking__user__username")
    list_select_related = ("booking__flight", "recorded_by")
    readonly_fields = (
        "booking", "kind", "amount", "currency", "provider", "reference", "note", "recorded_by", "recorded_at",
    )

    def has_add_permission(self, request) -> bool:
        return False  # through a booking's "Record a bank transfer received" page, which checks the rules

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the ledger is append-only: a correction is a new entry


@admin.register(ConsentDocument)
class ConsentDocumentAdmin(RecordAdmin):
    list_display = ("vehicle", "version", "published_at", "published_by")
    list_filter = ("vehicle",)
    search_fields = ("vehicle__serial", "vehicle__name", "known_hazards")
    list_select_related = ("vehicle", "published_by")
    fields = ("vehicle", "known_hazards", "unknown_hazards", "government_statement")

    def has_change_permission(self, request, obj=None) -> bool:
        # A published version is never edited: publishing a new one makes earlier consent stale.
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        document = services.consent_document_publish(
            vehicle=obj.vehicle, known_hazards=obj.known_hazards, unknown_hazards=obj.unknown_hazards,
            government_statement=obj.government_statement, by=request.user,
        )
        obj.pk, obj.version, obj.published_at, obj.published_by = (
            document.pk, document.version, document.published_at, document.published_by,
        )


@admin.register(ConsentSignature)
class ConsentSignatureAdmin(RecordAdmin):
    list_display = ("signed_at", "typed_name", "user", "vehicle", "document", "booking", "disclosure_sha256")
    list_filter = ("vehicle",)
    search_fields = ("typed_name", "user__username", "disclosure_sha256")
    list_select_related = ("user", "vehicle", "document__vehicle", "booking__flight")
    readonly_fields = (
        "booking", "user", "vehicle", "document", "typed_name", "signed_at", "ip_address", "disclosure_sha256",
        "material_facts", "material_facts_sha256", "disclosure_text",
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IndustrySafetyRecord)
class IndustrySafetyRecordAdmin(RecordAdmin):
    list_display = ("as_of", "updated_at", "updated_by")
    readonly_fields = ("updated_at", "updated_by")

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        obj._history_user = request.user
        super().save_model(request, obj, form, change)


@admin.register(RefundPolicy)
class RefundPolicyAdmin(RecordAdmin):
    list_display = ("itinerary", "full_refund_days", "partial_refund_days", "partial_refund_percent")
    list_select_related = ("itinerary",)
    search_fields = ("itinerary__name",)


@admin.register(PassengerProfile)
class PassengerProfileAdmin(RecordAdmin):
    list_display = ("legal_name", "user", "nationality", "date_of_birth", "mass_kg", "height_cm", "email_verified_at")
    list_filter = ("nationality",)
    search_fields = ("legal_name", "user__username", "user__email", "passport_number")
    list_select_related = ("user", "user__email_verification")
    readonly_fields = ("user", "email_verified_at", "created_at", "updated_at")
    fields = ("user", "email_verified_at", *PROFILE_FIELDS, "created_at", "updated_at")

    @admin.display(description="email verified at")
    def email_verified_at(self, obj):
        """When the account's current address was verified (empty: not yet, or it changed since)."""
        verification = getattr(obj.user, "email_verification", None)
        return verification.verified_at if verification and verification.is_current_for(obj.user) else None

    def has_add_permission(self, request) -> bool:
        return False  # passengers create their own at sign-up

    def save_model(self, request, obj, form, change):
        services.passenger_profile_save(user=obj.user, **{name: getattr(obj, name) for name in PROFILE_FIELDS})


def waitlist_entry_remove(*, waitlistentry, by):
    return services.waitlist_leave(entry=waitlistentry, by=by)


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(RecordAdmin):
    list_display = ("flight", "user", "status", "joined_at", "offered_at", "offer_expires_at", "booking")
    list_filter = ("status", "flight")
    search_fields = ("flight__code", "user__username")
    list_select_related = ("flight", "user", "booking__flight")
    readonly_fields = (
        "flight", "user", "status", "joined_at", "status_changed_at", "offered_at", "offer_expires_at",
        "offer_notified_at", "booking",
    )
    actions = [service_action(service=waitlist_entry_remove, description="Take selected off the waitlist", needs_reason=False)]

    def has_add_permission(self, request) -> bool:
        return False
