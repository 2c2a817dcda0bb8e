from django.urls import path

from verification import views

app_name = "verification"

urlpatterns = [
    path("verification/", views.queue, name="queue"),
    path("verification/records/<int:pk>/", views.record_detail, name="record-detail"),
    path("verification/records/<int:pk>/sign/", views.sign_off, name="sign-off"),
    path("verification/records/<int:pk>/submit/", views.record_submit, name="record-submit"),
    path("verification/records/<int:pk>/reopen/", views.record_reopen, name="record-reopen"),
    path("verification/attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("verification/vehicles/", views.vehicle_list, name="vehicle-list"),
    path("verification/vehicles/<int:pk>/", views.vehicle_certification, name="vehicle-certification"),
]
