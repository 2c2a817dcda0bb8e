"""Demo verification history: the commercial vehicles certified by evidence, Lihong-1 Y1 still uncrewed.

Registered in flights.demo.extra_loaders, which run before the demo's commercial flights are scheduled
(the schedule guard refuses them on an uncertified vehicle). The verification flights themselves are
history, flown before this system took over launch control, so their flights are entered as completed;
everything after that (records, objectives, anomalies, mishap, sign-offs, return to service) goes
through the services, so every signature is sealed with the deployment's SIGNOFF_KEYS key and nobody signs
what they entered. Keyed on the flight code: a second `load_demo` adds nothing.

The New Shepard story follows DOMAIN.md: an uncrewed flight ends in a booster mishap (NS-23), the
vehicle is grounded, corrective actions are closed, an uncrewed return-to-flight flight is signed off
(NS-24), and only then does it return to service and fly crew.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from flights import roles
from flights import services as flight_services
from flights.models import Flight, FlightStatusChange
from verification import services
from verification.models import VerificationFlight

UNCREWED, CREWED = VerificationFlight.Kind.UNCREWED, VerificationFlight.Kind.CREWED
DUMMY = ("Mannequin Skywalker", "Instrumented test dummy (anthropomorphic test device)", True)


def ascent(measured: str) -> tuple:
    return ("Ascent within the design envelope", "Peak ascent load at most the model's limit", measured, "pass")


def landing(measured: str) -> tuple:
    return ("Capsule lands under parachutes within 1 km of target", "Landing distance at most 1,000 m", measured, "pass")


@dataclass(frozen=True)
class DemoMishap:
    description: str
    corrective_actions: tuple[str, ...]
    closed_after_days: int


@dataclass(frozen=True)
class DemoRecord:
    code: str
    serial: str
    kind: str
    days_ago: int
    minutes: int
    apogee_km: str
    peak_g: tuple[str, str]
    landing_distance_m: str
    summary: str
    objectives: tuple  # (description, success criterion, measured result, result[, flight rationale])
    occupants: tuple = (DUMMY,)
    anomalies: tuple = ()
    signers: tuple[str, ...] = ("director",)
    decision: str = "approve"
    comment: str = ""
    submitted_only: bool = False
    attachment: tuple[str, str] | None = None
    mishap: DemoMishap | None = None
    returns_to_service: bool = False


RECORDS = [
    DemoRecord(
        "NS-RSS1-V1", "NS-RSS1", UNCREWED, 420, 4, "11.40", ("3.1", "7.9"), "1900", (
            "Uncrewed flight with science payloads. The booster failed at max-Q; the escape system pulled the "
            "capsule clear and it landed safely."
        ),
        objectives=(
            ("Capsule escape system separates cleanly on a booster failure", "Escape motor fires within 0.5 s",
             "Escape motor fired 0.2 s after the abort command", "pass"),
            ("Booster reaches apogee and lands on the pad", "Booster apogee above 100 km and powered landing",
             "Booster lost at 11.4 km after an engine nozzle failure", "fail"),
        ),
        anomalies=(dict(
            title="Engine nozzle structural failure at max-Q", severity="catastrophic",
            description="Thrust misalignment from a failed nozzle triggered the automatic abort.",
            root_cause="Nozzle ran hotter than designed; thermo-structural fatigue.",
            corrective_actions="Nozzle redesigned with more cooling; operating temperature limit lowered.",
            disposition="closed",
        ),),
        signers=("director",), decision="reject", comment="Booster objective failed; mishap declared.",
        mishap=DemoMishap(
            "Booster engine nozzle failed at max-Q; the capsule escaped and landed safely.",
            ("Redesign the engine nozzle and qualify it by test",
             "Lower the engine operating temperature limit and update flight rules"),
            closed_after_days=120,
        ),
    ),
    DemoRecord(
        "C206-DEMO1", "C206", UNCREWED, 360, 9 * 24 * 60, "420.00", ("3.6", "4.3"), "850", (
            "Uncrewed demonstration: autonomous rendezvous and docking, six days docked, splashdown."
        ),
        objectives=(
            ("Autonomous docking to the station", "Soft capture without manual takeover", "Docked at 10:51 UTC",
             "pass"),
            ("Environmental control keeps the cabin habitable", "Cabin pressure and CO2 inside crew limits",
             "All readings inside limits throughout", "pass"),
            ascent("Peak ascent load 3.6 g"),
        ),
        anomalies=(dict(
            title="Draco thruster valve leak during post-flight test", severity="critical",
            description="An oxidiser check valve leaked during a ground test of the abort system.",
            root_cause="Oxidiser reacting with titanium at high pressure.",
            corrective_actions="Check valves replaced with burst disks in the abort propellant lines.",
            disposition="closed",
        ),),
        signers=("director", "director2"),
        attachment=("Telemetry summary, Demo-1 docking", "demo1-docking-telemetry.csv"),
    ),
    DemoRecord(
        "VSS-UNITY-V1", "VSS-UNITY", UNCREWED, 300, 75, "86.10", ("3.2", "6.0"), "0", (
            "Remotely monitored powered flight with instrumented dummies; feather re-entry and runway landing."
        ),
        objectives=(
            ("Feather system locks and unlocks on schedule", "Unlock at Mach 1.4 or later", "Unlocked at Mach 1.5",
             "pass"),
            ("Glide home to the runway", "Wheels down on the runway centreline", "Landed on centreline", "pass"),
        ),
        signers=("director2",),
    ),
    DemoRecord(
        "C206-DEMO2", "C206", CREWED, 280, 63 * 24 * 60, "420.00", ("3.5", "4.4"), "1200", (
            "Crewed demonstration: two test pilots, two months docked, splashdown in the Gulf."
        ),
        occupants=(("Robin Hurst", "Spacecraft commander", False), ("Dana Behnken", "Joint operations commander", False)),
        objectives=(
            ("Manual flight control demonstration", "Crew flies the vehicle manually within 10 m of the plan",
             "Within 3 m", "pass"),
            ("Crew health through entry", "Peak entry load at most 4.5 g", "Peak entry load 4.4 g", "pass"),
        ),
        signers=("director", "director2"),
    ),
    DemoRecord(
        "NS-RSS1-V2", "NS-RSS1", UNCREWED, 250, 10, "107.00", ("3.0", "5.4"), "310", (
            "Uncrewed return-to-flight mission with the redesigned nozzle."
        ),
        objectives=(
            ("Redesigned nozzle holds through max-Q", "Nozzle temperature below the new limit",
             "Peak 80 K below the limit", "pass"),
            landing("Landed 310 m from target"),
        ),
        signers=("director",), returns_to_service=True,
        attachment=("Telemetry summary, return to flight", "ns-rss1-v2-telemetry.csv"),
    ),
    DemoRecord(
        "VSS-UNITY-V2", "VSS-UNITY", CREWED, 200, 80, "87.20", ("3.0", "5.9"), "0", (
            "First crewed verification flight: two pilots and two mission specialists."
        ),
        occupants=(("Mike Sturckow", "Pilot", False), ("Kelly Mackay", "Pilot", False),
                   ("Beth Moses", "Chief astronaut instructor", False), ("Colin Bennett", "Lead engineer", False)),
        objectives=(
            ("Cabin experience for mission specialists", "Specialists unstrap and restrap within the coast phase",
             "Done with 40 s to spare", "pass"),
            ("Airspace: stay inside the range's corridor", "No excursion from the approved corridor",
             "Stayed inside", "pass"),
        ),
        anomalies=(dict(
            title="Cabin display flicker during boost", severity="minor",
            description="One cabin display flickered for 2 s during boost.",
            root_cause="Connector vibration.", corrective_actions="Connector retention clips added.",
            disposition="closed",
        ),),
        signers=("director", "director2"),
    ),
    DemoRecord(
        "NS-RSS1-V3", "NS-RSS1", UNCREWED, 180, 10, "106.80", ("2.9", "5.5"), "220", (
            "Uncrewed flight rehearsing crew procedures with stand-ins on the pad only."
        ),
        objectives=(ascent("Peak ascent load 2.9 g"), landing("Landed 220 m from target")),
        anomalies=(dict(
            title="One main parachute opened 0.8 s late", severity="minor",
            description="Main parachute 2 of 3 reached full inflation 0.8 s after the others.",
            flight_rationale="The capsule lands safely on two of three parachutes; margins unchanged.",
            disposition="accepted",
        ),),
        signers=("director",),
    ),
    DemoRecord(
        "VSS-UNITY-V3", "VSS-UNITY", CREWED, 150, 78, "87.50", ("3.1", "6.0"), "0", (
            "Second crewed verification flight with the full cabin configuration."
        ),
        occupants=(("Mike Sturckow", "Pilot", False), ("Nicola Pecile", "Pilot", False),
                   ("Beth Moses", "Chief astronaut instructor", False)),
        objectives=(
            ("Full cabin environmental control", "Cabin temperature 18-27 °C throughout", "19-24 °C", "pass"),
            ("Entry loads for passengers", "Peak entry load at most 6 g", "Peak entry load 6.0 g", "partial",
             "At the limit, not over it; the flight rules add a margin on entry angle."),
        ),
        signers=("director2", "director"),
    ),
    DemoRecord(
        "NS-RSS1-V4", "NS-RSS1", CREWED, 120, 10, "107.00", ("3.0", "5.5"), "150", (
            "Crewed verification flight: four test crew in the passenger seats."
        ),
        occupants=(("Jeff Ashby", "Test crew, seat 1", False), ("Sarah Knights", "Test crew, seat 2", False),
                   ("Gary Lai", "Test crew, seat 3", False), ("Audrey Powers", "Test crew, seat 4", False)),
        objectives=(
            ("Crew egress after landing", "All four out within 2 minutes", "Out in 1 min 25 s", "pass"),
            landing("Landed 150 m from target"),
        ),
        signers=("director", "director2"),
    ),
    DemoRecord(
        "LH1-Y1-V1", "LH1-Y1", UNCREWED, 60, 12, "120.00", ("4.0", "5.0"), "640", (
            "First uncrewed flight of the tourism capsule from Jiuquan."
        ),
        objectives=(ascent("Peak ascent load 4.0 g"), landing("Landed 640 m from target")),
        signers=("director",),
    ),
    DemoRecord(
        "LH1-Y1-V2", "LH1-Y1", UNCREWED, 10, 12, "119.50", ("3.9", "5.1"), "980", (
            "Second uncrewed flight: more than five minutes of microgravity."
        ),
        objectives=(
            ("Microgravity time", "More than 300 s below 0.01 g", "312 s", "pass"),
            landing("Landed 980 m from target"),
        ),
        anomalies=(dict(
            title="Cabin camera lost frames on entry", severity="minor",
            description="The cabin camera dropped 4% of frames during entry.",
        ),),
        submitted_only=True,  # waiting in the flight directors' queue
    ),
]


def load(*, now: dt.datetime, users: dict, vehicles: dict, **context) -> None:
    users["director2"] = _second_director()
    for spec in sorted(RECORDS, key=lambda spec: -spec.days_ago):
        if not Flight.objects.filter(code=spec.code).exists():
            _load_record(spec, now=now, users=users, vehicle=vehicles[spec.serial])


def _second_director():
    """Crewed flights need two directors' signatures, so the demo has two."""
    user, created = get_user_model().objects.get_or_create(
        username="director2",
        defaults=dict(first_name="Kai", last_name="Director", email="director2@demo.spaceline.test", is_staff=True),
    )
    if created:
        user.set_password(settings.DEMO_PASSWORD)
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=roles.FLIGHT_DIRECTOR))
    return user


def _historical_flight(spec: DemoRecord, *, vehicle, launched: dt.datetime, landed: dt.datetime, users) -> Flight:
    purpose = Flight.Purpose.CREWED_VERIFICATION if spec.kind == CREWED else Flight.Purpose.UNCREWED_VERIFICATION
    reason = "Verification flight flown before this system took over launch control"
    flight = Flight.objects.create(
        code=spec.code, vehicle=vehicle, spaceport=vehicle.home_spaceport, purpose=purpose, launch_at=launched,
        status=Flight.Status.COMPLETED, status_reason=reason, status_changed_at=landed, launched_at=launched,
        landed_at=landed, flight_director=users["director"],
    )
    FlightStatusChange.objects.create(
        flight=flight, from_status=Flight.Status.DRAFT, to_status=Flight.Status.COMPLETED, reason=reason,
        changed_by=users["ops"], changed_at=landed, launch_at=launched,
    )
    return flight


def _load_record(spec: DemoRecord, *, now: dt.datetime, users: dict, vehicle) -> None:
    ops = users["ops"]
    launched = (now - dt.timedelta(days=spec.days_ago)).replace(hour=15, minute=0, second=0, microsecond=0)
    landed = launched + dt.timedelta(minutes=spec.minutes)
    day = dt.timedelta(days=1)
    flight = _historical_flight(spec, vehicle=vehicle, launched=launched, landed=landed, users=users)
    record = services.verification_record_create(
        flight=flight, by=ops, summary=spec.summary, now=landed, launched_at=launched, landed_at=landed,
        apogee_km=Decimal(spec.apogee_km), peak_g_ascent=Decimal(spec.peak_g[0]), peak_g_entry=Decimal(spec.peak_g[1]),
        landing_distance_m=Decimal(spec.landing_distance_m),
    )
    for name, role, dummy in spec.occupants:
        services.occupant_add(record=record, by=ops, name=name, role=role, is_test_dummy=dummy)
    for description, criterion, measured, result, *rationale in spec.objectives:
        services.objective_add(
            record=record, by=ops, description=description, success_criterion=criterion, measured_result=measured,
            result=result, flight_rationale=rationale[0] if rationale else "",
        )
    # Separation of duties: whoever enters content never signs it. Operations enter the records; on the one
    # waiting in the queue, director2 logged the anomaly, so only `director` may sign it (the portal says why).
    anomaly_author = users["director2"] if spec.submitted_only else ops
    for anomaly in spec.anomalies:
        services.anomaly_add(record=record, by=anomaly_author, **anomaly)
    if spec.attachment:
        title, filename = spec.attachment
        csv = f"t_s,altitude_km,accel_g\n0,0.0,1.0\n60,38.2,{spec.peak_g[0]}\n240,{spec.apogee_km},0.0\n".encode()
        services.attachment_add(record=record, by=ops, title=title, now=landed + day,
                                file=SimpleUploadedFile(filename, csv, content_type="text/csv"))
    services.verification_mark_flown(record=record, by=ops, now=landed + day)
    services.verification_submit_for_review(record=record, by=ops, now=landed + 2 * day)
    if spec.mishap:
        _load_mishap(spec.mishap, flight=flight, by=ops, landed=landed)
    if spec.submitted_only:
        return
    for offset, username in enumerate(spec.signers):
        services.verification_sign_off(
            record=record, signer=users[username], password=settings.DEMO_PASSWORD, decision=spec.decision,
            meaning=services.default_meaning(record, spec.decision), comment=spec.comment,
            now=landed + (3 + offset) * day,
        )
    if spec.returns_to_service:
        flight_services.vehicle_return_to_service(
            vehicle=vehicle, reason=f"Return-to-flight verification flight {spec.code} signed off", by=ops,
            now=landed + 6 * day,
        )


def _load_mishap(mishap: DemoMishap, *, flight: Flight, by, landed: dt.datetime) -> None:
    declared = services.mishap_declare(flight=flight, by=by, description=mishap.description, now=landed)
    for offset, description in enumerate(mishap.corrective_actions):
        action = services.corrective_action_add(mishap=declared, by=by, description=description,
                                                now=landed + dt.timedelta(days=7 + offset))
        services.corrective_action_close(
            corrective_action=action, by=by, reason="Verified by test and accepted by the investigation board.",
            now=landed + dt.timedelta(days=mishap.closed_after_days + offset),
        )
