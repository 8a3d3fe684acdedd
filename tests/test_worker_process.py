"""The worker as its own process (as in production): it relays and delivers what the web
process committed, and picks up after being killed."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from annotator.webhooks.models import WebhookDelivery, WebhookEndpoint
from annotator.webhooks.signing import new_secret
from tests.conftest import make_user
from tests.receiver import Receiver

QUOTE = "A wonderful drama is about to be staged"


def start_worker() -> subprocess.Popen:
    database = settings.DATABASES["default"]
    url = (
        f"postgres://{database['USER']}@{database['HOST']}:{database['PORT'] or 5432}"
        f"/{connection.settings_dict['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "WORKER_INTERVAL": "0.05",
        "WEBHOOK_LEASE_SECONDS": "2",  # a killed worker's claims expire quickly
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.postgres
@pytest.mark.slow
def test_a_separate_worker_process_delivers_committed_events(migration_data, seeded):
    owner = make_user("root", is_superuser=True)
    reviewer = make_user("alice", groups=["Reviewer"])
    doc = seeded["000"]
    start = doc.body.index(QUOTE)
    with Receiver() as receiver:
        WebhookEndpoint.objects.create(
            url=receiver.url, events=["annotation.created"], owner=owner, secret=new_secret()
        )
        worker = start_worker()
        try:
            client = APIClient()
            client.force_login(reviewer)
            body = {"document": doc.pk, "start": start, "end": start + len(QUOTE), "exact": QUOTE}
            response = client.post(
                "/api/v1/annotations/", {**body, "reliability": 2}, format="json"
            )
            assert response.status_code == 201
            assert wait_for(lambda: len(receiver.requests) == 1)
            # Killed without warning (perhaps before it recorded the delivery), then restarted:
            # nothing is lost; a delivery may come twice, with the same webhook-id.
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            response = client.post(
                "/api/v1/annotations/",
                {"document": doc.pk, "start": 0, "end": 5, "exact": doc.body[:5], "reliability": 3},
                format="json",
            )
            assert response.status_code == 201, response.content
            worker = start_worker()
            assert wait_for(lambda: WebhookDelivery.objects.filter(status="succeeded").count() == 2)
            ids = {headers["webhook-id"] for _, headers, _ in receiver.requests}
            assert len(ids) == 2
        finally:
            worker.kill()
            worker.wait()
