"""Reads of pre-flight records that the gates, the portal and the API share.

`preflight_for_bookings` answers for many bookings in a fixed number of queries (modules, training
records, waivers, screenings: one each), so lists stay flat however many bookings they show. The gates
ask the same functions for one booking.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet

from flights import roles
from flights.models import Flight, Itinerary
from tourism.models import Booking
from tourism.preflight.models import SecurityScreening, TrainingModule, TrainingRecord, WaiverOfClaims
from tourism.preflight.waiver import WAIVER_TEXT_VERSION

# --- Who may see what --------------------------------------------------------------------------------


def is_operations(user) -> bool:
    return roles.user_has_role(user, roles.OPERATIONS)


def sees_everyone(user) -> bool:
    """Operations and flight directors see every passenger's pre-flight records; passengers their own."""
    return roles.user_has_any_role(user, (roles.OPERATIONS, roles.FLIGHT_DIRECTOR))


def _visible(queryset: QuerySet, user) -> QuerySet:
    if not user.is_authenticated:
        return queryset.none()
    return queryset if sees_everyone(user) else queryset.filter(passenger=user)


def training_records_visible_to(user) -> QuerySet[TrainingRecord]:
    records = TrainingRecord.objects.select_related("passenger", "module", "instructor", "recorded_by")
    return _visible(records, user).order_by("-completed_on", "-id")


def waivers_visible_to(user) -> QuerySet[WaiverOfClaims]:
    return _visible(WaiverOfClaims.objects.select_related("passenger", "flight"), user).order_by("-signed_at", "-id")


def screenings_visible_to(user) -> QuerySet[SecurityScreening]:
    screenings = SecurityScreening.objects.select_related("passenger", "flight", "screened_by")
    return _visible(screenings, user).order_by("-screened_at", "-id")


def _live_bookings() -> QuerySet[Booking]:
    return (
        Booking.objects.filter(status__in=Booking.LIVE_STATUSES)
        .select_related("user__passenger_profile", "flight__itinerary", "flight__spaceport", "flight__vehicle__model")
        .order_by("flight__launch_at", "seat_number", "id")
    )


def live_bookings_of(user) -> QuerySet[Booking]:
    """The passenger's own live bookings, soonest flight first."""
    return _live_bookings().filter(user=user) if user.is_authenticated else _live_bookings().none()


def bookings_visible_to(user) -> QuerySet[Booking]:
    """Live bookings whose pre-flight status this user may see: their own, or everyone's for staff roles."""
    if user.is_authenticated and sees_everyone(user):
        return _live_bookings()
    return live_bookings_of(user)


# --- Dates -------------------------------------------------------------------------------------------


def flight_date(flight: Flight) -> dt.date:
    """The flight date as the spaceport sees it: training is completed before it and still current on it."""
    return flight.launch_at.astimezone(flight.spaceport.tzinfo).date()


def format_hours(hours) -> str:
    """3 -> "3", 3.50 -> "3.5": hours as people write them."""
    value = Decimal(hours).quantize(Decimal("0.1"))
    return f"{value:f}".removesuffix(".0")


# --- Training ----------------------------------------------------------------------------------------


def modules_filter(itineraries: Iterable[Itinerary]) -> Q:
    itineraries = list(itineraries)
    return Q(itinerary__in=[i.pk for i in itineraries]) | Q(
        itinerary__isnull=True, regime__in={i.regime for i in itineraries}
    )


def required_modules(itinerary: Itinerary | None, *, regime: str, modules: Iterable[TrainingModule]) -> list[TrainingModule]:
    return [m for m in modules if m.is_active and m.applies_to_itinerary(itinerary, regime)]


def modules_for_itinerary(itinerary: Itinerary) -> QuerySet[TrainingModule]:
    """The active modules an itinerary requires: its own and its regime's."""
    return TrainingModule.objects.filter(modules_filter([itinerary]), is_active=True).select_related("itinerary")


class ModuleState:
    SIGNED_OFF = "signed_off"
    NOT_SIGNED_OFF = "not_signed_off"
    LAPSED = "lapsed"
    TOO_LATE = "too_late"
    CHOICES = [
        (SIGNED_OFF, "Signed off"), (NOT_SIGNED_OFF, "Not signed off"), (LAPSED, "Lapsed"),
        (TOO_LATE, "Completed too late"),
    ]


@dataclass(frozen=True)
class ModuleStatus:
    """One required module for one flight: its state, the sign-off that counts (if any), and why not."""

    module: TrainingModule
    state: str
    record: TrainingRecord | None
    hours_attended: Decimal
    problem: str

    @property
    def signed_off(self) -> bool:
        return self.state == ModuleState.SIGNED_OFF

    @property
    def state_display(self) -> str:
        return dict(ModuleState.CHOICES)[self.state]


@dataclass(frozen=True)
class TrainingStatus:
    """A passenger's training for one flight, module by module, with the hours that count."""

    flight_date: dt.date
    itinerary_name: str
    modules: list[ModuleStatus]
    hours_done: Decimal
    hours_required: int
    problems: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.problems

    @property
    def hours_summary(self) -> str:
        return f"{format_hours(self.hours_done)} of {format_hours(self.hours_required)} training hours done"

    @property
    def message(self) -> str | None:
        return f"Training incomplete: {'; '.join(self.problems)}." if self.problems else None


def _module_status(module: TrainingModule, records: list[TrainingRecord], *, day: dt.date) -> ModuleStatus:
    """`records`: this passenger's sign-offs of `module`, newest first."""
    before = [r for r in records if r.completed_on < day]
    if module.valid_for_days:
        current = [r for r in before if r.completed_on + dt.timedelta(days=module.valid_for_days) >= day]
    else:
        current = before
    if current:
        hours = sum((r.hours_attended for r in current), Decimal(0))
        return ModuleStatus(module, ModuleState.SIGNED_OFF, current[0], hours, "")
    if before:
        lapsed_on = before[0].completed_on + dt.timedelta(days=module.valid_for_days)
        return ModuleStatus(
            module, ModuleState.LAPSED, before[0], Decimal(0),
            f"{module.label} lapsed on {lapsed_on:%Y-%m-%d}, before the flight date {day:%Y-%m-%d} "
            f"(current for {module.valid_for_days} days)",
        )
    if records:
        return ModuleStatus(
            module, ModuleState.TOO_LATE, records[0], Decimal(0),
            f"{module.label} signed off on {records[0].completed_on:%Y-%m-%d}, not before the flight date "
            f"{day:%Y-%m-%d}",
        )
    return ModuleStatus(module, ModuleState.NOT_SIGNED_OFF, None, Decimal(0), f"{module.label} not signed off")


def training_status_from(
    flight: Flight, *, modules: Iterable[TrainingModule], records: Iterable[TrainingRecord]
) -> TrainingStatus:
    """The training status from rows already loaded: `modules` (any superset of the required ones) and
    the passenger's `records` (any superset of theirs for these modules, newest first)."""
    itinerary = flight.itinerary if flight.itinerary_id else None
    regime = itinerary.regime if itinerary else flight.vehicle.model.regime
    day = flight_date(flight)
    required = required_modules(itinerary, regime=regime, modules=modules)
    by_module: dict[int, list[TrainingRecord]] = defaultdict(list)
    for record in records:
        by_module[record.module_id].append(record)
    statuses = [_module_status(module, by_module[module.pk], day=day) for module in required]
    hours_done = sum((s.hours_attended for s in statuses), Decimal(0))
    hours_required = itinerary.training_hours if itinerary else 0
    name = itinerary.name if itinerary else flight.code
    problems = [s.problem for s in statuses if not s.signed_off]
    if not any(m.is_emergency_training for m in required):
        problems.append(f"no 14 CFR 460.51 emergency training module is set up for {name}")
    if hours_done < hours_required:
        problems.append(f"{format_hours(hours_done)} of {format_hours(hours_required)} training hours done")
    return TrainingStatus(day, name, statuses, hours_done, hours_required, problems)


def training_status(passenger, flight: Flight) -> TrainingStatus:
    """`passenger`'s training for `flight`: every required module signed off before the flight date and
    current on it, the 460.51 emergency module among them, and the itinerary's training hours reached."""
    if flight.itinerary_id:
        modules = list(modules_for_itinerary(flight.itinerary))
    else:
        modules = list(TrainingModule.objects.filter(itinerary__isnull=True, regime=flight.vehicle.model.regime))
    records = TrainingRecord.objects.filter(passenger=passenger, module__in=[m.pk for m in modules]).select_related(
        "instructor"
    )
    return training_status_from(flight, modules=modules, records=records.order_by("-completed_on", "-id"))


# --- Waiver of claims and screening ------------------------------------------------------------------


@dataclass(frozen=True)
class WaiverStatus:
    waiver: WaiverOfClaims | None
    problem: str

    @property
    def signed(self) -> bool:
        return not self.problem


def waiver_status_from(flight: Flight, waivers: Iterable[WaiverOfClaims]) -> WaiverStatus:
    """`waivers`: the passenger's signatures for this flight, newest first; the newest supersedes the rest."""
    latest = next(iter(waivers), None)
    if latest is None:
        return WaiverStatus(None, f"Waiver of claims (14 CFR 460.49) not signed for flight {flight.code}.")
    if latest.text_version != WAIVER_TEXT_VERSION:
        return WaiverStatus(
            latest,
            f"Waiver of claims (14 CFR 460.49) for flight {flight.code} was signed on text version "
            f"{latest.text_version}; version {WAIVER_TEXT_VERSION} must be signed.",
        )
    return WaiverStatus(latest, "")


def waiver_status(passenger, flight: Flight) -> WaiverStatus:
    return waiver_status_from(
        flight, WaiverOfClaims.objects.filter(passenger=passenger, flight=flight).order_by("-signed_at", "-id")[:1]
    )


@dataclass(frozen=True)
class ScreeningStatus:
    screening: SecurityScreening | None
    problem: str

    @property
    def passed(self) -> bool:
        return not self.problem


def screening_status_from(flight: Flight, screenings: Iterable[SecurityScreening]) -> ScreeningStatus:
    """`screenings`: the passenger's screenings for this flight, newest first; the newest counts."""
    latest = next(iter(screenings), None)
    if latest is None:
        return ScreeningStatus(None, f"Security screening (14 CFR 460.53) not recorded for flight {flight.code}.")
    if not latest.passed:
        return ScreeningStatus(
            latest,
            f"Security screening (14 CFR 460.53) for flight {flight.code} failed on "
            f"{latest.screened_at:%Y-%m-%d %H:%M} UTC: {latest.note}",
        )
    return ScreeningStatus(latest, "")


def screening_status(passenger, flight: Flight) -> ScreeningStatus:
    return screening_status_from(
        flight,
        SecurityScreening.objects.filter(passenger=passenger, flight=flight)
        .select_related("screened_by")
        .order_by("-screened_at", "-id")[:1],
    )


# --- A booking's whole pre-flight picture ------------------------------------------------------------


@dataclass(frozen=True)
class BookingPreflight:
    booking: Booking
    training: TrainingStatus
    waiver: WaiverStatus
    screening: ScreeningStatus

    @property
    def refusals(self) -> list[str]:
        return [m for m in (self.training.message, self.waiver.problem, self.screening.problem) if m]

    @property
    def complete(self) -> bool:
        return not self.refusals


def preflight_for_bookings(bookings: Iterable[Booking]) -> dict[int, BookingPreflight]:
    """Each booking's training, waiver and screening, in four queries however many bookings there are.
    The bookings come with flight, itinerary, spaceport and vehicle model loaded."""
    bookings = list(bookings)
    if not bookings:
        return {}
    flights = {b.flight_id: b.flight for b in bookings}
    passengers = {b.user_id for b in bookings}
    itineraries = {f.itinerary_id: f.itinerary for f in flights.values() if f.itinerary_id}
    regimes = {f.vehicle.model.regime for f in flights.values()} | {i.regime for i in itineraries.values()}
    modules = list(
        TrainingModule.objects.filter(
            Q(itinerary__in=list(itineraries)) | Q(itinerary__isnull=True, regime__in=regimes), is_active=True
        )
    )
    records_by_passenger: dict[int, list[TrainingRecord]] = defaultdict(list)
    for record in (
        TrainingRecord.objects.filter(passenger__in=passengers, module__in=[m.pk for m in modules])
        .select_related("instructor")
        .order_by("-completed_on", "-id")
    ):
        records_by_passenger[record.passenger_id].append(record)
    waivers: dict[tuple[int, int], list[WaiverOfClaims]] = defaultdict(list)
    for waiver in WaiverOfClaims.objects.filter(passenger__in=passengers, flight__in=list(flights)).defer("text").order_by(
        "-signed_at", "-id"
    ):
        waivers[(waiver.passenger_id, waiver.flight_id)].append(waiver)
    screenings: dict[tuple[int, int], list[SecurityScreening]] = defaultdict(list)
    for screening in (
        SecurityScreening.objects.filter(passenger__in=passengers, flight__in=list(flights))
        .select_related("screened_by")
        .order_by("-screened_at", "-id")
    ):
        screenings[(screening.passenger_id, screening.flight_id)].append(screening)
    result = {}
    for booking in bookings:
        flight, key = booking.flight, (booking.user_id, booking.flight_id)
        result[booking.pk] = BookingPreflight(
            booking=booking,
            training=training_status_from(flight, modules=modules, records=records_by_passenger[booking.user_id]),
            waiver=waiver_status_from(flight, waivers[key]),
            screening=screening_status_from(flight, screenings[key]),
        )
    return result


def preflight_for_booking(booking: Booking) -> BookingPreflight:
    return preflight_for_bookings([booking])[booking.pk]
