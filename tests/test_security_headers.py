"""Security headers: CSP everywhere; HSTS, nosniff, frame and referrer policy, SSL redirect and
secure cookies under the production settings (exercised in a subprocess, as deployed)."""

import os
import re
import secrets

import pytest

from tests.probes import last_json_line, run_python

PROBE = """
import json, django
django.setup()
from django.test import Client, override_settings
# The manifest storage needs `collectstatic`; plain storage is enough to render the login page.
override_settings(STORAGES={
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}).enable()
client = Client()
out = {}
def record(name, response):
    out[name] = {
        "status": response.status_code,
        "location": response.get("Location"),
        "headers": {k.lower(): v for k, v in response.items()},
        "cookies": {k: {"secure": bool(m["secure"]), "httponly": bool(m["httponly"])}
                    for k, m in response.cookies.items()},
    }
record("https", client.get("/healthz", headers={"X-Forwarded-Proto": "https"}))
record("http_api", client.get("/api/v1/documents/"))
record("http_healthz", client.get("/healthz"))
record("http_readyz", client.get("/readyz"))
record("login", client.get("/admin/login/", headers={"X-Forwarded-Proto": "https"}))
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def production_responses():
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64)[:50],
        ALLOWED_HOSTS="testserver",
        LOG_LEVEL="WARNING",
    )
    return last_json_line(run_python("-c", PROBE, env=env))


def test_https_response_carries_the_security_headers(production_responses):
    headers = production_responses["https"]["headers"]
    assert production_responses["https"]["status"] == 200
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"


def test_plain_http_behind_the_proxy_is_redirected_to_https(production_responses):
    response = production_responses["http_api"]
    assert response["status"] == 301
    assert response["location"] == "https://testserver/api/v1/documents/"


def test_health_probes_are_not_redirected(production_responses):
    assert production_responses["http_healthz"]["status"] == 200
    assert production_responses["http_readyz"]["status"] in {200, 503}


def test_cookies_are_secure(production_responses):
    cookies = production_responses["login"]["cookies"]
    assert cookies["csrftoken"]["secure"] is True


def test_content_security_policy_forbids_inline_code(production_responses):
    policy = production_responses["https"]["headers"]["content-security-policy"]
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip()
    )
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_csp_header_is_sent_under_the_default_settings_too(client):
    response = client.get("/healthz")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_swagger_page_has_no_inline_script_so_the_csp_allows_it(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts, "the page loads its JavaScript"
    for attributes, body in scripts:
        assert "src=" in attributes and not body.strip(), attributes
    initialiser = client.get("/api/docs/?script=")
    assert initialiser.status_code == 200
    assert "SwaggerUIBundle" in initialiser.content.decode()
