from django.apps import AppConfig


class TrafficConfig(AppConfig):
    """Space traffic: on-orbit conjunction events (CDMs, our own screening), Pc, tiers, decisions."""

    name = "flights.traffic"
    label = "traffic"
    verbose_name = "Space traffic"
    default_auto_field = "django.db.models.BigAutoField"
