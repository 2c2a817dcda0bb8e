"""The client's address, by the one rule DRF's throttles use (settings.TRUSTED_PROXIES, README "Trusted proxies").

django-axes asks this (AXES_CLIENT_IP_CALLABLE) so that lockout and throttles never disagree on who a
client is: with no trusted proxy it is REMOTE_ADDR whatever X-Forwarded-For says; with N trusted
proxies it is the address the outermost of them appended.
"""

from __future__ import annotations

from rest_framework.throttling import BaseThrottle


def client_ip_address(request) -> str | None:
    return BaseThrottle().get_ident(request) or None
