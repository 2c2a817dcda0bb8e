from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    """Staff two-factor login (TOTP, django-otp): enrolment, the code step, the admin and API checks."""

    default = True
    name = "accounts"
    verbose_name = "Accounts"
    default_auto_field = "django.db.models.BigAutoField"


class TwoFactorAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with a default site that wants a two-factor session (every app's
    `admin.site.register` lands on it unchanged)."""

    default = False
    default_site = "accounts.admin_site.TwoFactorAdminSite"
