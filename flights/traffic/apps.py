from django.apps import AppConfig


class TrafficConfig(AppConfig):
    """Space traffic: on-orbit conjunction events (CDMs, our own screening), Pc, tiers, decisions."""

    name = "flights.traffic"
    label = "traffic"
    verbose_name = "Space traffic"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from flights import demo as flights_demo
        from flights.signals import flight_status_changed
        from flights.traffic import demo, screening
        from flights.traffic.models import ProtectedObject

        # A new object in orbit is screened at once, not at the next interval (flights.traffic.screening).
        flight_status_changed.connect(screening.on_flight_status_changed, dispatch_uid="traffic.screening.liftoff")
        post_save.connect(screening.on_protected_object_saved, sender=ProtectedObject, dispatch_uid="traffic.screening.new")

        if demo.load not in flights_demo.flight_loaders:
            flights_demo.flight_loaders.append(demo.load)
