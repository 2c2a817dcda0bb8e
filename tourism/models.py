"""Passengers, bookings, consent, payments, training and medical clearance (see the booking issue)."""
