from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from accounts.forms import OutboxPasswordResetForm
from config.docs import RedocDocsView, SwaggerDocsView
from flights import views as flight_views

admin.site.site_header = "Flight Operations"
admin.site.site_title = "Flight Operations admin"

api_v1 = [
    path("", include("flights.api.urls")),
    path("", include("flights.api.readiness")),
    path("", include("tourism.api.urls")),
    path("medical/", include("tourism.medical.api.urls")),
    path("preflight/", include("tourism.preflight.api.urls")),
    path("", include("verification.api.urls")),
    path("conjunctions/", include("flights.traffic.api.urls")),
]

urlpatterns = [
    path("", flight_views.home, name="home"),
    path("", include("portal.urls")),
    path("", include("flights.urls")),
    path("", include("tourism.urls")),
    path("medical/", include("tourism.medical.urls")),
    path("preflight/", include("tourism.preflight.urls")),
    path("", include("verification.urls")),
    path("", include("flights.traffic.urls")),
    path("", include("accounts.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", auth_views.PasswordResetView.as_view(
        email_template_name="registration/password_reset_email.txt", form_class=OutboxPasswordResetForm),
         name="password_reset"),
    path("accounts/password-reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerDocsView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", RedocDocsView.as_view(url_name="schema"), name="redoc"),
]

# Django's own errors: the API's error body under /api/, HTML pages elsewhere (config/errors.py).
handler400 = "config.errors.handler400"
handler403 = "config.errors.handler403"
handler404 = "config.errors.handler404"
handler500 = "config.errors.handler500"
