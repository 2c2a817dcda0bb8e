from rest_framework.routers import DefaultRouter

from tourism.preflight.api import views

app_name = "preflight-api"

router = DefaultRouter()
router.include_root_view = False
router.register("training-modules", views.TrainingModuleViewSet, basename="training-module")
router.register("training-records", views.TrainingRecordViewSet, basename="training-record")
router.register("waivers", views.WaiverViewSet, basename="waiver")
router.register("screenings", views.ScreeningViewSet, basename="screening")
router.register("bookings", views.BookingPreflightViewSet, basename="booking")

urlpatterns = router.urls
