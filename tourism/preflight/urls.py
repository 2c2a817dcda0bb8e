from django.urls import path

from tourism.preflight import views

app_name = "preflight"

urlpatterns = [
    path("", views.home, name="home"),
    path("bookings/<int:pk>/waiver/", views.waiver, name="waiver"),
]
