"""A Content Security Policy on every portal page, strict enough that inline script cannot run."""

import pytest
from django.test import Client

from tests.hardening.portal import DEMO_PEOPLE, demo_arguments, fill, load_demo, portal_pages
from tests.twofactor import log_in

pytestmark = pytest.mark.django_db

EXPECTED = [
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "frame-ancestors 'none'", "form-action 'self'", "object-src 'none'",
]


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.strip().split(" ", 1)[0]: part.strip() for part in header.split(";") if part.strip()}


def test_every_portal_page_carries_the_policy_for_every_role(django_capture_on_commit_callbacks):
    users = load_demo(django_capture_on_commit_callbacks)
    arguments = demo_arguments()
    pages = portal_pages()
    assert len(pages) > 30
    seen_ok = set()
    for role, username in [("anonymous", None), *DEMO_PEOPLE.items()]:
        client = Client()
        if username:
            log_in(client, users[username])
        for page in pages:
            url = fill(page, arguments)
            response = client.get(url)
            assert response.status_code < 500, (role, url, response.status_code)
            assert "Content-Security-Policy" in response, (role, url)
            policy = directives(response)
            for expected in EXPECTED:
                assert policy[expected.split(" ")[0]] == expected, (url, response["Content-Security-Policy"])
            assert "unsafe" not in response["Content-Security-Policy"], url
            if response.status_code == 200:
                seen_ok.add(page.name)
    # The pages people read, each opened successfully by someone.
    assert {"home", "tourism:itinerary-list", "tourism:booking-list", "tourism:booking-detail", "flights:flight-detail",
            "flights:poll-board", "medical:home", "medical:review-queue", "verification:queue",
            "verification:record-detail", "login"} <= seen_ok


def test_admin_and_api_carry_it_too(client, operations):
    log_in(client, operations)
    for url in ("/admin/", "/api/v1/flights/", "/api/schema/"):
        assert directives(client.get(url))["script-src"] == "script-src 'self'", url


def test_api_docs_are_offline_and_need_no_inline_script(client):
    for url in ("/api/docs/", "/api/redoc/"):
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert "<script>" not in body and "https://" not in body, body  # no inline code, no CDN
        policy = directives(response)
        assert policy["script-src"] == "script-src 'self'"
        assert policy["style-src"] == "style-src 'self' 'unsafe-inline'"  # Swagger UI and Redoc style in JS
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")


def test_no_template_has_inline_script_style_or_handlers():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = []
    for template in root.rglob("*.html"):
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+\s*=", text) \
                or re.search(r"\sstyle\s*=", text) or "<style" in text:
            offenders.append(str(template.relative_to(root)))
    assert offenders == []
