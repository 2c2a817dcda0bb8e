from django.urls import path

from tourism import views

app_name = "tourism"

urlpatterns = [
    path("itineraries/", views.itinerary_list, name="itinerary-list"),
    path("itineraries/<slug:slug>/", views.itinerary_detail, name="itinerary-detail"),
]
