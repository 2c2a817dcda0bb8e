from django.apps import AppConfig


class TourismConfig(AppConfig):
    name = "tourism"
    verbose_name = "Passengers and bookings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from config import fragments
        from flights import demo as flights_demo
        from flights.registry import flight_page_panels
        from tourism import demo, disclosure, gates, receivers
        from tourism.models import Booking, WaitlistEntry
        from tourism.views import flight_booking_panel

        flight_page_panels.register(flight_booking_panel)
        disclosure.register_sections()
        gates.register_gates()
        receivers.connect()
        fragments.watch(Booking, WaitlistEntry)  # seats in the catalog, the flights lists and the flight page
        from tourism.medical.registry import passenger_flights

        passenger_flights.register(receivers.passengers_upcoming_flights)
        if demo.load_reference_data not in flights_demo.extra_loaders:
            flights_demo.extra_loaders.append(demo.load_reference_data)
        if demo.load_bookings not in flights_demo.flight_loaders:
            flights_demo.flight_loaders.append(demo.load_bookings)
