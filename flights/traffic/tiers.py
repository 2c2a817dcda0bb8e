"""Risk tiers from the ISS flight rules for crewed vehicles (thresholds are settings, per vehicle model).

- red: Pc >= 1e-4 (ISS flight rule B4-101: manoeuvre, or shelter the crew when a manoeuvre cannot be
  made in time);
- yellow: 1e-5 <= Pc < 1e-4, or no covariance and the other object inside the screening volume
  (the ISS "pizza box", +-2 km radial x +-25 km in-track x +-25 km cross-track);
- green: otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

GREEN, YELLOW, RED = "green", "yellow", "red"
RANK = {GREEN: 0, YELLOW: 1, RED: 2}


@dataclass(frozen=True)
class Thresholds:
    red_pc: float
    yellow_pc: float
    volume_km: tuple[float, float, float]  # half-sizes: radial, in-track, cross-track

    def inside_volume(self, miss_rtn_m) -> bool:
        return all(abs(value) <= limit * 1000.0 for value, limit in zip(miss_rtn_m, self.volume_km, strict=True))


def thresholds_for(vehicle_model_name: str | None) -> Thresholds:
    """The model's own thresholds (settings.TRAFFIC_MODEL_THRESHOLDS[name]) over the defaults."""
    own = settings.TRAFFIC_MODEL_THRESHOLDS.get(vehicle_model_name or "", {})
    return Thresholds(
        red_pc=float(own.get("red_pc", settings.TRAFFIC_RED_PC)),
        yellow_pc=float(own.get("yellow_pc", settings.TRAFFIC_YELLOW_PC)),
        volume_km=tuple(float(value) for value in own.get("volume_km", settings.TRAFFIC_SCREENING_VOLUME_KM)),
    )


def tier_of(*, pc: float | None, miss_rtn_m, thresholds: Thresholds) -> str:
    if pc is None:
        return YELLOW if thresholds.inside_volume(miss_rtn_m) else GREEN
    if pc >= thresholds.red_pc:
        return RED
    if pc >= thresholds.yellow_pc:
        return YELLOW
    return GREEN
