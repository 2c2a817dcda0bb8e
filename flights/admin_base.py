"""Admin building blocks shared by the three apps: no hard deletes, and actions that call services."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from simple_history.admin import SimpleHistoryAdmin

from flights.exceptions import DomainError


class ReasonActionForm(ActionForm):
    """Admin action bar with a reason field, for actions that must record why."""

    reason = forms.CharField(required=False, label="Reason", widget=forms.TextInput(attrs={"size": 40}))


class RecordAdmin(SimpleHistoryAdmin):
    """Records are never hard-deleted (14 CFR 450.219): no delete page and no bulk delete."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


def service_action(*, service: Callable, description: str, needs_reason: bool = True, permission: str = "change"):
    """Build an admin action that calls `service(<model name>=obj, by=user[, reason=...])` per object.

    A refusal is reported for that object with the service's message; nothing is half-done because
    each call is its own transaction.
    """

    def action(modeladmin, request, queryset):
        reason = request.POST.get("reason", "").strip()
        if needs_reason and not reason:
            modeladmin.message_user(request, f"{description}: give a reason in the Reason box.", messages.ERROR)
            return
        argument = queryset.model._meta.model_name
        done = 0
        for obj in queryset:
            kwargs = {argument: obj, "by": request.user}
            if needs_reason:
                kwargs["reason"] = reason
            try:
                service(**kwargs)
                done += 1
            except DomainError as exc:
                modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
        if done:
            modeladmin.message_user(request, f"{description}: {done} done.", messages.SUCCESS)

    action.short_description = description
    action.allowed_permissions = (permission,)
    action.__name__ = f"action_{service.__name__}"
    return action


class ReadOnlyInline(admin.TabularInline):
    """An inline that shows history or derived rows: nothing added, edited or removed here."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields or ()

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by services (imports, computations, reports): viewed, never edited."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
