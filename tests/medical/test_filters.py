"""ClearanceFilter through the API (clearances, review queue) and the surgeons' queue page; the other
medical FilterSets through the API. Bad values: 400 with the field named, or a form error; never 500.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import make_user
from tests.flights.factories import scheduled_flight
from tests.medical import factories as f
from tests.querycounts import assert_flat_queries
from tests.twofactor import log_in
from tourism.medical import services

pytestmark = pytest.mark.django_db
API = "/api/v1/medical"


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def passengers(response) -> list[str]:
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    return sorted(row["clearance"]["passenger"] if "clearance" in row else row["passenger"] for row in rows)


def assert_bad_filter(response, field: str):
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"code", "detail", "fields"} and body["code"] == "invalid" and field in body["fields"]


@pytest.fixture
def clearances(django_user_model, surgeon):
    """ann: cleared until 2026-09-30; ben: cleared until 2027-06-30; cal: submitted; dee: a draft."""
    ann, ben, cal, dee = (make_user(django_user_model, name, "Passenger") for name in ("ann", "ben", "cal", "dee"))
    now = timezone.now()
    f.decided(ann, surgeon, valid_until=(now + dt.timedelta(days=60)).date())
    f.decided(ben, surgeon, valid_until=(now + dt.timedelta(days=300)).date())
    f.submitted(cal)
    f.draft(dee)
    return now


def test_api_clearances_filter_by_statuses_and_expiry(surgeon, clearances):
    client = api_for(surgeon)
    soon = (clearances + dt.timedelta(days=90)).date().isoformat()
    assert passengers(client.get(f"{API}/clearances/", {"status": "cleared"})) == ["ann", "ben"]
    assert passengers(client.get(f"{API}/clearances/?status=submitted&status=draft")) == ["cal", "dee"]
    assert passengers(client.get(f"{API}/clearances/", {"expiring_before": soon})) == ["ann"]
    assert_bad_filter(client.get(f"{API}/clearances/", {"status": "approved"}), "status")
    assert_bad_filter(client.get(f"{API}/clearances/", {"expiring_before": "next month"}), "expiring_before")


def test_a_passenger_filters_only_their_own(clearances, django_user_model):
    from django.contrib.auth import get_user_model

    ann = get_user_model().objects.get(username="ann")
    assert passengers(api_for(ann).get(f"{API}/clearances/", {"status": "cleared"})) == ["ann"]


def test_api_review_queue_is_the_queue_unless_asked_for_other_statuses(surgeon, clearances, flights_of_passengers):
    client = api_for(surgeon)
    soon = (clearances + dt.timedelta(days=90)).date().isoformat()
    assert passengers(client.get(f"{API}/review-queue/")) == ["cal"]
    assert passengers(client.get(f"{API}/review-queue/", {"status": "cleared", "expiring_before": soon})) == ["ann"]
    assert_bad_filter(client.get(f"{API}/review-queue/", {"status": "pending"}), "status")


def test_review_queue_page_renders_and_applies_the_same_filter(client, surgeon, clearances, flights_of_passengers):
    log_in(client, surgeon)
    url = reverse("medical:review-queue")
    page = client.get(url).content.decode()
    assert 'name="status" value="submitted"' in page and 'name="expiring_before"' in page
    assert "Cal Tester" in page and "Ann Tester" not in page  # the queue by default
    soon = (clearances + dt.timedelta(days=90)).date().isoformat()
    page = client.get(url, {"status": "cleared", "expiring_before": soon}).content.decode()
    assert "Ann Tester" in page and "Ben Tester" not in page and "Cal Tester" not in page


def test_review_queue_page_shows_bad_filters_as_form_errors(client, surgeon, clearances, flights_of_passengers):
    log_in(client, surgeon)
    response = client.get(reverse("medical:review-queue"), {"status": "approved", "expiring_before": "soon"})
    page = response.content.decode()
    assert response.status_code == 200 and 'class="errorlist"' in page
    assert "approved is not one of the available choices" in page and "Enter a valid date." in page
    assert "Cal Tester" in page  # the queue itself, unfiltered


def test_review_queue_with_filters_is_flat(client, surgeon, django_user_model, flights_of_passengers):
    counter = iter(range(1000))

    def add(n):
        for _ in range(n):
            f.decided(make_user(django_user_model, f"c{next(counter)}", "Passenger"), surgeon)

    log_in(client, surgeon)
    query = {"status": ["cleared", "cleared_with_restrictions"], "expiring_before": "2099-01-01"}
    # session, user, roles, clearances: as the unfiltered queue.
    assert_flat_queries(lambda: client.get(reverse("medical:review-queue"), query), add, expected=5)
    as_api = api_for(surgeon)
    assert_flat_queries(lambda: as_api.get(f"{API}/review-queue/", query), add, expected=3)


def test_self_certifications_filter_by_flight(passenger, surgeon):
    f.decided(passenger, surgeon)
    flight = scheduled_flight(code="NS-41", launch_at=timezone.now() + dt.timedelta(hours=12))
    other = scheduled_flight(code="NS-42", launch_at=timezone.now() + dt.timedelta(hours=20))
    services.self_certification_record(passenger=passenger, flight=flight)
    services.self_certification_record(passenger=passenger, flight=other)
    client = api_for(passenger)
    body = client.get(f"{API}/self-certifications/", {"flight": flight.pk}).json()
    assert [row["flight"] for row in body["results"]] == [flight.pk]
    assert_bad_filter(client.get(f"{API}/self-certifications/", {"flight": "NS-41"}), "flight")


def test_access_log_filters_by_record_type_and_channel(passenger, surgeon):
    clearance = f.under_review(passenger, surgeon)
    client = api_for(surgeon)
    client.get(f"{API}/clearances/{clearance.pk}/questionnaire/")  # a logged read
    url = f"{API}/clearances/{clearance.pk}/access-log/"
    rows = client.get(url, {"record_type": "questionnaire", "channel": "api"}).json()["results"]
    assert rows and {(row["record_type"], row["channel"]) for row in rows} == {("questionnaire", "api")}
    assert client.get(url, {"channel": "admin"}).json()["results"] == []
    assert_bad_filter(client.get(url, {"channel": "email"}), "channel")
    # The clearance's own filters neither apply to its nested lists nor to finding it.
    assert client.get(f"{API}/clearances/{clearance.pk}/notes/", {"status": "bogus"}).status_code == 200
    assert client.get(f"{API}/clearances/{clearance.pk}/", {"status": "bogus"}).status_code == 200
