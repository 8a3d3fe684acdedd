"""Notifications: created by jobs, per-user preferences, daily digest, one-click unsubscribe."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from annotator.models import Consensus
from annotator.notifications import services
from annotator.notifications.models import Notification, Preference
from annotator.notifications.tasks import enqueue_digest_if_due
from tests.conftest import make_user

QUOTE = "A wonderful drama is about to be staged"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def run_worker():
    call_command("run_worker", "--until-empty")


@pytest.fixture
def people(db):
    return [make_user(f"r{i}", groups=["Reviewer"], email=f"r{i}@example.org") for i in range(3)]


@pytest.mark.django_db
def test_notify_later_is_a_job_of_the_callers_transaction(people):
    """What campaigns call when work is assigned: nothing if the assignment rolls back."""
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notify_later("assigned", [p.pk for p in people], "New work", "/next/")
        raise RuntimeError
    run_worker()
    assert not Notification.objects.exists()
    services.notify_later("assigned", [p.pk for p in people], "New work", "/next/")
    assert not Notification.objects.exists()  # only the worker creates them
    run_worker()
    assert Notification.objects.filter(kind="assigned").count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == [p.email for p in people]


@pytest.mark.django_db
def test_preferences_mute_kinds_and_choose_email(people):
    first, second, third = people
    Preference.objects.create(user=first, muted=["campaign_due"])
    Preference.objects.create(user=second, email="off")
    Preference.objects.create(user=third, email="daily")
    services.notify_later("campaign_due", [p.pk for p in people], "Campaign due in 24 h")
    run_worker()
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == [
        "r1",
        "r2",
    ]
    assert mail.outbox == []  # r1: email off; r2: daily digest
    # The digest goes out once a day, once whatever the number of workers.
    assert enqueue_digest_if_due(datetime.datetime(2026, 1, 2, 23, tzinfo=datetime.UTC))
    assert not enqueue_digest_if_due(datetime.datetime(2026, 1, 2, 23, 30, tzinfo=datetime.UTC))
    run_worker()
    assert [m.to for m in mail.outbox] == [["r2@example.org"]]
    assert "digest" in mail.outbox[0].subject and "Campaign due" in mail.outbox[0].body
    run_worker()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_bell_page_lists_marks_read_and_saves_preferences(people):
    user = people[0]
    services.notify_later("mention", [user.pk], "alice mentioned you", "/")
    run_worker()
    client = Client()
    client.force_login(user)
    page = client.get("/notifications/").content.decode()
    assert "alice mentioned you" in page and 'data-testid="bell"' in page
    assert "1 unread" in page
    client.post("/notifications/", {"action": "read"})
    assert client.get("/api/v1/notifications/").json()["unread"] == 0
    response = client.post(
        "/notifications/", {"action": "preferences", "email": "daily", "muted": ["reply"]}
    )
    assert response.status_code == 302
    preference = Preference.objects.get(user=user)
    assert preference.email == "daily" and preference.muted == ["reply"]


@pytest.mark.django_db
def test_unsubscribe_is_one_click_without_login_and_needs_a_valid_token(people):
    user = people[0]
    services.notify_later("mention", [user.pk], "hello", "/")
    run_worker()
    link = next(
        line.split(": ", 1)[1] for line in mail.outbox[0].body.splitlines() if "one click" in line
    )
    path = link.removeprefix("http://127.0.0.1:8000")
    anonymous = Client(enforce_csrf_checks=True)
    assert b"Unsubscribe r0" in anonymous.get(path).content
    assert not Preference.objects.filter(user=user, email="off").exists()  # GET changes nothing
    # RFC 8058 one-click: a POST from the mail client, no session, no CSRF token.
    response = anonymous.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Preference.objects.get(user=user).email == "off"
    forged = path.replace(path.split("/")[-2], path.split("/")[-2][:-2] + "xx")
    assert anonymous.post(forged).status_code == 400
    services.notify_later("mention", [user.pk], "again", "/")
    run_worker()
    assert len(mail.outbox) == 1  # no more email, still in the app
    assert Notification.objects.filter(recipient=user).count() == 2


@pytest.mark.django_db
def test_reviewers_are_told_when_their_disputed_passage_is_adjudicated(
    seeded, reviewer, other_reviewer, moderator
):
    doc = seeded["000"]
    start = doc.body.index(QUOTE)
    for user, rating in ((reviewer, 1), (other_reviewer, 5)):
        body = {"document": doc.pk, "start": start, "end": start + len(QUOTE), "exact": QUOTE}
        response = client_for(user).post(
            "/api/v1/annotations/", {**body, "reliability": rating}, format="json"
        )
        assert response.status_code == 201
    from annotator.moderation import adjudicate

    group = Consensus.objects.get(kind="passage", document=doc)
    adjudicate(group, moderator=moderator, reliability=2, flags=[], reason="checked the archive")
    run_worker()
    assert sorted(
        Notification.objects.filter(kind="adjudicated").values_list(
            "recipient__username", flat=True
        )
    ) == ["alice", "bob"]
