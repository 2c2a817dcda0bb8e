from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The portal's shell (issue 14): navigation by role, a home per role, the passenger checklist.

    It sits on top of every other app (it reads their selectors), and no app imports it."""

    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from flights import demo as flights_demo
        from portal import demo

        if demo.load not in flights_demo.flight_loaders:
            flights_demo.flight_loaders.append(demo.load)
