"""The printable launch-day manifest, in the portal and the API: who may read it, what it shows, and a
query count that does not grow with the passengers. Every registered manifest gate is asked, medical too."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from flights import registry
from flights.formats import local_and_utc
from tests.medical import factories as medical
from tests.preflight.factories import preflight_complete
from tests.querycounts import count_queries
from tests.tourism.factories import bookable_flight, passenger_with_profile, pay_balance, reserved_booking
from tests.twofactor import log_in
from tourism import services
from tourism.medical import services as medical_services
from tourism.medical.models import MedicalClearance

pytestmark = [pytest.mark.django_db, pytest.mark.all_gates]

SECRET_REASON = "Uncontrolled hypertension heron-4471"


@pytest.fixture
def launch_eve(operations):
    """A flight launching in 12 hours: the passengers' 24-hour health statements can be made now."""
    launch = (timezone.now() + dt.timedelta(hours=12)).replace(microsecond=0)
    return bookable_flight(code="NS-60", launch_at=launch)


def manifested(flight, *, surgeon, operations, **profile):
    user = passenger_with_profile(**profile)
    booking = reserved_booking(flight, user=user, by=operations)
    pay_balance(booking, by=operations)
    medical.decided(user, surgeon)
    medical_services.self_certification_record(passenger=user, flight=flight)
    preflight_complete(booking, by=operations)
    return services.booking_manifest(booking=booking, by=operations)


@pytest.fixture
def three_passengers(launch_eve, surgeon, operations):
    ada = manifested(launch_eve, surgeon=surgeon, operations=operations, legal_name="Ada Manifest",
                     mass_kg=Decimal("70.5"), height_cm=171)
    ben = manifested(launch_eve, surgeon=surgeon, operations=operations, legal_name="Ben Manifest",
                     mass_kg=Decimal("88.0"), height_cm=185)
    # After Ben was manifested, a flight surgeon decides he is not fit after all.
    medical.decided(ben.user, surgeon, outcome=MedicalClearance.Status.NOT_CLEARED, reasons=SECRET_REASON)
    cleo = reserved_booking(launch_eve, user=passenger_with_profile(legal_name="Cleo Reserved", mass_kg=Decimal("60.0"),
                                                                     height_cm=160), by=operations)
    return ada, ben, cleo


def manifest_url(flight):
    return reverse("tourism:flight-manifest", args=[flight.pk])


@pytest.mark.parametrize("role", ["operations", "director", "surgeon"])
def test_the_launch_team_reads_the_manifest(client, request, role, launch_eve, three_passengers):
    log_in(client, request.getfixturevalue(role))
    page = client.get(manifest_url(launch_eve)).content.decode()
    manifested_part, reserved_part = page.split('id="reserved"')
    assert "Ada Manifest" in manifested_part and "Ben Manifest" in manifested_part
    assert "Cleo Reserved" in reserved_part and "Cleo Reserved" not in manifested_part
    assert "Launch manifest · Flight NS-60" in page
    assert "70.5" in page and "171" in page and "88.0" in page and "185" in page
    # 70.5 + 88.0 against New Shepard's 606 kg: the reserved passenger does not count until manifested.
    assert "<strong>158.5 kg</strong> of passengers on 2 seats" in page
    assert "cabin budget of <strong>606.0 kg</strong>" in page or "cabin budget of <strong>606 kg</strong>" in page
    assert 'id="mass-margin">447.5 kg' in page
    assert "With every reserved passenger too: 218.5 kg" in page
    # The UTC side carries its own date when it is another day than the spaceport's (a launch 12 h ahead of a
    # test run in the afternoon UTC is the evening before in Denver).
    local, utc = local_and_utc(launch_eve.launch_at, launch_eve.spaceport.timezone)
    assert local in page and f"({utc})" in page and f"{launch_eve.launch_at:%H:%M} UTC" in utc
    assert str(launch_eve.vehicle.model) in page and launch_eve.vehicle.serial in page and launch_eve.spaceport.name in page
    # Ben's medical gate says no, and why in terms of status only; never the surgeon's reasons.
    ben_row = page.split('id="seat-2"')[1].split("</tr>")[0]
    assert 'data-gate="medical_manifest_gate">' in ben_row and "NO-GO" in ben_row and "was not cleared" in ben_row
    assert SECRET_REASON not in page
    ada_row = page.split('id="seat-1"')[1].split("</tr>")[0]
    assert "NO-GO" not in ada_row and ada_row.count(">GO<") == len(registry.manifest_gates._guards)
    cleo_row = reserved_part.split('id="seat-3"')[1].split("</tr>")[0]
    assert "Balance unpaid" in cleo_row
    # Printable without inline code (CSP): a static stylesheet with @media print and a static script.
    assert "tourism/manifest.css" in page and "tourism/manifest.js" in page and 'id="print-manifest"' in page
    assert "<style" not in page and "style=" not in page and "onclick" not in page


def test_the_print_stylesheet_and_button_are_static_files():
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("tourism/manifest.css")).read_text()
    assert "@media print" in css and "display: none" in css
    js = Path(finders.find("tourism/manifest.js")).read_text()
    assert "window.print()" in js


def test_passengers_are_refused_and_anonymous_asked_to_log_in(client, launch_eve, three_passengers, pax):
    url = manifest_url(launch_eve)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    log_in(client, pax)
    assert client.get(url).status_code == 403
    client.force_login(three_passengers[0].user)  # a passenger of this very flight
    assert client.get(url).status_code == 403
    api = APIClient()
    assert api.get(f"/api/v1/flights/{launch_eve.pk}/manifest/").status_code == 401
    api.force_authenticate(pax)
    refused = api.get(f"/api/v1/flights/{launch_eve.pk}/manifest/")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    api.force_authenticate(None)


def test_the_flight_page_links_the_manifest_for_the_launch_team_only(client, launch_eve, pax, surgeon, operations):
    flight_page = reverse("flights:flight-detail", args=[launch_eve.pk])
    for who, shown in ((None, False), (pax, False), (surgeon, True), (operations, True)):
        if who is not None:
            log_in(client, who)
        page = client.get(flight_page).content.decode()
        assert ('id="launch-manifest-link"' in page) is shown, who
        assert (manifest_url(launch_eve) in page) is shown, who


def test_the_api_gives_the_same_manifest(launch_eve, three_passengers, director):
    api = APIClient()
    api.force_authenticate(director)
    response = api.get(f"/api/v1/flights/{launch_eve.pk}/manifest/")
    assert response.status_code == 200
    body = response.json()
    assert body["flight"]["code"] == "NS-60" and body["flight"]["spaceport_timezone"] == launch_eve.spaceport.timezone
    assert body["total_mass_kg"] == "158.5" and body["cabin_mass_budget_kg"] == "606.0" and body["margin_kg"] == "447.5"
    assert body["within_budget"] is True
    assert [p["legal_name"] for p in body["manifested"]] == ["Ada Manifest", "Ben Manifest"]
    assert [p["legal_name"] for p in body["reserved"]] == ["Cleo Reserved"]
    ben = body["manifested"][1]
    medical_gate = next(g for g in ben["gates"] if g["medical"])
    assert medical_gate["passed"] is False and "was not cleared" in medical_gate["message"]
    assert SECRET_REASON not in response.content.decode()
    assert body["manifested"][0]["all_gates_hold"] is True
    assert api.get("/api/v1/flights/999999/manifest/").status_code == 404


def test_queries_do_not_grow_with_passengers(client, django_user_model, launch_eve, surgeon, operations):
    """1 passenger, then 6 (the whole cabin): the page and the endpoint cost the same number of queries."""
    no_prefetch = [g for g in registry.manifest_gates._guards if not hasattr(g, "prefetch")]
    assert not no_prefetch, f"manifest gates without a `prefetch` make the manifest's queries grow: {no_prefetch}"
    log_in(client, operations)

    def page():
        return client.get(manifest_url(launch_eve))

    def endpoint():
        api = APIClient()
        api.force_authenticate(django_user_model.objects.get(pk=operations.pk))  # as a token would: a fresh user
        return api.get(f"/api/v1/flights/{launch_eve.pk}/manifest/")

    manifested(launch_eve, surgeon=surgeon, operations=operations)
    with_one = count_queries(page), count_queries(endpoint)
    for _ in range(5):
        manifested(launch_eve, surgeon=surgeon, operations=operations)
    with_six = count_queries(page), count_queries(endpoint)
    assert with_six == with_one, f"queries grew with passengers: {with_one} for 1, {with_six} for 6"
    assert with_one[0] <= 30, with_one

