"""Portal: the booking page shows training per module, the waiver and screening; the passenger signs the
waiver on its own page; "Before you fly" lists every live booking's status at a fixed query count."""

import pytest
from django.urls import reverse

from tests.preflight import factories as f
from tests.querycounts import assert_flat_queries
from tests.tourism.factories import flight_adder, reserved_booking
from tourism.preflight.models import SecurityScreening, WaiverOfClaims
from tourism.preflight.waiver import waiver_text_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def pax_client(client, pax):
    client.force_login(pax)
    return client


def test_booking_page_shows_each_module_and_what_is_missing(pax_client, booking, instructor):
    [emergency, rehearsal] = f.syllabus(booking.flight.itinerary)
    f.sign_off(booking, emergency, by=instructor)
    page = pax_client.get(booking.get_absolute_url()).content.decode()
    assert 'id="preflight"' in page
    assert "Emergency egress (460.51)" in page and "Signed off" in page and "by Ivy Instructor" in page
    assert "Mission rehearsal" in page and "Not signed off" in page
    assert "4 of 14 training hours done" in page
    assert "Training incomplete: Mission rehearsal not signed off; 4 of 14 training hours done." in page
    assert reverse("preflight:waiver", args=[booking.pk]) in page
    assert "Not screened yet" in page


def test_booking_page_when_everything_is_done(pax_client, booking, instructor):
    f.preflight_complete(booking, by=instructor)
    page = pax_client.get(booking.get_absolute_url()).content.decode()
    assert "14 of 14 training hours done" in page and "complete" in page
    assert "Signed</span> by Pat Q. Tester" in page
    assert 'status-passed">Passed</span>' in page


def test_a_failed_screening_shows_its_note(pax_client, booking, instructor):
    f.screen(booking, by=instructor, result=SecurityScreening.Result.FAILED, note="Knife found in the jacket.")
    page = pax_client.get(booking.get_absolute_url()).content.decode()
    assert "Failed</span>" in page and "Knife found in the jacket." in page


def test_passenger_signs_the_waiver_on_its_page(pax_client, booking):
    url = reverse("preflight:waiver", args=[booking.pk])
    page = pax_client.get(url).content.decode()
    text = waiver_text_build(flight=booking.flight, legal_name="Pat Q. Tester")
    assert "RECIPROCAL WAIVER OF CLAIMS" in page and text.sha256 in page
    refused = pax_client.post(url, {"legal_name": "Pat Tester", "text_sha256": text.sha256}).content.decode()
    assert "The name typed does not match the legal name" in refused
    assert not WaiverOfClaims.objects.exists()
    response = pax_client.post(url, {"legal_name": "Pat Q. Tester", "text_sha256": text.sha256})
    assert response.status_code == 302 and response["Location"] == booking.get_absolute_url()
    waiver = WaiverOfClaims.objects.get()
    assert waiver.text == text.text and waiver.ip_address == "127.0.0.1"
    assert "Signed</span>" in pax_client.get(url).content.decode()


def test_a_changed_text_sends_the_passenger_back_to_read_it(pax_client, booking):
    url = reverse("preflight:waiver", args=[booking.pk])
    response = pax_client.post(url, {"legal_name": "Pat Q. Tester", "text_sha256": "0" * 64}, follow=True)
    assert "The waiver text changed since you opened it" in response.content.decode()
    assert not WaiverOfClaims.objects.exists()


def test_another_passengers_waiver_page_is_not_found(client, booking, other_pax):
    client.force_login(other_pax)
    url = reverse("preflight:waiver", args=[booking.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"legal_name": "Pat Q. Tester"}).status_code == 404


def test_pages_need_a_login(client, booking):
    for url in (reverse("preflight:home"), reverse("preflight:waiver", args=[booking.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_before_you_fly_lists_every_live_booking_at_a_fixed_query_count(pax_client, pax, instructor, operations):
    def book(flight):
        f.preflight_complete(reserved_booking(flight, user=pax, by=operations), by=instructor)

    # session, user, bookings, modules, records, waivers, screenings, the training record list
    assert_flat_queries(lambda: pax_client.get(reverse("preflight:home")), flight_adder(on_each=book), expected=9)
    page = pax_client.get(reverse("preflight:home")).content.decode()
    assert page.count('status-signed_off">Complete') == 50 and page.count('status-passed">Passed') == 50


def test_before_you_fly_shows_what_is_missing(pax_client, booking):
    page = pax_client.get(reverse("preflight:home")).content.decode()
    assert "Incomplete" in page and "0 of 14 training hours done" in page
    assert reverse("preflight:waiver", args=[booking.pk]) in page and "Not screened" in page
    assert "No training signed off yet." in page
