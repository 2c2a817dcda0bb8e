"""Two-factor login in the API.

- Session auth (the portal's own calls, the browsable docs): a staff session that has not passed the
  code step is refused with 403 `two_factor_required` and the API's error body.
- Token auth: the token is handed out only with a valid `otp_token` for staff accounts, so the password
  alone never gets a staff token (tourism.api.views.TokenView uses this serializer).
"""

from __future__ import annotations

from drf_spectacular.authentication import SessionScheme
from rest_framework import exceptions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.serializers import AuthTokenSerializer

from accounts import services
from accounts.exceptions import TwoFactorSetupRequired
from accounts.policy import confirmed_device, requires_two_factor, two_factor_satisfied
from config.text import OTP_TOKEN_MAX_LENGTH, PASSWORD_MAX_LENGTH
from flights.exceptions import InvalidInput


class TwoFactorRequired(exceptions.PermissionDenied):
    default_code = "two_factor_required"
    default_detail = (
        "This staff session has not passed the two-factor step: enter the code from your authenticator app at "
        "/accounts/two-factor/, or use a token obtained with `otp_token`."
    )


class TwoFactorSessionAuthentication(SessionAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and not two_factor_satisfied(result[0]):
            raise TwoFactorRequired()
        return result


class TwoFactorSessionScheme(SessionScheme):
    """The same cookie scheme in the OpenAPI schema as DRF's SessionAuthentication."""

    target_class = "accounts.api.TwoFactorSessionAuthentication"


class TwoFactorAuthTokenSerializer(AuthTokenSerializer):
    username = serializers.CharField(label="Username", max_length=150, write_only=True)
    password = serializers.CharField(
        label="Password", max_length=PASSWORD_MAX_LENGTH, style={"input_type": "password"}, trim_whitespace=False,
        write_only=True,
    )
    otp_token = serializers.CharField(required=False, allow_blank=True, trim_whitespace=True, max_length=OTP_TOKEN_MAX_LENGTH)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        user = attrs["user"]
        if not requires_two_factor(user):
            return attrs
        if confirmed_device(user) is None:
            raise TwoFactorSetupRequired(
                "Staff accounts get a token only with two-factor login: log in to the portal once to set up your "
                "authenticator app, then send its current code as `otp_token`."
            )
        if not attrs.get("otp_token"):
            raise InvalidInput(
                "Staff accounts need the current code from their authenticator app: send it as `otp_token`.",
                code="otp_required",
                fields={"otp_token": ["The 6-digit code from your authenticator app is required for staff accounts."]},
            )
        services.two_factor_verify(user=user, code=attrs["otp_token"])
        return attrs
