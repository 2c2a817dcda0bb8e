"""Operations see each staff account's two-factor status and reset a lost device (with a reason, logged
in the account's history)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import StaffAccount
from accounts.policy import STAFF_ROLES
from flights.admin_base import ReasonActionForm, service_action


def staff_account_reset(*, staffaccount, by, reason):
    return services.two_factor_reset(user=staffaccount, by=by, reason=reason)


@admin.register(StaffAccount)
class StaffAccountAdmin(admin.ModelAdmin):
    list_display = ("username", "get_full_name", "roles", "is_staff", "two_factor")
    list_filter = ("is_staff", "groups")
    search_fields = ("username", "first_name", "last_name", "email")
    fields = ("username", "first_name", "last_name", "email", "is_staff", "is_superuser", "last_login")
    readonly_fields = fields
    action_form = ReasonActionForm
    actions = [
        service_action(
            service=staff_account_reset,
            description="Reset the two-factor device (lost or replaced; they enrol a new one at next log-in)",
        )
    ]

    def get_queryset(self, request):
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return (
            super().get_queryset(request)
            .filter(Q(is_staff=True) | Q(is_superuser=True) | Q(groups__name__in=STAFF_ROLES))
            .distinct()
            .annotate(has_device=Exists(confirmed))
            .prefetch_related("groups")
        )

    @admin.display(description="roles")
    def roles(self, obj) -> str:
        return ", ".join(group.name for group in obj.groups.all()) or "-"

    @admin.display(description="two-factor", boolean=True, ordering="has_device")
    def two_factor(self, obj) -> bool:
        return obj.has_device

    # Only operations (with the change permission) may look, and nobody adds, edits or deletes here:
    # accounts are managed as users; this page exists for the two-factor status and the reset action.
    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request)  # the action only; pages are read-only

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
