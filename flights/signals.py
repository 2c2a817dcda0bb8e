"""Signals other apps listen to. Sent inside the service's transaction, after the change is saved.

flight_status_changed(flight, from_status, to_status, reason, by)
vehicle_status_changed(vehicle, from_status, to_status, reason, by)
"""

from django.dispatch import Signal

flight_status_changed = Signal()
vehicle_status_changed = Signal()
# Sent after a scrubbed flight is put on a new launch time: listeners re-check what depends on the date.
# flight_rescheduled(flight, old_launch_at, reason, by, now): sent by `flight_schedule` inside its transaction
# when a scrubbed flight gets a new time (the poll's recycle, or operations later); `reason` is the scrub's.
# `flights.rescheduling.flight_reschedule` sends it too when operations move a scheduled flight, with
# `scrubbed=False` (absent means True).
flight_rescheduled = Signal()
# flight_scrubbed_unscheduled(flight, reason, by, now): a scrub left the flight without a new time (no clear
# window left, or the new time refused): listeners tell passengers that a new time will follow.
flight_scrubbed_unscheduled = Signal()
