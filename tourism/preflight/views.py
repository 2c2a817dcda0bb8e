"""Portal pages for passengers: their pre-flight records (training per module, waiver, screening) for
each live booking, and the page that signs the waiver of claims. Operations enter training sign-offs and
screening results in admin. Another passenger's booking is 404, as if it did not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from flights.exceptions import DomainError
from tourism.forms import add_domain_error
from tourism.models import Booking, PassengerProfile
from tourism.preflight import selectors, services
from tourism.preflight.forms import WaiverForm
from tourism.preflight.models import TrainingRecord
from tourism.preflight.waiver import waiver_text_build


@login_required
def home(request):
    """The signed-in passenger's live bookings with their pre-flight status, and their training record."""
    bookings = list(selectors.live_bookings_of(request.user))
    statuses = selectors.preflight_for_bookings(bookings)
    records = TrainingRecord.objects.filter(passenger=request.user).select_related("module", "instructor", "booking__flight")
    context = {
        "items": [statuses[b.pk] for b in bookings],
        "records": records.order_by("-completed_on", "-id"),
    }
    return render(request, "preflight/home.html", context)


@login_required
def waiver(request, pk: int):
    """Read the waiver of claims for this booking's flight and sign it with your typed legal name."""
    booking: Booking = get_object_or_404(selectors.live_bookings_of(request.user), pk=pk)
    profile = PassengerProfile.objects.filter(user=request.user).first()
    if profile is None:
        messages.error(request, "Fill in your passenger profile first: the waiver names you by your legal name.")
        return redirect("tourism:profile")
    text = waiver_text_build(flight=booking.flight, legal_name=profile.legal_name)
    form = WaiverForm(request.POST or None, initial={"text_sha256": text.sha256})
    if request.method == "POST" and form.is_valid():
        try:
            services.waiver_sign(
                booking=booking, user=request.user, typed_name=form.cleaned_data["legal_name"],
                text_sha256=form.cleaned_data["text_sha256"], ip_address=request.META.get("REMOTE_ADDR"),
            )
        except DomainError as exc:
            if exc.code == "waiver_text_changed":
                messages.error(request, exc.message)
                return redirect("preflight:waiver", booking.pk)
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Waiver of claims signed for flight {booking.flight.code}.")
            return redirect(booking)
    context = {
        "booking": booking,
        "flight": booking.flight,
        "text": text,
        "status": selectors.waiver_status(request.user, booking.flight),
        "form": form,
    }
    return render(request, "preflight/waiver.html", context)
