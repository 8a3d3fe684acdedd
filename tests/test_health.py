"""/healthz, /readyz, and the 503 answer when the database cannot be reached."""

import json
import os

import pytest

from tests.probes import last_json_line, run_python

# Nothing listens on port 1 of the loopback: connecting is refused at once, like a stopped server.
UNREACHABLE_DATABASE_URL = "postgres://postgres@127.0.0.1:1/annot_unreachable"


def test_healthz_answers_without_the_database(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_the_database_and_migrations(db, client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_readyz_remembers_that_migrations_are_applied(db, client, django_assert_num_queries):
    client.get("/readyz")
    # Later probes only ping the database; the migration graph is not rebuilt.
    with django_assert_num_queries(1):
        assert client.get("/readyz").status_code == 200


OUTAGE_PROBE = """
import json, time, django
django.setup()
from django.test import Client
client = Client()
out = {}
for name, path, headers in [
    ("healthz", "/healthz", {}),
    ("readyz", "/readyz", {}),
    ("admin", "/admin/", {"X-Request-ID": "probe-123"}),
    ("web", "/", {}),
]:
    client.cookies["sessionid"] = "a-session-that-must-be-looked-up"
    started = time.perf_counter()
    response = client.get(path, headers=headers)
    out[name] = {
        "status": response.status_code,
        "seconds": time.perf_counter() - started,
        "content_type": response.get("Content-Type"),
        "retry_after": response.get("Retry-After"),
        "request_id": response.get("X-Request-ID"),
        "body": response.content.decode(),
    }
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def outage_responses():
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=UNREACHABLE_DATABASE_URL,
        ALLOWED_HOSTS="testserver",
        LOG_LEVEL="CRITICAL",
    )
    return last_json_line(run_python("-c", OUTAGE_PROBE, env=env))


def test_healthz_stays_up_during_a_database_outage(outage_responses):
    assert outage_responses["healthz"]["status"] == 200


def test_readyz_reports_the_outage(outage_responses):
    readyz = outage_responses["readyz"]
    assert readyz["status"] == 503
    assert json.loads(readyz["body"]) == {
        "status": "unavailable",
        "database": "unreachable: OperationalError",
    }


@pytest.mark.parametrize("page", ["admin", "web"])
def test_requests_needing_the_database_fail_fast_with_a_clear_503(outage_responses, page):
    response = outage_responses[page]
    assert response["status"] == 503
    assert response["content_type"] == "application/json"
    assert response["retry_after"] == "5"
    assert response["seconds"] < 2.0
    body = json.loads(response["body"])
    assert body == {
        "detail": "The database is unavailable; try again shortly.",
        "request_id": response["request_id"],
    }
    assert "Traceback" not in response["body"]


def test_the_callers_request_id_is_kept_in_the_503(outage_responses):
    assert outage_responses["admin"]["request_id"] == "probe-123"
    assert json.loads(outage_responses["admin"]["body"])["request_id"] == "probe-123"
