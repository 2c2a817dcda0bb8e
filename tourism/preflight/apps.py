from django.apps import AppConfig


class PreflightConfig(AppConfig):
    name = "tourism.preflight"
    label = "preflight"
    verbose_name = "Passenger pre-flight"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from flights import demo, registry
        from tourism.preflight import demo as preflight_demo
        from tourism.preflight import gates

        # flights asks "may this booking be manifested?" without importing us (DESIGN.md).
        for gate in gates.PREFLIGHT_GATES:
            registry.manifest_gates.register(gate)
        # The demo records need the bookings on the demo flights, so they load after them.
        if preflight_demo.load not in demo.flight_loaders:
            demo.flight_loaders.append(preflight_demo.load)
