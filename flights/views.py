"""Portal pages of the flights app: the home page with upcoming flights, a flight, a vehicle's record."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from config import fragments
from flights import rescheduling, roles, selectors
from flights.exceptions import DomainError
from flights.forms import RescheduleForm
from flights.launch_windows import flight_window_status, launch_windows_request
from flights.models import CountdownMilestone, Flight, LaunchWindow
from flights.orbits.daylight import daylight_windows
from flights.orbits.errors import OrbitError
from flights.profile import flight_profile
from flights.registry import flight_page_panels
from flights.timeline import launch_timeline_svg


def home(request):
    flights = selectors.flight_list_upcoming()[:50]
    return render(request, "flights/home.html", {"flights": flights})


def _can_run_windows(user) -> bool:
    return roles.user_has_any_role(user, (roles.OPERATIONS, roles.FLIGHT_DIRECTOR))


def _windows_context(flight: Flight) -> dict:
    computation = flight.window_computations.first()
    windows = list(
        LaunchWindow.objects.filter(flight=flight).prefetch_related("closures").order_by("opens_at")
    )
    context = {"computation": computation, "windows": windows, "timeline": None, "window_status": None}
    if computation and windows:
        daylight = []
        try:
            days = max(1, round((computation.search_end - computation.search_start).total_seconds() / 86400))
            daylight = [
                (w.open, w.close)
                for w in daylight_windows(
                    lat_deg=flight.spaceport.latitude_deg, lon_deg=flight.spaceport.longitude_deg,
                    start=computation.search_start.date(), days=days, tz=flight.spaceport.timezone,
                    operating_hours=None,
                )
            ]
        except OrbitError:
            daylight = []
        context["timeline"] = launch_timeline_svg(
            start=computation.search_start, end=computation.search_end, windows=windows, daylight=daylight,
            launch_at=flight.launch_at, tz_name=flight.spaceport.timezone,
        )
        context["window_status"] = flight_window_status(flight)
    return context


READINESS_HISTORY = 20  # the most recent readiness reports on the flight page


def sees_flight_operations(user, flight: Flight) -> bool:
    """Windows, readiness, countdown and history are for operations, flight directors, flight surgeons and
    whoever holds a position on this flight; passengers and visitors see the public part only."""
    if not user.is_authenticated:
        return False
    return (
        roles.user_has_any_role(user, (roles.OPERATIONS, roles.FLIGHT_DIRECTOR, roles.FLIGHT_SURGEON))
        or flight.flight_director_id == user.pk
        or flight.positions.filter(person=user).exists()
    )


def flight_detail(request, pk: int):
    """The one page of a flight (issue 14): the public part for everyone (profile, vehicle, times, seats and
    the way to book, from `flight_page_panels`), the operations sections only for staff."""
    flight, public = fragments.cached("flight-page", (pk,), lambda: _flight_public(pk))  # a 404 is not kept
    staff = sees_flight_operations(request.user, flight)
    context = {
        "flight": flight,
        "public": public,
        "public_panels": flight_page_panels.render(request, flight),
        "show_operations": staff,
    }
    if staff:
        on_launch_team = _can_run_windows(request.user) or flight.positions.filter(person=request.user).exists()
        milestones = list(flight.milestones.all())
        context.update({
            "status_changes": flight.status_changes.select_related("changed_by"),
            "can_run_windows": _can_run_windows(request.user),
            "on_launch_team": on_launch_team,
            "readiness_reports": flight.readiness_reports.all()[:READINESS_HISTORY],
            # The launch-day manifest page is the tourism app's (by URL name: flights imports no other app).
            "can_read_manifest": flight.purpose == Flight.Purpose.COMMERCIAL
            and roles.may_read_launch_manifest(request.user, flight),
            "milestones": [m for m in milestones if m.phase == CountdownMilestone.Phase.LAUNCH],
            "return_milestones": [m for m in milestones if m.phase == CountdownMilestone.Phase.RETURN],
            "reschedulable_statuses": rescheduling.RESCHEDULABLE,
            **_windows_context(flight),
        })
    return render(request, "flights/flight_detail.html", context)


def _flight_public(pk: int) -> tuple[Flight, str]:
    """The flight as every visitor sees it, with what the page's panels load with it, and its profile,
    vehicle card and times drawn: kept between changes (config/fragments.py)."""
    flights = Flight.objects.select_related("itinerary", "vehicle__model", "spaceport", "flight_director")
    flight = get_object_or_404(flight_page_panels.annotate(flights), pk=pk)
    context = {"flight": flight, "profile": flight_profile(flight), "model": flight.vehicle.model}
    return flight, render_to_string("flights/_flight_public.html", context)


def flight_windows_panel(request, pk: int):
    """The launch-window panel alone: polled by htmx while a computation runs."""
    flight = get_object_or_404(Flight.objects.select_related("itinerary", "vehicle__model", "spaceport"), pk=pk)
    context = {"flight": flight, "can_run_windows": _can_run_windows(request.user), **_windows_context(flight)}
    return render(request, "flights/_windows_panel.html", context)


@require_POST
def flight_windows_compute(request, pk: int):
    if not _can_run_windows(request.user):
        raise PermissionDenied("Only operations staff and flight directors compute launch windows.")
    flight = get_object_or_404(Flight, pk=pk)
    try:
        launch_windows_request(flight=flight, by=request.user)
        messages.success(request, f"Computing launch windows for {flight}: progress shows below.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(flight.get_absolute_url() + "#launch-windows")


def flight_reschedule(request, pk: int):
    """Operations (and flight directors) give a scrubbed, scheduled or ready flight a new launch time, entered
    in the spaceport's local time; the service moves the countdown and re-checks and tells the passengers."""
    if not _can_run_windows(request.user):
        raise PermissionDenied("Only operations staff and flight directors reschedule a flight.")
    flight = get_object_or_404(Flight.objects.select_related("spaceport", "vehicle__model", "itinerary"), pk=pk)
    form = RescheduleForm(request.POST or None, spaceport=flight.spaceport)
    if request.method == "POST" and form.is_valid():
        try:
            flight = rescheduling.flight_reschedule(
                flight=flight, launch_at=form.cleaned_data["launch_at"], reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except DomainError as exc:
            for field, errors in exc.fields.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            form.add_error(None, exc.message)
        else:
            messages.success(request, (
                f"Flight {flight.code} rescheduled to {rescheduling.spaceport_time_text(flight.launch_at, flight)}; "
                "countdown moved, every passenger checked again and told."
            ))
            return redirect(flight.get_absolute_url())
    windows = LaunchWindow.objects.filter(flight=flight).prefetch_related("closures").order_by("opens_at")
    status = 400 if request.method == "POST" else 200
    return render(request, "flights/flight_reschedule.html", {
        "flight": flight, "form": form, "windows": windows,
        "current_time": rescheduling.spaceport_time_text(flight.launch_at, flight),
        "reschedulable": flight.status in rescheduling.RESCHEDULABLE,
    }, status=status)


def vehicle_detail(request, pk: int):
    vehicle = get_object_or_404(selectors.vehicle_list_with_record(), pk=pk)
    flights = vehicle.flights.select_related("itinerary", "spaceport").order_by("-launch_at")[:50]
    return render(
        request,
        "flights/vehicle_detail.html",
        {
            "vehicle": vehicle,
            "flights": flights,
            "flights_flown": selectors.vehicle_flights_flown(vehicle),
            "status_changes": vehicle.status_changes.all(),
        },
    )
