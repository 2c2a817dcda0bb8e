"""Reset a staff account's lost two-factor device: `manage.py reset_two_factor dana --by ops --reason "phone lost"`."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import services
from flights.exceptions import DomainError


class Command(BaseCommand):
    help = (
        "Remove a staff account's two-factor devices and API token (lost or replaced phone); its next log-in "
        "sets up a new device. Recorded in the account's admin history with who and why."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="the account whose device is lost")
        parser.add_argument("--by", required=True, help="username of the operations staff member doing the reset")
        parser.add_argument("--reason", required=True, help="why (recorded)")

    def handle(self, *args, username, by, reason, **options):
        User = get_user_model()
        try:
            user, operator = User.objects.get(username=username), User.objects.get(username=by)
        except User.DoesNotExist as exc:
            raise CommandError(f"No such user: {exc}") from None
        try:
            removed = services.two_factor_reset(user=user, by=operator, reason=reason)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"Reset two-factor login of {user.get_username()}: {removed} device(s) removed, API token revoked. "
            "They set up a new device at their next log-in."
        )
