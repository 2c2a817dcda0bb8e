from django.urls import path

from flights import views

app_name = "flights"

urlpatterns = [
    path("flights/<int:pk>/", views.flight_detail, name="flight-detail"),
    path("flights/<int:pk>/windows/", views.flight_windows_panel, name="flight-windows"),
    path("flights/<int:pk>/windows/compute/", views.flight_windows_compute, name="flight-windows-compute"),
    path("vehicles/<int:pk>/", views.vehicle_detail, name="vehicle-detail"),
]
