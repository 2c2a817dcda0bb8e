"""Accounts keeps no data of its own: devices are django-otp's TOTPDevice rows. StaffAccount is a proxy of
the user model, so operations have an admin page for staff two-factor status and device resets (with its
own permissions, and the reset log under each account's history)."""

from __future__ import annotations

from django.contrib.auth.models import User


class StaffAccount(User):
    """A staff account as operations see it for two-factor login: who, which roles, whether a device is set up."""

    class Meta:
        proxy = True
        ordering = ["username"]
        verbose_name = "staff account (two-factor login)"
        verbose_name_plural = "staff accounts (two-factor login)"

    def __str__(self) -> str:
        return self.get_username()
