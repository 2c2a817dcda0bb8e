from django.apps import AppConfig


class TrafficConfig(AppConfig):
    """Space traffic: on-orbit conjunction events (CDMs, our own screening), Pc, tiers, decisions."""

    name = "flights.traffic"
    label = "traffic"
    verbose_name = "Space traffic"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from flights import demo as flights_demo
        from flights.traffic import demo

        if demo.load not in flights_demo.flight_loaders:
            flights_demo.flight_loaders.append(demo.load)
