from django.apps import AppConfig


class FlightsConfig(AppConfig):
    name = "flights"
    verbose_name = "Flights and fleet"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from flights import roles

        post_migrate.connect(roles.sync_role_permissions, dispatch_uid="flights.sync_role_permissions")
