"""Assess one CDM: geometry at TCA and Foster's Pc from the message's own states and covariances."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from flights.orbits.conjunction.cdm import ConjunctionMessage
from flights.orbits.conjunction.errors import PcError
from flights.orbits.conjunction.pc import PcResult, encounter, foster_pc, relative_rtn, rtn_to_inertial

__all__ = ["Assessment", "assess_message"]


@dataclass(frozen=True)
class Assessment:
    """What a CDM says about its conjunction, recomputed from its TCA states."""

    message_id: str
    tca: datetime
    miss_distance_m: float
    miss_rtn_m: tuple[float, float, float]
    relative_speed_m_s: float
    hbr_m: float
    pc: float | None  # None: no covariance, no Pc (judged by the screening volume)
    pc_result: PcResult | None
    stated_pc: float | None

    @property
    def has_covariance(self) -> bool:
        return self.pc is not None

    def as_json(self) -> dict:
        return {
            "message_id": self.message_id,
            "tca": self.tca.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "miss_distance_m": round(self.miss_distance_m, 3),
            "relative_speed_m_s": round(self.relative_speed_m_s, 3),
            "pc": self.pc,
            "hbr_m": self.hbr_m,
            "covariance": "remediated"
            if self.pc_result and self.pc_result.remediated
            else ("given" if self.pc is not None else "none"),
        }


def assess_message(message: ConjunctionMessage, *, hbr_m: float) -> Assessment:
    """Recompute the miss, relative speed and Pc of `message` with a hard-body radius of `hbr_m`."""
    first, second = message.object1, message.object2
    r1 = np.asarray(first.position_km) * 1e3
    v1 = np.asarray(first.velocity_km_s) * 1e3
    r2 = np.asarray(second.position_km) * 1e3
    v2 = np.asarray(second.velocity_km_s) * 1e3
    miss_rtn, _ = relative_rtn(r1, v1, r2, v2)
    result = None
    if message.has_covariance:
        geometry = encounter(
            r1,
            v1,
            r2,
            v2,
            rtn_to_inertial(r1, v1, first.position_covariance_rtn_m2),
            rtn_to_inertial(r2, v2, second.position_covariance_rtn_m2),
        )
        result = foster_pc(geometry.miss_vector, geometry.covariance, hbr_m)
    else:
        geometry = encounter(r1, v1, r2, v2)
    if not geometry.relative_speed > 0:
        raise PcError("the objects have no relative velocity")
    return Assessment(
        message_id=message.message_id,
        tca=message.tca,
        miss_distance_m=float(message.miss_distance_m),
        miss_rtn_m=tuple(float(value) for value in miss_rtn),
        relative_speed_m_s=float(
            message.relative_speed_m_s if message.relative_speed_m_s is not None else geometry.relative_speed
        ),
        hbr_m=float(hbr_m),
        pc=result.pc if result else None,
        pc_result=result,
        stated_pc=message.collision_probability,
    )
