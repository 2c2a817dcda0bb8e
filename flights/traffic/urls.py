from django.urls import path

from flights.traffic import views

app_name = "traffic"

urlpatterns = [
    path("conjunctions/", views.board, name="board"),
    path("conjunctions/upload/", views.cdm_upload, name="cdm-upload"),
    path("conjunctions/<int:pk>/", views.event_detail, name="event-detail"),
    path("conjunctions/<int:pk>/decide/", views.decision_sign, name="decision-sign"),
    path("conjunctions/<int:pk>/close/", views.event_close, name="event-close"),
]
