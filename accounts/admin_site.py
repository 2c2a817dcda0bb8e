"""The admin site, with the code step: its log-in form asks for the two-factor code, and it lets in only
sessions that passed it (django_otp's OTPAdminSite does the same with a device picker we do not need).
Every app registers on it through `admin.site` as before (accounts.apps.TwoFactorAdminConfig)."""

from __future__ import annotations

from django.contrib.admin import AdminSite

from accounts.forms import AdminLoginForm
from accounts.policy import two_factor_satisfied


class TwoFactorAdminSite(AdminSite):
    login_form = AdminLoginForm
    login_template = "accounts/admin_login.html"

    def has_permission(self, request) -> bool:
        return super().has_permission(request) and two_factor_satisfied(request.user)
