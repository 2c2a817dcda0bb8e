"""Which upcoming flights each passenger is on, as other apps know it (bookings), without importing them.

The review queue orders submissions by flight date, and expiry reminders go to passengers with
upcoming flights. Bookings live in another app, so it registers a source here (in its
AppConfig.ready): `source(user_ids, *, now) -> iterable of (user_id, Flight)`, one query for all users.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable

from flights.models import Flight

FlightSource = Callable[..., Iterable[tuple[int, Flight]]]


class PassengerFlightSources:
    def __init__(self):
        self._sources: list[FlightSource] = []

    def register(self, source: FlightSource) -> FlightSource:
        if source not in self._sources:
            self._sources.append(source)
        return source

    def unregister(self, source: FlightSource) -> None:
        self._sources.remove(source)

    def upcoming(self, user_ids: Collection[int], *, now: dt.datetime) -> dict[int, list[Flight]]:
        """Each user's upcoming flights, soonest first (flights that have not launched yet)."""
        found: dict[int, dict[int, Flight]] = defaultdict(dict)
        if not user_ids:
            return {}
        for source in self._sources:
            for user_id, flight in source(user_ids, now=now):
                if flight.status in Flight.UPCOMING_STATUSES and flight.launch_at > now:
                    found[user_id][flight.pk] = flight
        return {user_id: sorted(flights.values(), key=lambda f: (f.launch_at, f.code)) for user_id, flights in found.items()}


passenger_flights = PassengerFlightSources()
