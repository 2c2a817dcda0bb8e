"""Acceptance (issue 7): a scrub leaves every passenger either rebooked with valid gates or informed.

Every app's gates are registered here (tourism's, medical's, and any others). Three manifested passengers
on a flight that is scrubbed and recycled to the next window, 21 hours later: one still holds every gate,
one's medical clearance ends before the new date, one's "no change in my health" statement is now more
than 24 hours before the new launch. Each gets exactly one email, however often the news is delivered.
"""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from flights import poll
from flights.exceptions import DomainError
from flights.formats import moment_text
from flights.models import Flight, GoNoGoPoll, LaunchWindow, Notification, WindowComputation
from flights.notifications import notifications_send
from flights.signals import flight_rescheduled
from tests.medical import factories as medical
from tests.preflight.factories import preflight_complete
from tests.tourism.factories import bookable_flight, passenger_with_profile, pay_balance, reserved_booking
from tests.verification.factories import certified_vehicle
from tourism import services
from tourism.medical import services as medical_services
from tourism.models import Booking, BookingStatusChange, ScrubNotice

pytestmark = pytest.mark.django_db

# 09:00 MDT at the spaceport, ten days out, so every service's own clock (booking, consent, payment) is before it.
LAUNCH = (timezone.now() + dt.timedelta(days=10)).replace(hour=15, minute=0, second=0, microsecond=0)
NEW_LAUNCH = LAUNCH + dt.timedelta(hours=21, seconds=1)  # the second window's first second after the margin
REASON = "Upper-level winds above the vehicle's limits"


def window(flight, computation, opens, closes):
    return LaunchWindow.objects.create(
        flight=flight, computation=computation, kind=LaunchWindow.Kind.DAYLIGHT, opens_at=opens, closes_at=closes,
        closures_computed_at=opens - dt.timedelta(hours=2),
    )


def manifested(flight, *, username, surgeon, operations, certified_at, **clearance):
    user = passenger_with_profile(user__username=username, user__first_name=username.capitalize())
    booking = reserved_booking(flight, user=user, by=operations)
    pay_balance(booking, by=operations)
    medical.decided(user, surgeon, **clearance)
    medical_services.self_certification_record(passenger=user, flight=flight, now=certified_at)
    preflight_complete(booking, by=operations)
    return services.booking_manifest(booking=booking, by=operations, now=LAUNCH - dt.timedelta(minutes=90))


@pytest.fixture
def scrub_day(surgeon, operations, director, other_director):
    vehicle = certified_vehicle(ops=operations, directors=[director, other_director])
    flight = bookable_flight(code="NS-95", vehicle=vehicle, launch_at=LAUNCH, flight_director=director)
    computation = WindowComputation.objects.create(
        flight=flight, status="succeeded", search_start=LAUNCH - dt.timedelta(days=1),
        search_end=LAUNCH + dt.timedelta(days=2), flight_launch_at=LAUNCH,
    )
    window(flight, computation, LAUNCH - dt.timedelta(hours=1), LAUNCH + dt.timedelta(minutes=10))
    window(flight, computation, LAUNCH + dt.timedelta(hours=21), LAUNCH + dt.timedelta(hours=23))
    launch_day = LAUNCH.astimezone(flight.spaceport.tzinfo).date()
    people = dict(surgeon=surgeon, operations=operations)
    bookings = {
        # Certified two hours before the old launch: still inside the 24 hours before the new one.
        "hana": manifested(flight, username="hana", certified_at=LAUNCH - dt.timedelta(hours=2), **people),
        # Cleared only until the old launch day: the new launch is the next day.
        "bruno": manifested(flight, username="bruno", certified_at=LAUNCH - dt.timedelta(hours=2),
                            valid_until=launch_day, **people),
        # Certified 20 hours before the old launch: 41 hours before the new one.
        "chloe": manifested(flight, username="chloe", certified_at=LAUNCH - dt.timedelta(hours=20), **people),
    }
    assert {b.status for b in bookings.values()} == {"manifested"}
    return flight, bookings


def emails_to(username):
    return [m for m in mail.outbox if m.to == [f"{username}@example.test"]]


def scrub(flight, director, capture, *, now):
    the_poll = poll.poll_open(flight=flight, by=director, now=now - dt.timedelta(minutes=30))
    with capture(execute=True):
        return poll.poll_scrub(poll=the_poll, by=director, reason=REASON, now=now)


def test_a_scrub_leaves_every_passenger_manifested_with_valid_gates_or_informed(
    scrub_day, director, django_capture_on_commit_callbacks
):
    flight, bookings = scrub_day
    notifications_send()  # the setup's own booking emails leave the outbox first: only the scrub's count
    mail.outbox.clear()
    flight = scrub(flight, director, django_capture_on_commit_callbacks, now=LAUNCH - dt.timedelta(minutes=30))
    assert flight.status == Flight.Status.SCHEDULED and flight.launch_at == NEW_LAUNCH

    for booking in bookings.values():
        booking.refresh_from_db()
    assert bookings["hana"].status == "manifested"
    assert bookings["bruno"].status == "reserved" and bookings["chloe"].status == "reserved"

    notices = {n.booking.user.username: n for n in ScrubNotice.objects.select_related("booking__user")}
    assert set(notices) == {"hana", "bruno", "chloe"}
    assert notices["hana"].outcome == "gates_hold" and not notices["hana"].operator_terms
    assert notices["bruno"].outcome == "unmanifested" and notices["bruno"].operator_terms
    assert "clearance is valid only until" in notices["bruno"].blockers
    assert notices["chloe"].outcome == "unmanifested" and "has not certified" in notices["chloe"].blockers
    assert all(n.notified_at is not None for n in notices.values())  # the outbox sent them after the commit

    # Off the manifest, with the reason in the booking's history; no second, generic status email.
    change = BookingStatusChange.objects.filter(booking=bookings["bruno"]).last()
    assert (change.from_status, change.to_status) == ("manifested", "reserved")
    assert "was scrubbed" in change.reason and "valid only until" in change.reason

    new_time = moment_text(NEW_LAUNCH, flight.spaceport.timezone)
    for username in ("hana", "bruno", "chloe"):
        assert len(emails_to(username)) == 1, username
    hana = emails_to("hana")[0]
    assert "NS-95 has a new launch time" in hana.subject
    assert f"New launch time: {new_time}" in hana.body
    assert "everything still holds: you stay on the manifest, seat 1" in hana.body
    assert "What blocks you" not in hana.body

    launch_day = LAUNCH.astimezone(flight.spaceport.tzinfo).date()
    bruno = emails_to("bruno")[0]
    assert "action needed for booking" in bruno.subject
    assert f"New launch time: {new_time}" in bruno.body
    assert "you are no longer on the manifest; your seat 2 stays reserved" in bruno.body
    assert f"clearance is valid only until {launch_day:%Y-%m-%d}" in bruno.body
    assert "has not certified" not in bruno.body  # exactly what blocks Bruno, nothing else
    assert "1. Fix what blocks you" in bruno.body and "/medical/eligibility/" in bruno.body
    assert "2. Move to another flight" in bruno.body
    assert "the operator's terms apply and we refund everything you have paid: 450,000.00 USD" in bruno.body
    assert f"/bookings/{bookings['bruno'].pk}/cancel/" in bruno.body

    chloe = emails_to("chloe")[0]
    assert "has not certified “no change in my health” in the 24 hours" in chloe.body
    assert "valid only until" not in chloe.body
    assert "450,000.00 USD" in chloe.body

    # The same news delivered again (a retried listener, a second delivery) sends nothing and adds nothing.
    with django_capture_on_commit_callbacks(execute=True):
        flight_rescheduled.send(sender=Flight, flight=flight, old_launch_at=LAUNCH, reason=REASON, by=director,
                                now=LAUNCH - dt.timedelta(minutes=29))
        flight_rescheduled.send(sender=Flight, flight=flight, old_launch_at=LAUNCH, reason=REASON, by=director)
    the_poll = GoNoGoPoll.objects.get(flight=flight)
    with pytest.raises(DomainError, match="Cannot scrub"), django_capture_on_commit_callbacks(execute=True):
        poll.poll_scrub(poll=the_poll, by=director, reason=REASON, now=LAUNCH - dt.timedelta(minutes=20))
    assert ScrubNotice.objects.count() == 3 and Notification.objects.filter(
        dedupe_key__startswith="tourism.scrub_notice."
    ).count() == 3
    assert len(mail.outbox) == 3

    # A second scrub is a new move: one more notice and one more email for each passenger, no more.
    later = NEW_LAUNCH - dt.timedelta(minutes=30)
    flight = scrub(flight, director, django_capture_on_commit_callbacks, now=later)
    assert flight.launch_at > NEW_LAUNCH
    for username in ("hana", "bruno", "chloe"):
        assert len(emails_to(username)) == 2, username
    bookings["hana"].refresh_from_db()
    assert bookings["hana"].status == "manifested"
    second = ScrubNotice.objects.filter(old_launch_at=NEW_LAUNCH)
    assert {n.outcome for n in second} == {"gates_hold", "blocked"}
    # Bruno's and Chloe's blockers were there before this second scrub, but the first one's notices stay open:
    # cancelling is still on the operator's terms.
    quote = services.refund_quote(booking=Booking.objects.get(pk=bookings["bruno"].pk), now=later)
    assert quote.refund == quote.paid > 0 and "scrubbed" in quote.rule


def test_held_and_reserved_passengers_are_told_what_still_blocks_them(
    scrub_day, director, operations, django_capture_on_commit_callbacks
):
    flight, _ = scrub_day
    held = services.booking_hold(flight=flight, user=passenger_with_profile(user__username="otto"),
                                 now=LAUNCH - dt.timedelta(days=1))
    notifications_send()  # the setup's own booking emails leave the outbox first: only the scrub's count
    mail.outbox.clear()
    scrub(flight, director, django_capture_on_commit_callbacks, now=LAUNCH - dt.timedelta(minutes=30))
    notice = ScrubNotice.objects.get(booking=held)
    assert notice.outcome == "blocked" and not notice.operator_terms  # nothing the scrub changed blocks Otto
    held.refresh_from_db()
    assert held.status == "held"
    (email,) = emails_to("otto")
    assert "Your seat 4 is held, not yet on the manifest." in email.body and "Informed consent" in email.body
    assert "nothing has been paid yet, so there is nothing to refund" in email.body
