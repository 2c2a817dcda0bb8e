from django.urls import path

from flights import views, views_poll

app_name = "flights"

urlpatterns = [
    path("flights/<int:pk>/", views.flight_detail, name="flight-detail"),
    path("flights/<int:pk>/windows/", views.flight_windows_panel, name="flight-windows"),
    path("flights/<int:pk>/windows/compute/", views.flight_windows_compute, name="flight-windows-compute"),
    path("flights/<int:pk>/reschedule/", views.flight_reschedule, name="flight-reschedule"),
    path("vehicles/<int:pk>/", views.vehicle_detail, name="vehicle-detail"),
    path("flights/<int:pk>/poll/", views_poll.poll_board_page, name="poll-board"),
    path("flights/<int:pk>/poll/board/", views_poll.poll_board_partial, name="poll-board-partial"),
    path("flights/<int:pk>/poll/open/", views_poll.poll_open_view, name="poll-open"),
    path("flights/<int:pk>/poll/<int:poll_id>/vote/", views_poll.poll_vote_view, name="poll-vote"),
    path("flights/<int:pk>/poll/<int:poll_id>/declare/", views_poll.poll_declare_view, name="poll-declare"),
    path("flights/<int:pk>/poll/<int:poll_id>/scrub/", views_poll.poll_scrub_view, name="poll-scrub"),
    path("flights/<int:pk>/waivers/", views_poll.waiver_view, name="waiver-grant"),
]
