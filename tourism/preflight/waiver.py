"""The text of the reciprocal waiver of claims with the FAA (14 CFR 460.49; 14 CFR part 440, appendix E).

The text names the passenger and the flight, so each signature keeps exactly what was read, with its
SHA-256. Changing the wording means a new `WAIVER_TEXT_VERSION`: earlier signatures then no longer
satisfy the gate and passengers sign again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

WAIVER_TEXT_VERSION = 1

WAIVER_TEMPLATE = """RECIPROCAL WAIVER OF CLAIMS WITH THE FEDERAL AVIATION ADMINISTRATION
14 CFR 460.49 and 14 CFR part 440 (text version {version})

Space flight participant: {legal_name}
Flight: {flight_code}, {itinerary}, aboard {vehicle} from {spaceport}

1. I, {legal_name}, will take part in the flight named above as a space flight participant. I know that
   human space flight is an inherently dangerous activity, that there are hazards that are not known,
   and that the United States Government has not certified the vehicle as safe for carrying space flight
   participants.
2. For myself, my heirs, executors, administrators and assigns, and anyone who claims through me, I
   waive and release the United States Government and its agencies, the Federal Aviation Administration
   among them, and their contractors and subcontractors involved in this launch and reentry, from every
   claim for death, bodily injury, or loss of or damage to property arising from my participation in
   this flight, except a claim arising from willful misconduct.
3. The waiver is reciprocal: the Federal Aviation Administration, on behalf of the United States
   Government and its agencies, waives in turn its claims against me for loss of or damage to its
   property arising from these activities, to the extent 14 CFR part 440 provides.
4. I have read this waiver in full, I sign it voluntarily by typing my full legal name, and I understand
   that it binds me and those who claim through me.
"""


@dataclass(frozen=True)
class WaiverText:
    version: int
    text: str
    sha256: str


def waiver_text_build(*, flight, legal_name: str) -> WaiverText:
    """The waiver a passenger signs for `flight`, with its version and SHA-256."""
    itinerary = flight.itinerary.name if flight.itinerary_id else flight.get_purpose_display()
    text = WAIVER_TEMPLATE.format(
        version=WAIVER_TEXT_VERSION,
        legal_name=legal_name,
        flight_code=flight.code,
        itinerary=itinerary,
        vehicle=f"{flight.vehicle.name} ({flight.vehicle.model})",
        spaceport=flight.spaceport.name,
    )
    return WaiverText(version=WAIVER_TEXT_VERSION, text=text, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
