"""Every portal URL pattern, filled in from the demo data, and the demo's people by role.

Shared by the CSP test and the permission matrix: walks the URL resolver, so a new page is covered
without editing a list. A pattern whose arguments this file does not know gets the first row's id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from flights import demo
from flights.catalog import catalog_import_text
from tests.shared_data import STATIONS, stations_text

SKIPPED_PREFIXES = ("admin/", "api/")
DEMO_PEOPLE = {"passenger": "passenger", "other_passenger": "mira", "surgeon": "surgeon", "director": "director",
               "operations": "ops"}


def load_demo(django_capture_on_commit_callbacks) -> dict:
    catalog_import_text(text=stations_text(), source=str(STATIONS))
    with django_capture_on_commit_callbacks(execute=True):
        return demo.load()["users"] | {"mira": _user("mira")}


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


@dataclass(frozen=True)
class Page:
    name: str  # namespace:name
    route: str  # with <converter:kwarg> placeholders


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route, ns)
        elif isinstance(entry, URLPattern):
            yield Page(name=f"{namespace}{entry.name or ''}", route=route)


def portal_pages() -> list[Page]:
    return [page for page in _walk(get_resolver().url_patterns) if not page.route.startswith(SKIPPED_PREFIXES)]


def demo_arguments() -> dict[str, object]:
    """What each URL argument means in the demo data (the passenger's own rows where it matters)."""
    from flights.models import Flight, Itinerary, Vehicle
    from tourism.medical import questionnaire
    from tourism.medical.models import MedicalClearance, MedicalDocument
    from tourism.models import Booking, WaitlistEntry
    from verification.models import Attachment, VerificationFlight

    flight = Flight.objects.get(code="NS-41")
    clearance = MedicalClearance.objects.filter(passenger__username="passenger").first() or MedicalClearance.objects.first()
    return {
        "flight": flight.pk,
        "vehicle": Vehicle.objects.order_by("pk").first().pk,
        "itinerary": Itinerary.objects.order_by("pk").first().slug,
        "booking": Booking.objects.filter(user__username="passenger").order_by("pk").first().pk,
        "waitlist": WaitlistEntry.objects.filter(user__username="passenger").order_by("pk").first().pk,
        "section": questionnaire.SECTION_ORDER[0],
        "clearance": clearance.pk if clearance else 1,
        "document": getattr(MedicalDocument.objects.order_by("pk").first(), "pk", 1),
        "record": VerificationFlight.objects.order_by("pk").first().pk,
        "attachment": getattr(Attachment.objects.order_by("pk").first(), "pk", 1),
        "poll": getattr(flight.polls.order_by("pk").first(), "pk", 1) if hasattr(flight, "polls") else 1,
    }


# Which demo row a route's <pk> stands for, by the words in front of it.
_PK_BY_ROUTE = [
    ("catalog/flights/", "flight"), ("flights/", "flight"), ("verification/vehicles/", "vehicle"),
    ("vehicles/", "vehicle"), ("bookings/", "booking"), ("waitlist/", "waitlist"), ("clearances/", "clearance"),
    ("review/", "clearance"), ("documents/", "document"), ("verification/records/", "record"),
    ("verification/attachments/", "attachment"),
]
_PLACEHOLDER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<kwarg>\w+)>")


def fill(page: Page, arguments: dict) -> str:
    def value(match):
        kwarg = match["kwarg"]
        if kwarg == "pk":
            before = page.route[: match.start()]
            for marker, key in _PK_BY_ROUTE:
                if before.endswith(marker):
                    return str(arguments[key])
            return "1"
        known = {"flight_id": "flight", "poll_id": "poll", "section": "section", "slug": "itinerary"}
        if kwarg in known:
            return str(arguments[known[kwarg]])
        return "1" if match["converter"] in (None, "int") else "x"

    path = _PLACEHOLDER.sub(value, page.route).replace("^", "").replace("$", "")
    return "/" + path
