from django.urls import path
from rest_framework.routers import DefaultRouter

from tourism.medical.api import views

app_name = "medical-api"

router = DefaultRouter()
router.include_root_view = False
router.register("clearances", views.ClearanceViewSet, basename="clearance")
router.register("self-certifications", views.SelfCertificationViewSet, basename="self-certification")

urlpatterns = [
    path("review-queue/", views.ReviewQueueView.as_view(), name="review-queue"),
    path("documents/<int:pk>/content/", views.DocumentContentView.as_view(), name="document-content"),
    path("eligibility/<int:flight_id>/", views.EligibilityView.as_view(), name="eligibility"),
    *router.urls,
]
