"""Passenger accounts: sign-up and the passenger profile a seat needs."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from flights import roles
from tourism.exceptions import RegistrationRefused
from tourism.models import PassengerProfile
from tourism.services.email_verification import email_verification_send

PROFILE_FIELDS = (
    "legal_name", "date_of_birth", "nationality", "passport_number", "mass_kg", "height_cm", "emergency_contact",
)
OLDEST_BIRTH_YEAR = 1900


def _clean_profile(profile: PassengerProfile, *, today: dt.date) -> None:
    profile.legal_name = " ".join((profile.legal_name or "").split())
    profile.nationality = (profile.nationality or "").strip().upper()
    profile.passport_number = "".join((profile.passport_number or "").split()).upper()
    profile.emergency_contact = (profile.emergency_contact or "").strip()
    errors: dict[str, list[str]] = {}
    try:
        profile.full_clean(exclude=["user"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    born = profile.date_of_birth
    if isinstance(born, dt.date) and "date_of_birth" not in errors:
        if born >= today:
            errors["date_of_birth"] = ["The date of birth must be in the past."]
        elif born.year < OLDEST_BIRTH_YEAR:
            errors["date_of_birth"] = [f"The date of birth must be after {OLDEST_BIRTH_YEAR}."]
    if errors:
        raise RegistrationRefused(
            "The passenger profile has invalid fields: " + ", ".join(sorted(errors)) + ".", fields=errors
        )


def passenger_register(
    *,
    username: str,
    email: str,
    password: str,
    legal_name: str,
    date_of_birth: dt.date,
    nationality: str,
    passport_number: str,
    mass_kg,
    height_cm: int,
    emergency_contact: str,
    first_name: str = "",
    last_name: str = "",
    today: dt.date | None = None,
):
    """Create a passenger's account (in the Passenger role) and profile, or refuse with every bad field."""
    today = today or timezone.now().date()
    User = get_user_model()
    username, email = (username or "").strip(), (email or "").strip().lower()
    user = User(username=username, email=email, first_name=(first_name or "").strip(), last_name=(last_name or "").strip())
    errors: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not email:
        errors.setdefault("email", []).append("An email address is required: booking news goes there.")
    elif User.objects.filter(email__iexact=email).exists():
        errors.setdefault("email", []).append("An account with this email address already exists.")
    if username and User.objects.filter(username__iexact=username).exclude(username=username).exists():
        errors.setdefault("username", []).append("A user with that username already exists.")
    try:
        validate_password(password or "", user=user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    profile = PassengerProfile(
        legal_name=legal_name, date_of_birth=date_of_birth, nationality=nationality, passport_number=passport_number,
        mass_kg=mass_kg, height_cm=height_cm, emergency_contact=emergency_contact,
    )
    try:
        _clean_profile(profile, today=today)
    except RegistrationRefused as exc:
        errors.update(exc.fields)
    if errors:
        raise RegistrationRefused("The account was not created: check " + ", ".join(sorted(errors)) + ".", fields=errors)
    with transaction.atomic():
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get_or_create(name=roles.PASSENGER)[0])
        profile.user = user
        profile._history_user = user
        profile.save()
        # The account works at once for browsing; seats wait until the emailed link is followed.
        email_verification_send(user=user)
    return user


def passenger_profile_save(*, user, today: dt.date | None = None, **fields) -> PassengerProfile:
    """Create or update the passenger profile of an existing account."""
    today = today or timezone.now().date()
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Not profile fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        profile = PassengerProfile.objects.select_for_update().filter(user=user).first() or PassengerProfile(user=user)
        for name, value in fields.items():
            setattr(profile, name, value)
        _clean_profile(profile, today=today)
        profile._history_user = user
        profile.save()
    return profile
