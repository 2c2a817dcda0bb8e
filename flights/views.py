"""Portal pages of the flights app: the home page with upcoming flights, a flight, a vehicle's record."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render

from flights import selectors
from flights.models import Flight


def home(request):
    flights = selectors.flight_list_upcoming()[:50]
    return render(request, "flights/home.html", {"flights": flights})


def flight_detail(request, pk: int):
    flight = get_object_or_404(
        Flight.objects.select_related("itinerary", "vehicle__model", "spaceport", "flight_director"), pk=pk
    )
    return render(
        request,
        "flights/flight_detail.html",
        {"flight": flight, "status_changes": flight.status_changes.select_related("changed_by")},
    )


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
