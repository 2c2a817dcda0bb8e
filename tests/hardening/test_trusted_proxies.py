"""Who a client is, for throttles and lockout: X-Forwarded-For counts only as far as DJANGO_TRUSTED_PROXIES says.

With no trusted proxy (the default) the address is REMOTE_ADDR, so a client rotating the header is still one
client. With one trusted proxy, the address the proxy appended is the client: two people behind the same
proxy are throttled and locked out each on their own, and one cannot lock the other out.
"""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from config.proxies import client_ip_address

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token/"
PROXY = "10.0.0.2"


@pytest.fixture
def auth_rate(monkeypatch):
    cache.clear()
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {**ScopedRateThrottle.THROTTLE_RATES, "auth": "3/min"})
    yield
    cache.clear()


@pytest.fixture
def one_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}  # as config/settings.py sets both


def token_request(username: str, password: str, **headers):
    return APIClient().post(TOKEN, {"username": username, "password": password}, format="json", **headers)


def test_the_default_trusts_no_forwarded_header(settings):
    assert settings.TRUSTED_PROXIES == 0 and settings.REST_FRAMEWORK["NUM_PROXIES"] == 0
    assert settings.AXES_CLIENT_IP_CALLABLE == "config.proxies.client_ip_address"


def test_rotating_x_forwarded_for_does_not_escape_the_throttle_without_a_trusted_proxy(auth_rate, passenger):
    statuses = [
        token_request(passenger.username, "wrong", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(5)
    ]
    assert statuses[:3] == [400, 400, 400] and statuses[3:] == [429, 429]


def test_rotating_x_forwarded_for_does_not_escape_the_lockout_without_a_trusted_proxy(passenger, password):
    for n in range(5):
        token_request(passenger.username, "wrong", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    response = token_request(passenger.username, password, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.77")
    assert response.status_code == 429 and response.json()["code"] == "account_locked"


def test_behind_one_trusted_proxy_two_clients_are_throttled_separately(auth_rate, one_trusted_proxy, passenger):
    def attempt(client_address):
        return token_request(passenger.username, "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)

    assert [attempt("198.51.100.1").status_code for _ in range(4)] == [400, 400, 400, 429]
    assert attempt("198.51.100.2").status_code == 400  # the other client behind the same proxy is not throttled
    # A client cannot forge its way out: the proxy appends the address it saw, and that one counts.
    assert attempt("192.0.2.50, 198.51.100.1").status_code == 429


def test_behind_one_trusted_proxy_one_client_cannot_lock_out_another(one_trusted_proxy, passenger, password):
    for _ in range(5):
        token_request(passenger.username, "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    locked = token_request(passenger.username, password, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert locked.status_code == 429 and locked.json()["code"] == "account_locked"
    response = token_request(passenger.username, password, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert response.status_code == 200 and response.json()["token"]


def test_axes_and_drf_agree_on_the_address(rf, one_trusted_proxy):
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.50, 198.51.100.1")
    assert client_ip_address(request) == "198.51.100.1" == ScopedRateThrottle().get_ident(request)
