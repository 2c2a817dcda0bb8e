"""A home for each role (issue 14): what is waiting for each person, most urgent first.

- passenger: their bookings, each with its checklist (portal.checklist, built from the manifest gates);
- flight surgeon: the review queue;
- flight director: the sign-off queue, the launch-day polls and the conjunction board's open events;
- operations: today (holds about to lapse, transfers to record, manifests due, flights in countdown,
  open conjunctions, messages that failed to go out).
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from flights import roles
from flights.models import CountdownMilestone, Flight, GoNoGoPoll, Notification
from flights.traffic import selectors as traffic_selectors
from portal.checklist import checklists_for
from portal.navigation import home_url
from tourism import selectors as tourism_selectors
from tourism.models import Booking

HOLD_LAPSING = dt.timedelta(hours=24)  # holds that lapse within this are "about to lapse"
MANIFEST_DUE = dt.timedelta(days=7)  # flights launching within this need their manifest settled
COUNTDOWN_AHEAD = dt.timedelta(hours=48)
FAILED_MESSAGE_AGE = dt.timedelta(minutes=15)  # an unsent message older than this has failed, not queued
HOME_ROWS = 20


def role_home(role: str):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not roles.user_has_role(request.user, role):
                raise PermissionDenied(f"This home is for the {role} role.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _url_or_empty(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _conjunctions() -> dict:
    """The conjunction board's link with its open red and yellow events (one query)."""
    return {"conjunction_board_url": _url_or_empty("traffic:board"), "conjunctions": traffic_selectors.open_event_counts()}


@login_required
def home(request):
    """Where log-in lands: each person's own home."""
    return redirect(home_url(request.user))


@login_required
def passenger_home(request):
    """My trips: each live booking with what still stands between it and the manifest."""
    now = timezone.now()
    bookings = list(
        tourism_selectors.booking_list_for_user(request.user).filter(status__in=Booking.LIVE_STATUSES)
        .order_by("flight__launch_at", "id")
    )
    checklists = checklists_for(bookings, now=now)
    trips = [(booking, checklists[booking.pk]) for booking in bookings]
    context = {
        "trips": trips,
        "past": tourism_selectors.booking_list_for_user(request.user).exclude(status__in=Booking.LIVE_STATUSES)
        .order_by("-flight__launch_at")[:10],
        "waitlist": tourism_selectors.waitlist_list_for_user(request.user),
    }
    return render(request, "portal/passenger_home.html", context)


@role_home(roles.FLIGHT_SURGEON)
def surgeon_home(request):
    from tourism.medical import selectors as medical

    entries = medical.review_queue()
    return render(request, "portal/surgeon_home.html", {"entries": entries[:HOME_ROWS], "total": len(entries)})


@role_home(roles.FLIGHT_DIRECTOR)
def director_home(request):
    from verification import selectors as verification

    now = timezone.now()
    in_review = verification.record_reviews(verification.signoff_queue()[:HOME_ROWS])
    polls = list(
        GoNoGoPoll.objects.filter(status=GoNoGoPoll.Status.OPEN)
        .select_related("flight__spaceport", "flight__itinerary").order_by("launch_at")
    )
    launches = list(
        Flight.objects.filter(status__in=(Flight.Status.SCHEDULED, Flight.Status.READY), launch_at__gte=now,
                              launch_at__lte=now + MANIFEST_DUE)
        .filter(Q(flight_director=request.user) | Q(positions__person=request.user)).distinct()
        .select_related("spaceport", "itinerary").order_by("launch_at")[:HOME_ROWS]
    )
    context = {
        "in_review": in_review,
        "polls": polls,
        "launches": launches,
        **_conjunctions(),
    }
    return render(request, "portal/director_home.html", context)


@role_home(roles.OPERATIONS)
def operations_home(request):
    """Today: each list oldest or most urgent first, each row a link to where the work is done."""
    now = timezone.now()
    booking_rows = Booking.objects.select_related("user__passenger_profile", "flight__spaceport", "flight__itinerary")
    lapsing = list(
        booking_rows.filter(status=Booking.Status.HELD, hold_expires_at__gt=now, hold_expires_at__lte=now + HOLD_LAPSING)
        .order_by("hold_expires_at")[:HOME_ROWS]
    )
    # Bank transfers to record: consent is signed, so the passenger has been told to pay; the money is not in.
    to_record = [
        booking for booking in tourism_selectors.booking_annotate_paid(
            booking_rows.filter(status__in=(Booking.Status.HELD, Booking.Status.RESERVED), consent__isnull=False)
        ).order_by("flight__launch_at", "id")[:200]
        if booking.amount_paid < (booking.deposit if booking.status == Booking.Status.HELD else booking.price)
    ][:HOME_ROWS]
    manifests_due = list(
        Flight.objects.filter(purpose=Flight.Purpose.COMMERCIAL, launch_at__gte=now, launch_at__lte=now + MANIFEST_DUE,
                              status__in=(Flight.Status.SCHEDULED, Flight.Status.READY))
        .select_related("spaceport", "itinerary").order_by("launch_at")[:HOME_ROWS]
    )
    due_ids = [flight.pk for flight in manifests_due]
    counts: dict[int, dict[str, int]] = {pk: {} for pk in due_ids}
    for flight_id, status in Booking.objects.filter(
        flight_id__in=due_ids, status__in=(Booking.Status.RESERVED, Booking.Status.MANIFESTED)
    ).values_list("flight_id", "status"):
        counts[flight_id][status] = counts[flight_id].get(status, 0) + 1
    countdown = list(
        CountdownMilestone.objects.filter(status__in=(CountdownMilestone.Status.PENDING, CountdownMilestone.Status.RUNNING),
                                          due_at__lte=now + COUNTDOWN_AHEAD)
        .select_related("flight__spaceport").order_by("due_at")[:HOME_ROWS]
    )
    failed = Notification.objects.filter(sent_at__isnull=True, created_at__lte=now - FAILED_MESSAGE_AGE)
    context = {
        "lapsing": lapsing,
        "to_record": to_record,
        "manifests_due": [(flight, counts[flight.pk]) for flight in manifests_due],
        "countdown": countdown,
        "failed_count": failed.count(),
        "failed": list(failed.order_by("created_at")[:5]),
        "notifications_url": _url_or_empty("admin:flights_notification_changelist"),
        "now": now,
        **_conjunctions(),
    }
    return render(request, "portal/operations_home.html", context)
