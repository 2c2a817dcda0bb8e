"""The verification app's readiness check (discovered by flights through autodiscover_modules("readiness")).

A commercial flight needs a vehicle certified for passengers; an uncrewed verification flight may fly at
any stage of the campaign, but not on a grounded vehicle without a return-to-flight permit; a crewed
verification flight needs the uncrewed phase complete (14 CFR 460.17).
"""

from __future__ import annotations

from flights.models import Flight, Position, Vehicle
from flights.readiness import check, go, no_go
from verification import selectors
from verification.guards import return_to_flight_permit

Purpose = Flight.Purpose
KEY = "verification.certification"


def vehicle_certification(flight: Flight, *, now):
    vehicle = flight.vehicle
    certification = selectors.vehicle_certification_get(vehicle)
    shortfall = "; ".join(certification.shortfall)
    if flight.purpose == Purpose.UNCREWED_VERIFICATION:
        if vehicle.status == Vehicle.Status.GROUNDED and not return_to_flight_permit(flight):
            return [no_go(KEY, Position.VERIFICATION,
                          f"Vehicle {vehicle} is grounded and this uncrewed flight is no permitted return-to-flight "
                          f"flight: every corrective action of its mishaps must be closed first ({vehicle.status_reason}).")]
        return [go(KEY, Position.VERIFICATION,
                   f"Uncrewed verification flight on {vehicle} ({certification.state_label.lower()}).")]
    if flight.purpose == Purpose.CREWED_VERIFICATION:
        if not certification.uncrewed_phase_complete:
            return [no_go(KEY, Position.VERIFICATION,
                          f"Vehicle {vehicle} has not completed its uncrewed phase: {shortfall}.")]
        return [go(KEY, Position.VERIFICATION,
                   f"Vehicle {vehicle} has completed its uncrewed phase: a crewed verification flight may fly.")]
    if not certification.certified_for_passengers:
        return [no_go(KEY, Position.VERIFICATION,
                      f"Vehicle {vehicle} is not certified for passengers "
                      f"({certification.state_label.lower()}: {shortfall}).")]
    return [go(KEY, Position.VERIFICATION, f"Vehicle {vehicle} is certified for passengers.")]


# Not a decorator: mutmut (`make mutate`) leaves decorated functions unmutated, and this is a launch-chain guard.
check("verification")(vehicle_certification)
