"""Pre-flight records built the way people build them: through the services.

`preflight_complete(booking)` gives a booking everything the three pre-flight gates ask for (training,
waiver of claims, security screening), for integration and e2e tests that manifest a booking through
every gate.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from flights import roles
from tourism.preflight import selectors, services
from tourism.preflight.models import SecurityScreening, TrainingModule


class TrainingModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingModule

    name = factory.Sequence(lambda n: f"Module {n}")
    description = "Drills and briefings."
    hours = Decimal("4")
    position = factory.Sequence(lambda n: n)


def emergency_module(itinerary=None, *, regime="", hours="4", name="Emergency egress", **kwargs) -> TrainingModule:
    """The 14 CFR 460.51 emergency training, for an itinerary or for a regime."""
    return TrainingModuleFactory(itinerary=itinerary, regime=regime, name=name, hours=Decimal(hours),
                                 is_emergency_training=True, **kwargs)


def syllabus(itinerary) -> list[TrainingModule]:
    """Modules that add up to the itinerary's training hours: the emergency module (4 h, or all of them when
    fewer) and one more module with the rest."""
    total = Decimal(itinerary.training_hours)
    emergency = emergency_module(itinerary, hours=min(total, Decimal(4)) or Decimal(1))
    modules = [emergency]
    if total > emergency.hours:
        modules.append(TrainingModuleFactory(itinerary=itinerary, name="Mission rehearsal", hours=total - emergency.hours))
    return modules


def operations_staff(username: str = "preflight-ops"):
    """An operations user on the staff, who records sign-offs and screenings and instructs."""
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults=dict(first_name="Ivy", last_name="Instructor", is_staff=True,
                                         email=f"{username}@example.test"),
    )
    if created:
        user.groups.add(Group.objects.get_or_create(name=roles.OPERATIONS)[0])
    return user


def sign_off(booking, module, *, by, instructor=None, hours=None, completed_on=None, now=None):
    day = completed_on or _training_day(booking, now=now)
    return services.training_sign_off(
        booking=booking, module=module, completed_on=day, hours_attended=module.hours if hours is None else hours,
        instructor=instructor or by, by=by, now=now,
    )


def _training_day(booking, *, now=None) -> dt.date:
    """The day before the flight date, or today when that is earlier: training is done before the flight."""
    return min(timezone.localdate(now or timezone.now()), selectors.flight_date(booking.flight) - dt.timedelta(days=1))


def sign_waiver(booking, **kwargs):
    return services.waiver_sign(
        booking=booking, user=booking.user, typed_name=booking.user.passenger_profile.legal_name, **kwargs
    )


def screen(booking, *, by, result=SecurityScreening.Result.PASSED, note="", now=None):
    return services.screening_record(passenger=booking.user, flight=booking.flight, result=result, by=by, note=note,
                                     now=now)


def train_fully(booking, *, by, now=None) -> None:
    """Sign off every module the booking's itinerary requires (made first when it has none)."""
    itinerary = booking.flight.itinerary
    modules = list(selectors.modules_for_itinerary(itinerary))
    if not any(m.is_emergency_training for m in modules):
        modules = syllabus(itinerary)
    for module in modules:
        sign_off(booking, module, by=by, now=now)


def preflight_complete(booking, *, by=None, now=None):
    """Everything the pre-flight gates ask for: training signed off, the waiver signed, screening passed."""
    by = by or operations_staff()
    train_fully(booking, by=by, now=now)
    sign_waiver(booking, now=now)
    screen(booking, by=by, now=now)
    return booking
