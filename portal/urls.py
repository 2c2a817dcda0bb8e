from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("home/", views.home, name="home"),
    path("home/trips/", views.passenger_home, name="passenger-home"),
    path("home/reviews/", views.surgeon_home, name="surgeon-home"),
    path("home/director/", views.director_home, name="director-home"),
    path("home/today/", views.operations_home, name="operations-home"),
]
