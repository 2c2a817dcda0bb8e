"""Models of the flights app: the fleet and schedule (fleet.py), catalog and launch windows (windows.py)."""

from flights.models.fleet import (
    Flight,
    FlightStatusChange,
    Itinerary,
    MaintenanceRecord,
    Regime,
    Spaceport,
    Vehicle,
    VehicleModel,
    VehicleStatusChange,
    validate_timezone,
)
from flights.models.windows import CatalogImport, LaunchWindow, TrackedObject, WindowClosure, WindowComputation

__all__ = [
    "CatalogImport",
    "Flight",
    "FlightStatusChange",
    "Itinerary",
    "LaunchWindow",
    "MaintenanceRecord",
    "Regime",
    "Spaceport",
    "TrackedObject",
    "Vehicle",
    "VehicleModel",
    "VehicleStatusChange",
    "WindowClosure",
    "WindowComputation",
    "validate_timezone",
]
