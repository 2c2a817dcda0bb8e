"""Portal pages for passengers: the catalog of itineraries and their bookable flights."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render

from flights import selectors
from flights.models import Itinerary


def itinerary_list(request):
    return render(request, "tourism/itinerary_list.html", {"itineraries": Itinerary.objects.filter(is_published=True)})


def itinerary_detail(request, slug: str):
    itinerary = get_object_or_404(Itinerary, slug=slug, is_published=True)
    flights = selectors.flight_list_upcoming().filter(itinerary=itinerary)
    return render(request, "tourism/itinerary_detail.html", {"itinerary": itinerary, "flights": flights})
