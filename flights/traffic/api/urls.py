from django.urls import path
from rest_framework.routers import SimpleRouter

from flights.traffic.api import views

router = SimpleRouter()
router.register("events", views.EventViewSet, basename="traffic-event")

urlpatterns = [path("cdms/", views.CdmImportView.as_view(), name="traffic-cdm-import"), *router.urls]
