"""Request ids and structured (JSON lines) access logging."""

import json
import logging
import os
import re

import pytest

from tests.factories import make_user
from tests.probes import run_python


def test_a_request_id_is_generated_and_echoed(client):
    response = client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert client.get("/healthz")["X-Request-ID"] != response["X-Request-ID"]


def test_the_callers_request_id_is_kept(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42:1"})
    assert response["X-Request-ID"] == "lb-7f3a.42:1"


@pytest.mark.parametrize("bad", ["has space", "x" * 200, "line\\nbreak", "<script>"])
def test_a_malformed_request_id_is_replaced(client, bad):
    response = client.get("/healthz", headers={"X-Request-ID": bad})
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def access_records(caplog):
    return [r for r in caplog.records if r.name == "annotator.access"]


def test_access_log_has_request_user_and_latency(db, client, caplog):
    user = make_user("logger-user", groups=["Moderator"], is_staff=True)
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="annotator.access"):
        response = client.get("/admin/", headers={"X-Request-ID": "req-1"})
    [record] = access_records(caplog)
    assert record.request_id == "req-1"
    assert record.user_id == user.pk
    assert record.method == "GET"
    assert record.path == "/admin/"
    assert record.status == response.status_code == 200
    assert isinstance(record.latency_ms, float)
    assert record.latency_ms >= 0


def test_access_log_of_an_anonymous_request_has_no_user(client, caplog):
    with caplog.at_level(logging.INFO, logger="annotator.access"):
        client.get("/healthz")
    [record] = access_records(caplog)
    assert record.user_id is None
    assert record.status == 200


LOG_PROBE = """
import logging, django
django.setup()
from django.test import Client
Client().get("/healthz", headers={"X-Request-ID": "probe-req"})
logging.getLogger("annotator.demo").warning("outside any request")
"""


def test_log_lines_are_json_with_the_request_fields():
    """The LOGGING configuration itself writes one JSON object per line to stderr."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        ALLOWED_HOSTS="testserver",
        LOG_LEVEL="INFO",
    )
    env.pop("LOG_FORMAT", None)
    result = run_python("-c", LOG_PROBE, env=env)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "annotator.access"]
    assert len(access) == 1
    assert access[0]["request_id"] == "probe-req"
    assert access[0]["method"] == "GET"
    assert access[0]["path"] == "/healthz"
    assert access[0]["status"] == 200
    assert access[0]["user_id"] is None
    assert access[0]["level"] == "INFO"
    assert isinstance(access[0]["latency_ms"], float)
    assert "time" in access[0]
    [outside] = [line for line in lines if line["logger"] == "annotator.demo"]
    assert outside["message"] == "outside any request"
    assert outside["request_id"] is None
