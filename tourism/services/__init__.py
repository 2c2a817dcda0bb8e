"""Every write of the booking app, one function per change (`<entity>_<action>`, keyword-only).

Split by subject; import from here: `from tourism import services; services.booking_hold(...)`.
"""

from tourism.services.accounts import passenger_profile_save, passenger_register
from tourism.services.bookings import (
    ReleaseResult,
    booking_cancel,
    booking_expire_lapsed_holds,
    booking_hold,
    booking_manifest,
    booking_mark_flown,
    booking_mark_no_show,
    booking_transfer,
    booking_unmanifest,
    bookings_on_flight_cancelled,
    bookings_on_flight_launched,
    eligibility_problems,
)
from tourism.services.consent import consent_document_publish, consent_sign, industry_record_publish
from tourism.services.email_verification import (
    email_is_verified,
    email_verification_check,
    email_verification_mark_verified,
    email_verification_send,
    email_verify,
    passenger_email_change,
    require_email_verified,
)
from tourism.services.payments import RefundQuote, clean_amount, open_scrub_notice, payment_record, refund_quote
from tourism.services.scrub import bookings_on_flight_rescheduled
from tourism.services.waitlist import waitlist_join, waitlist_leave

__all__ = [
    "RefundQuote",
    "ReleaseResult",
    "booking_cancel",
    "booking_expire_lapsed_holds",
    "booking_hold",
    "booking_manifest",
    "booking_mark_flown",
    "booking_mark_no_show",
    "booking_transfer",
    "booking_unmanifest",
    "bookings_on_flight_cancelled",
    "bookings_on_flight_launched",
    "bookings_on_flight_rescheduled",
    "clean_amount",
    "consent_document_publish",
    "consent_sign",
    "eligibility_problems",
    "email_is_verified",
    "email_verification_check",
    "email_verification_mark_verified",
    "email_verification_send",
    "email_verify",
    "industry_record_publish",
    "open_scrub_notice",
    "passenger_email_change",
    "passenger_profile_save",
    "passenger_register",
    "payment_record",
    "refund_quote",
    "require_email_verified",
    "waitlist_join",
    "waitlist_leave",
]
