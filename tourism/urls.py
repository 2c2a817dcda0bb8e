from django.urls import path

from tourism import views

app_name = "tourism"

urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/verify-email/", views.verify_email, name="verify-email"),
    path("accounts/verify-email/<str:token>/", views.verify_email_confirm, name="verify-email-confirm"),
    path("accounts/email/", views.email_change, name="email-change"),
    path("itineraries/", views.itinerary_list, name="itinerary-list"),
    path("itineraries/<slug:slug>/", views.itinerary_detail, name="itinerary-detail"),
    path("catalog/flights/<int:pk>/", views.flight_detail, name="flight-detail"),
    path("catalog/flights/<int:pk>/hold/", views.flight_hold, name="flight-hold"),
    path("catalog/flights/<int:pk>/waitlist/", views.flight_waitlist_join, name="flight-waitlist"),
    path("bookings/", views.booking_list, name="booking-list"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking-detail"),
    path("bookings/<int:pk>/consent/", views.booking_consent, name="booking-consent"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking-cancel"),
    path("bookings/<int:pk>/transfer/", views.booking_transfer, name="booking-transfer"),
    path("waitlist/<int:pk>/leave/", views.waitlist_leave, name="waitlist-leave"),
    # Launch day, for operations, flight directors and flight surgeons (flights links it by this name).
    path("flights/<int:pk>/manifest/", views.flight_manifest, name="flight-manifest"),
]
