from django.apps import AppConfig


class TourismConfig(AppConfig):
    name = "tourism"
    verbose_name = "Passengers and bookings"
    default_auto_field = "django.db.models.BigAutoField"
