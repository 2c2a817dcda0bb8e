from rest_framework.routers import DefaultRouter

from flights.api import views

router = DefaultRouter()
router.register("spaceports", views.SpaceportViewSet)
router.register("vehicle-models", views.VehicleModelViewSet)
router.register("vehicles", views.VehicleViewSet)
router.register("itineraries", views.ItineraryViewSet)

urlpatterns = router.urls
