"""Every response carries the security headers; production's cookies and HSTS are right
(Hardening, findings 6 and 7).

Every view of the URLconf (through the permission matrix's world), allauth's and the
admin's sign-in pages, PDFs, downloads, a 404 and a 500: each must carry a
Content-Security-Policy without 'unsafe-inline', nosniff, a Referrer-Policy and
`Cache-Control: no-store`. Static files carry the policy too but stay cacheable.
Production's settings are read from settings.py in a subprocess, then applied here, so
the test checks what a production instance sends, HSTS and `__Host-` cookies included.
"""

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from . import test_permission_matrix as matrix
from .conftest import PASSWORD, Cast
from .production_env import manage, production_settings
from .test_permission_matrix import EXPECTED, ROLES, url_for

# The permission matrix's world: one incident with evidence, actions, reviews, for every view.
world = matrix.world

PRODUCTION_NAMES = [
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SECURE_CSP",
    "MESSAGE_STORAGE",
    "DEBUG",
]


def header_problems(response: Any, label: str) -> list[str]:
    problems = []
    policy = response.get("Content-Security-Policy", "")
    # An evidence download sends a stricter policy of its own: nothing loads, nothing runs.
    sandboxed = "default-src 'none'" in policy and "sandbox" in policy
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        if directive not in policy and not sandboxed:
            problems.append(f"{label}: CSP lacks {directive!r}")
    if "unsafe-inline" in policy or "unsafe-eval" in policy:
        problems.append(f"{label}: CSP allows inline code")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{label}: no nosniff")
    if response.get("Referrer-Policy") not in ("same-origin", "no-referrer"):
        problems.append(f"{label}: Referrer-Policy {response.get('Referrer-Policy')!r}")
    if "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"{label}: Cache-Control {response.get('Cache-Control')!r}")
    return problems


def role_for(name: str) -> str:
    """Someone who gets the view itself: anyone for public pages, else the first role allowed."""
    expect = EXPECTED[name]
    if "anonymous" in expect.statuses:
        return "anonymous"
    return next((role for role in ROLES[1:] if expect.status_for(role) < 400), "handler")


def every_view(client: Client, world: dict[str, Any], secure: bool = False) -> list[str]:
    problems: list[str] = []
    # GETs first, then the POSTs (which may change what later pages show).
    names = sorted(EXPECTED, key=lambda n: (EXPECTED[n].method != "get", n))
    for name in names:
        role = role_for(name)
        client.logout()
        if role != "anonymous":
            client.force_login(world["people"][role])
        url = url_for(name, world["kwargs"])
        response = getattr(client, EXPECTED[name].method)(url, secure=secure)
        problems += header_problems(response, f"{role} {EXPECTED[name].method.upper()} {url} ({response.status_code})")
    return problems


@pytest.mark.asvs("V3.4.3")
@pytest.mark.asvs("V3.4.4")
@pytest.mark.asvs("V3.4.5")
@pytest.mark.asvs("V3.4.6")
@pytest.mark.asvs("V14.3.2")
def test_every_view_sends_the_security_headers(client, world: dict[str, Any]) -> None:
    assert every_view(client, world) == []


@pytest.mark.asvs("V3.4.3")
@pytest.mark.asvs("V14.3.2")
def test_sign_in_pages_downloads_and_the_governor_pack_send_them_too(client, world: dict[str, Any]) -> None:
    problems = []
    for url in ["/accounts/login/", "/accounts/password/reset/", "/django-admin/login/"]:
        problems += header_problems(client.get(url), url)
    client.force_login(world["people"]["dpo_above"])
    pack = client.get(reverse("insights:pack"), {"start": "2026-01-01", "end": "2026-06-30"})
    assert pack["Content-Type"] == "application/pdf"
    problems += header_problems(pack, "governor pack")
    assert problems == []


@pytest.mark.asvs("V3.4.3")
@pytest.mark.asvs("V14.3.2")
def test_a_404_for_anyone_and_for_a_signed_in_person_sends_them(client, cast: Cast) -> None:
    anonymous = client.get("/no-such-page/")
    client.force_login(cast.alice)
    signed_in = client.get("/incidents/00000000-0000-0000-0000-000000000000/")
    assert (anonymous.status_code, signed_in.status_code) == (404, 404)
    assert header_problems(anonymous, "404 anonymous") + header_problems(signed_in, "404 signed in") == []


@pytest.mark.asvs("V3.4.3")
@pytest.mark.asvs("V16.5.1")
@override_settings(ROOT_URLCONF="tests.urls_with_error")
def test_a_500_sends_them_and_says_nothing_of_the_failure(db: None) -> None:
    response = Client(raise_request_exception=False).get("/test-failure/")
    assert response.status_code == 500
    assert "A failure for the 500 page test" not in response.content.decode()
    assert header_problems(response, "500") == []


@pytest.mark.asvs("V3.4.3")
def test_static_files_carry_the_policy_and_stay_cacheable(client) -> None:
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "object-src 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.asvs("V14.3.3")
def test_messages_wait_in_the_session_not_in_a_cookie(client, cast: Cast) -> None:
    client.force_login(cast.bob)
    response = client.post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert "messages" not in response.cookies
    assert "marked as read" in client.get(response["Location"]).content.decode()


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return production_settings(tmp_path_factory.mktemp("production"), PRODUCTION_NAMES)


@pytest.mark.asvs("V13.4.2")
@pytest.mark.asvs("V3.4.1")
def test_check_deploy_passes_with_production_settings(tmp_path: Path) -> None:
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.asvs("V3.4.1")
@pytest.mark.asvs("V3.3.1")
@pytest.mark.asvs("V3.3.3")
@pytest.mark.asvs("V3.3.4")
def test_production_sends_hsts_and_host_only_secure_cookies(
    client, world: dict[str, Any], production: dict[str, Any]
) -> None:
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert production["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert production["MESSAGE_STORAGE"].endswith("SessionStorage")
    with override_settings(**production):
        login_page = client.get("/accounts/login/", secure=True)
        csrf = login_page.cookies[production["CSRF_COOKIE_NAME"]]
        signed_in = client.post(
            "/accounts/login/", {"login": "reporter@example.org", "password": PASSWORD}, secure=True
        )
        session = signed_in.cookies[production["SESSION_COOKIE_NAME"]]
        for cookie in (csrf, session):
            assert cookie["secure"] is True and cookie["path"] == "/" and not cookie["domain"]
        assert session["httponly"] is True
        assert login_page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        # Every view over HTTPS, as production serves it, carries the same headers.
        assert every_view(client, world, secure=True) == []
        # Plain HTTP is sent to HTTPS.
        assert client.get("/accounts/login/").status_code == 301


def test_the_cookie_names_of_development_still_work_without_https() -> None:
    # __Host- cookies need HTTPS; `make run` serves plain HTTP, so development keeps the defaults.
    assert not settings.SESSION_COOKIE_NAME.startswith("__Host-")
