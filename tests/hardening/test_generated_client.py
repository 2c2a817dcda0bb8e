"""A client generated from /api/schema/ with openapi-python-client works: a passenger signs up and books.

The schema is read from a live server, the client is generated into tmp_path (offline: no post hooks, no
downloads), imported, and driven against that server: register, verify the email, token, bookable flights,
hold, a 409 refusal in the error shape, and the booking list. It fails when a request body is offered as
anything but JSON (the generator then emits clients that do not import or send form data and files at
once), and when an operation id the client's functions are named by changes.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import only_rules_of
from tests.tourism.factories import bookable_flight
from tourism.services.email_verification import email_verification_token

pytestmark = pytest.mark.django_db(transaction=True)
PACKAGE = "flightops_client"
PASSWORD = "a-long-and-unusual-passphrase-91"


def generate_client(schema_url: str, folder: Path):
    with urllib.request.urlopen(f"{schema_url}?format=json", timeout=30) as response:  # noqa: S310 (localhost)
        schema = json.load(response)
    # The one operation whose body is not JSON: a CDM is posted as its raw KVN text (text/plain), which the
    # generator does not model. Everything else must generate without a warning.
    schema["paths"]["/api/v1/conjunctions/cdms/"].pop("post")
    (folder / "schema.json").write_text(json.dumps(schema))
    (folder / "config.yaml").write_text(f"post_hooks: []\npackage_name_override: {PACKAGE}\n")
    generator = Path(sys.executable).with_name("openapi-python-client")
    result = subprocess.run(
        [str(generator), "generate", "--path", "schema.json", "--config", "config.yaml", "--meta", "none",
         "--output-path", PACKAGE, "--fail-on-warning"],
        cwd=folder, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(folder))
    return importlib.import_module(PACKAGE)


@pytest.fixture(autouse=True)
def _booking_rules_only():
    """The booking's own rules (certification has its tests in tests/verification), as in tests/tourism."""
    with only_rules_of("tourism"):
        yield


@pytest.fixture
def client_package(live_server, tmp_path):
    try:
        yield generate_client(f"{live_server.url}/api/schema/", tmp_path)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
            del sys.modules[name]


class Operations:
    """The generated modules of one tag, one per operation id (what a client's code imports)."""

    def __init__(self, tag: str, *operation_ids: str):
        for operation_id in operation_ids:
            setattr(self, operation_id, importlib.import_module(f"{PACKAGE}.api.{tag}.{operation_id}"))


def test_a_generated_client_registers_logs_in_and_holds_a_seat(live_server, client_package, django_user_model):
    flight = bookable_flight(code="NS-77")

    models = importlib.import_module(f"{PACKAGE}.models")
    auth = Operations("auth", "auth_register", "auth_verify_email", "auth_token")
    flights = Operations("flights", "flights_list", "flights_hold")
    bookings = Operations("bookings", "bookings_list")
    anonymous = client_package.Client(base_url=live_server.url, raise_on_unexpected_status=True)

    account = auth.auth_register.sync(client=anonymous, body=models.RegisterRequest(
        username="ada", email="ada@example.test", password=PASSWORD, legal_name="Ada K. Lovelace",
        date_of_birth=dt.date(1985, 12, 10), nationality="GB", passport_number="GB1234567",
        mass_kg="68.0", height_cm=170, emergency_contact="Charles Babbage, friend, +44 20 7946 0000",
    ))
    assert isinstance(account, models.Account), account
    assert account.username == "ada" and account.email_verified_at is None

    # The emailed link carries this token; an app sends it back.
    user = django_user_model.objects.get(username="ada")
    verified = auth.auth_verify_email.sync(
        client=anonymous, body=models.EmailVerifyRequestRequest(token=email_verification_token(user))
    )
    assert isinstance(verified, models.EmailVerified), verified

    token = auth.auth_token.sync(client=anonymous, body=models.TokenRequestRequest(username="ada", password=PASSWORD))
    assert isinstance(token, models.TokenResponse), token
    passenger = client_package.AuthenticatedClient(
        base_url=live_server.url, token=token.token, prefix="Token", raise_on_unexpected_status=True
    )

    page = flights.flights_list.sync(client=passenger, bookable=True)
    assert [item.code for item in page.results] == ["NS-77"]
    offered = page.results[0]
    assert offered.id == flight.pk and offered.seats_left == flight.vehicle.model.passenger_seats

    booking = flights.flights_hold.sync(client=passenger, id=offered.id)
    assert isinstance(booking, models.Booking), booking
    assert booking.status == models.BookingStatusEnum.HELD

    refused = flights.flights_hold.sync_detailed(client=passenger, id=offered.id)
    assert refused.status_code == 409
    assert isinstance(refused.parsed, models.Error)
    assert refused.parsed.code == "already_booked" and refused.parsed.detail and refused.parsed.fields is not None

    mine = bookings.bookings_list.sync(client=passenger)
    assert mine.count == 1 and [(item.id, item.status) for item in mine.results] == [(booking.id, booking.status)]
