from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project's own infrastructure tables (today the throttle's counts, config/throttling.py)."""

    name = "config"
    label = "config"
    verbose_name = "Project infrastructure"
    default_auto_field = "django.db.models.BigAutoField"
