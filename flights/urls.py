from django.urls import path

from flights import views

app_name = "flights"

urlpatterns = [
    path("flights/<int:pk>/", views.flight_detail, name="flight-detail"),
    path("vehicles/<int:pk>/", views.vehicle_detail, name="vehicle-detail"),
]
