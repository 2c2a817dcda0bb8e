from rest_framework.routers import DefaultRouter

from verification.api import views

router = DefaultRouter()
router.register("verification/records", views.RecordViewSet, basename="verification-record")
router.register("verification/objectives", views.ObjectiveViewSet, basename="verification-objective")
router.register("verification/anomalies", views.AnomalyViewSet, basename="verification-anomaly")
router.register("verification/attachments", views.AttachmentViewSet, basename="verification-attachment")
router.register("verification/signoffs", views.SignOffViewSet, basename="verification-signoff")
router.register("verification/certifications", views.CertificationViewSet, basename="vehicle-certification")

urlpatterns = router.urls
