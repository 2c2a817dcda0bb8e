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
screening (flights.traffic.screening) must be current and cover each protected object: NO-GO when its
latest run failed (an empty or stale catalog: the reason is the run's), when no run finished in the last
TRAFFIC_SCREENING_MAX_AGE_HOURS (a flight just launched included: liftoff queues a run, and until it is
done the flight is not screened), when one of the flight's protected objects has no entry in the latest
run (registered after it began: registering queues a run) or could not be screened in it.

What the latest run could not clear is WAIVABLE, one finding per protected object and kind, naming the
objects; the flight director's waiver (with the reason) is the human decision. Its key carries a digest of
the catalog numbers named, so a waiver holds while the set is the same and a new object asks again:

- uncertain: approaches found only inside the volume grown for stale elements (flights.orbits.conjunction.
  screening: growth x element age beyond the policy's limit), not known to miss;
- unpropagatable: catalog objects SGP4 could not propagate whose band reaches the protected object's (the
  only ones the screen propagates); re-entered ones (SGP4 error 6) close nothing and stay listed on the run;
- attached: catalog objects that stayed within 10 km all span and so were not screened, other than the
  flight's own protected objects and those excluded as docked: a module or visiting vehicle, or debris shed
  or a satellite deployed from the station; someone has to say which.

Flights not in orbit get nothing from this check (the launch collision-avoidance screening owns the
Traffic position before liftoff).
"""

from __future__ import annotations

import datetime as dt
import hashlib

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
    latest = selectors.latest_finished_screening(now=now)
    findings = [no_go(f"{KEY}.screening" + (f"-{index}" if index else ""), Position.TRAFFIC, problem)
                for index, problem in enumerate(screening_problems(flight, protected, now=now, latest=latest))]
    if latest is not None and latest.status == latest.Status.DONE:
        findings += [waivable(key, Position.TRAFFIC, message) for key, message in screening_doubts(protected, latest)]
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


def _entry(run, item) -> dict | None:
    """The protected object's entry in the run (an older entry for the same designator, of another registration,
    is not it)."""
    entry = run.result_for(item.designator)
    return entry if entry is not None and entry.get("protected_id", item.pk) == item.pk else None


def _pending() -> str:
    run = selectors.latest_screening()
    if run is not None and run.is_active:
        return f"Run {run.pk} is {run.get_status_display().lower()} ({run.progress_percent}%): wait for it to finish."
    return "No run is queued: check that the Celery beat and workers run, or run `manage.py screen_orbits`."


def _utc(moment) -> str:
    return "unknown" if moment is None else f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


def screening_problems(flight: Flight, protected, *, now, latest=...) -> list[str]:
    """Why our own on-orbit screening does not vouch for this flight's objects at `now` (empty: it does)."""
    max_age = dt.timedelta(hours=settings.TRAFFIC_SCREENING_MAX_AGE_HOURS)
    if latest is ...:
        latest = selectors.latest_finished_screening(now=now)
    if latest is not None and latest.status == latest.Status.FAILED:
        return [f"The last on-orbit screening ({_utc(latest.finished_at)}) failed: "
                f"{latest.error} Conjunctions from our own screening are unknown until a run succeeds."]
    if latest is None or latest.finished_at < now - max_age:
        last = "none on record" if latest is None else f"last {_utc(latest.finished_at)}"
        return [f"No on-orbit screening finished in the last {settings.TRAFFIC_SCREENING_MAX_AGE_HOURS:g} h ({last}), "
                f"so {flight.code} (launched {_utc(flight.launched_at)}) is not screened on orbit. {_pending()}"]
    problems = []
    for item in protected:
        entry = _entry(latest, item)
        if entry is None:
            problems.append(f"{item.name} is not yet screened on orbit (registered {_utc(item.created_at)}, "
                            f"{flight.code} launched {_utc(flight.launched_at)}): the last run "
                            f"({_utc(latest.finished_at)}) does not include it. {_pending()}")
        elif entry["status"] != "screened":
            problems.append(f"{item.name} could not be screened on orbit: {entry['reason']}")
    return problems


def _named(objects: list[dict], describe, *, most: int = 8) -> str:
    text = "; ".join(f"{o['name']} ({o['norad_id']}{describe(o)})" for o in objects[:most])
    return text + (f"; and {len(objects) - most} more (the run's results list them)" if len(objects) > most else "")


def _key(kind: str, item, objects: list[dict]) -> str:
    ids = ",".join(str(n) for n in sorted({o["norad_id"] for o in objects}))
    return f"{KEY}.{kind}-{item.pk}-{hashlib.sha256(ids.encode()).hexdigest()[:12]}"


def screening_doubts(protected, run) -> list[tuple[str, str]]:
    """(key, message) of each WAIVABLE doubt the run leaves about the flight's protected objects (module docstring)."""
    ours = {int(o.designator) for o in protected if o.designator.isdigit()}
    doubts = []
    for item in protected:
        entry = _entry(run, item)
        if entry is None or entry["status"] != "screened":
            continue  # a NO-GO already (screening_problems)
        closest: dict[int, dict] = {}
        for approach in entry.get("uncertain", []):
            known = closest.get(approach["norad_id"])
            if known is None or approach["miss_km"] < known["miss_km"]:
                closest[approach["norad_id"]] = approach
        uncertain = sorted(closest.values(), key=lambda a: a["miss_km"])
        if uncertain:
            doubts.append((_key("uncertain", item, uncertain), (
                f"{item.name}: {len(uncertain)} catalog objects come inside the screening volume grown for stale "
                "elements and are not known to miss (closest approach, element ages at it, allowance): "
                + _named(uncertain, lambda a: f", {a['miss_km']:.1f} km at {a['tca'][:16]} UTC, elements "
                                              f"{a['element_age_days']:.1f} d old, ours {a['protected_element_age_days']:.1f} d, "
                                              f"allowance {a['allowance_km']:.0f} km")
                + ". Fresher elements (or a CDM) settle them; otherwise the flight director decides.")))
        broken = [o for o in entry.get("failed_objects", []) if not o.get("decayed", o["error_code"] == 6)]
        if broken:
            doubts.append((_key("unpropagatable", item, broken), (
                f"{item.name}: SGP4 cannot propagate {len(broken)} catalog objects whose orbit band reaches its own, "
                "so they are not screened and not cleared: "
                + _named(broken, lambda o: f", SGP4 error {o['error_code']}") + ".")))
        excluded = {o["norad_id"] for o in entry.get("excluded", [])}
        attached = [o for o in entry.get("attached", []) if o["norad_id"] not in ours | excluded]
        if attached:
            doubts.append((_key("attached", item, attached), (
                f"{item.name}: {len(attached)} catalog objects stayed within 10 km of it all span and were not "
                "screened as conjunctions: " + _named(attached, lambda o: f", at most {o['max_distance_km']:.1f} km")
                + ". Confirm each is docked (a module or visiting vehicle), not debris shed or a satellite deployed.")))
    return doubts
