"""Token authentication for the booking endpoints that ask the passenger's profile and email verification first."""

from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext_lazy as _
from drf_spectacular.drainage import set_override
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.settings import api_settings

from config.rows import ModelColumns, attach_reverse, execute_fixed, split_row
from tourism.models import EmailVerification, PassengerProfile


class PassengerTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, whose one query also brings the user's passenger profile and email
    verification (LEFT JOINs on their unique `user_id`): a hold asks both before anything else
    (`require_email_verified`, `require_profile`), two queries fewer on every hold.

    The checks are DRF's own (unknown token, inactive user) with its messages. A user with no profile or no
    verification gets them cached as missing, which `require_profile` and `email_is_verified` treat exactly
    as the lazy read's DoesNotExist. A session-authenticated user reads them lazily as before.
    """

    def authenticate_credentials(self, key):
        token = token_with_passenger(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)


@functools.cache
def _parts() -> tuple[ModelColumns, ...]:
    return tuple(
        ModelColumns(model, alias)
        for model, alias in ((Token, "t"), (get_user_model(), "u"), (PassengerProfile, "p"), (EmailVerification, "e"))
    )


@functools.cache
def _token_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    user = _parts()[1]
    return (
        f"SELECT {', '.join(part.sql() for part in _parts())} FROM {quote(Token._meta.db_table)} t "
        f"JOIN {quote(user.model._meta.db_table)} u ON u.id = t.user_id "
        f"LEFT JOIN {quote(PassengerProfile._meta.db_table)} p ON p.user_id = u.id "
        f"LEFT JOIN {quote(EmailVerification._meta.db_table)} e ON e.user_id = u.id "
        "WHERE t.key = %s"
    )


def token_with_passenger(key: str) -> Token | None:
    """The token of `key` (None: no such token) with its user, and the user's passenger profile and email
    verification cached (as missing when there is none): what
    `Token.objects.select_related("user__passenger_profile", "user__email_verification").get(key=key)` gives,
    in one written-out query (about 1 ms less Python on every hold; tests/tourism/test_hold_lookup.py compares
    the two)."""
    with connection.cursor() as cursor:
        execute_fixed(cursor, "flightops_token_login", _token_sql(connection.vendor), [key])
        row = cursor.fetchone()
    if row is None:
        return None
    (token, user, profile, verification), _ = split_row(row, *_parts())
    attach_reverse(user, Token, "user", token)  # token.user, and user.auth_token as select_related sets it
    for related, model in ((profile, PassengerProfile), (verification, EmailVerification)):
        attach_reverse(user, model, "user", related)
    return token


# The schema shows it as the one `tokenAuth` scheme (drf-spectacular's TokenScheme matches subclasses): the same
# header and the same tokens. Without this, spectacular warns that two classes claim that name.
set_override(PassengerTokenAuthentication, "suppress_collision_warning", True)


def passenger_authentication_classes() -> list[type]:
    """The API's authentication classes with the token one swapped for `PassengerTokenAuthentication`."""
    return [
        PassengerTokenAuthentication if cls is TokenAuthentication else cls
        for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES
    ]
