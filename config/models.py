"""Infrastructure tables that belong to no app: the API throttle's counts (config/throttling.py)."""

from django.db import models


class ThrottleCount(models.Model):
    """One row per throttle key (scope and client): the request counts of its current and previous fixed
    windows. Written only by `config.throttling` in one upsert; rows older than two windows mean nothing and
    are swept. UNLOGGED on PostgreSQL (migration 0001): a crash empties it, which for a throttle is a fresh window."""

    key = models.CharField(max_length=255, primary_key=True)
    window_start = models.BigIntegerField(help_text="Start of the current window, ms since the epoch.")
    previous_count = models.BigIntegerField(help_text="Requests allowed in the window before window_start.")
    current_count = models.BigIntegerField(help_text="Requests allowed since window_start.")
    allowed = models.BooleanField(help_text="Whether the last request was allowed.")
    expires = models.BigIntegerField(help_text="window_start plus two windows (ms): after it the row counts nothing.")

    class Meta:
        db_table = "flightops_throttle"

    def __str__(self) -> str:
        return self.key
