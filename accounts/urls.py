from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/two-factor/", views.two_factor, name="two-factor"),
    path("accounts/two-factor/setup/", views.two_factor_setup, name="two-factor-setup"),
]
