"""The Traffic position's on-orbit check (discovered by flights through autodiscover_modules("readiness")).

For a flight in orbit, before the TCA of each open conjunction event (ISS flight rules, CARA practice):

- red: NO-GO until the flight director records a debris avoidance manoeuvre or shelter in place; a
  decision to keep monitoring does not clear red;
- yellow: WAIVABLE; the director's recorded decision (any kind) is the waiver, shown as GO with who
  and why;
- a decision signed for another tier (an update changed it since) no longer counts;
- after the TCA the event no longer holds a milestone; nor does one whose TCA falls after the planned
  landing (the vehicle is on the ground by then: holding its deorbit burn for it would keep the crew up),
  which is named as GO so nobody wonders where it went. No planned landing known: every event counts.

It judges the RETURN phase: the return milestones (undocking, deorbit burn, landing; flights.returns) run
it, and so does the poll board of a flight in flight. Fail closed: a flight in orbit with no protected
object registered (no catalog number for its vehicle) cannot be assessed: NO-GO. Our own on-orbit
screening (flights.traffic.screening) must be current: NO-GO when its latest run failed (an empty or stale catalog: the reason is the run's), when
one of the flight's protected objects could not be screened in it, or when no run finished in the
last TRAFFIC_SCREENING_MAX_AGE_HOURS (unless the flight or object is newer than that: the next
run covers it). Flights not in orbit get nothing from this check (the launch
collision-avoidance screening owns the Traffic position before liftoff).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from flights.models import Flight, Position, Regime, Verdict
from flights.readiness import RETURN, check, go, no_go, waivable
from flights.readiness.framework import Finding
from flights.traffic import selectors, services, tiers

KEY = "traffic.conjunctions"


def _in_orbit(flight: Flight) -> bool:
    regime = flight.itinerary.regime if flight.itinerary_id else flight.vehicle.model.regime
    return flight.status == Flight.Status.LAUNCHED and regime == Regime.ORBITAL


@check("traffic", phases=(RETURN,))
def on_orbit_conjunctions(flight: Flight, *, now):
    if not _in_orbit(flight):
        return []
    protected = list(selectors.protected_objects_for_flight(flight))
    if not protected:
        return [no_go(f"{KEY}.unregistered", Position.TRAFFIC,
                      f"{flight.code} is in orbit but no catalog number is registered for its vehicle: its "
                      "conjunctions cannot be assessed.")]
    findings = [no_go(f"{KEY}.screening" + (f"-{index}" if index else ""), Position.TRAFFIC, problem)
                for index, problem in enumerate(screening_problems(flight, protected, now=now))]
    for event in selectors.open_events_for_flight(flight):
        if event.tca <= now or event.tier == tiers.GREEN:
            continue
        key = f"{KEY}.event-{event.pk}"
        decision = services.current_decision(event, list(event.decisions.all()))
        summary = (
            f"{event.tier.upper()} conjunction {event.protected.name} x {event.other_name or event.other_designator}, "
            f"TCA {event.tca.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC, "
            f"Pc {'none (no covariance)' if event.pc is None else f'{event.pc:.1e}'}, miss {event.miss_distance_m:.0f} m"
        )
        if flight.landing_planned_at and event.tca > flight.landing_planned_at:
            findings.append(go(key, Position.TRAFFIC, f"{summary}: after the planned landing at "
                                                      f"{flight.landing_planned_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC, "
                                                      "so it holds no return step."))
        elif event.tier == tiers.RED:
            if decision is not None and decision.clears_red:
                findings.append(go(key, Position.TRAFFIC, f"{summary}: {decision.get_kind_display().lower()} decided "
                                                          f"by {decision.signer_name} ({decision.reason})."))
            else:
                why = "only a monitor decision is recorded" if decision else "no decision is recorded"
                findings.append(no_go(key, Position.TRAFFIC, f"{summary}: {why}; a red event needs a debris "
                                                             "avoidance manoeuvre or shelter in place."))
        elif decision is not None:
            findings.append(Finding(key=key, position=Position.TRAFFIC, verdict=Verdict.GO, message=summary,
                                    waived_by=decision.signer_name,
                                    waiver_reason=f"{decision.get_kind_display()}: {decision.reason}"))
        else:
            findings.append(waivable(key, Position.TRAFFIC, f"{summary}: the flight director's decision is needed."))
    if not findings:  # a NO-GO from the screening counts as a finding: "no event" is then not claimed
        findings.append(go(KEY, Position.TRAFFIC, "No open yellow or red conjunction before the next milestone."))
    return findings


def screening_problems(flight: Flight, protected, *, now) -> list[str]:
    """Why our own on-orbit screening does not vouch for this flight's objects at `now` (empty: it does)."""
    max_age = dt.timedelta(hours=settings.TRAFFIC_SCREENING_MAX_AGE_HOURS)
    latest = selectors.latest_finished_screening(now=now)
    if latest is not None and latest.status == latest.Status.FAILED:
        return [f"The last on-orbit screening ({latest.finished_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC) failed: "
                f"{latest.error} Conjunctions from our own screening are unknown until a run succeeds."]
    if latest is None or latest.finished_at < now - max_age:
        if flight.launched_at and flight.launched_at >= now - max_age:
            return []  # just launched: the next run (every few hours) covers it
        last = "none on record" if latest is None else f"last {latest.finished_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
        return [f"No on-orbit screening finished in the last {settings.TRAFFIC_SCREENING_MAX_AGE_HOURS:g} h ({last}): "
                "check that the Celery beat and workers run, or run `manage.py screen_orbits`."]
    problems = []
    for item in protected:
        entry = latest.result_for(item.designator)
        if entry is None:
            if item.created_at < now - max_age:
                problems.append(f"{item.name} was not screened on orbit in the last run "
                                f"({latest.finished_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC).")
        elif entry["status"] != "screened":
            problems.append(f"{item.name} could not be screened on orbit: {entry['reason']}")
    return problems
