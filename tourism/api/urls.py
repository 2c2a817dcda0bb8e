from django.urls import path
from rest_framework.routers import SimpleRouter

from tourism.api import views

router = SimpleRouter()
router.register("flights", views.FlightViewSet, basename="flight")
router.register("bookings", views.BookingViewSet, basename="booking")
router.register("waitlist", views.WaitlistViewSet, basename="waitlist")

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="auth-register"),
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    path("auth/verify-email/", views.VerifyEmailView.as_view(), name="auth-verify-email"),
    path("auth/verify-email/resend/", views.ResendVerificationView.as_view(), name="auth-verify-email-resend"),
    path("me/", views.MeView.as_view(), name="me"),
    path("me/email/", views.EmailChangeView.as_view(), name="me-email"),
    *router.urls,
]
