from django.urls import path

from tourism.medical import views

app_name = "medical"

urlpatterns = [
    path("", views.my_medical, name="home"),
    path("questionnaire/start/", views.questionnaire_start, name="questionnaire-start"),
    path("questionnaire/submit/", views.questionnaire_review, name="questionnaire-review"),
    path("questionnaire/<slug:section>/", views.questionnaire_step, name="questionnaire-step"),
    path("clearances/<int:pk>/", views.clearance_detail, name="clearance-detail"),
    path("clearances/<int:pk>/documents/", views.document_upload, name="document-upload"),
    path("documents/<int:pk>/", views.document_download, name="document-download"),
    path("eligibility/<int:flight_id>/", views.eligibility, name="eligibility"),
    path("review/", views.review_queue, name="review-queue"),
    path("review/<int:pk>/", views.review_detail, name="review-detail"),
    path("review/<int:pk>/start/", views.start_review, name="review-start"),
    path("review/<int:pk>/decide/", views.decide, name="review-decide"),
    path("review/<int:pk>/request-information/", views.request_information, name="review-request-information"),
    path("review/<int:pk>/examinations/", views.record_examination, name="review-examination"),
    path("review/<int:pk>/notes/", views.add_note, name="review-note"),
]
