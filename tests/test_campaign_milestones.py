"""Campaign milestones: campaign.opened and campaign.completed webhooks (through the outbox,
filtered by who may see the campaign), and the notifications of assigned work and of a
campaign due in 24 h (jobs run by the worker, never in the request)."""

import datetime
import json

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from annotator.campaigns.lifecycle import create_campaign, open_campaign, reassign
from annotator.models import Assignment, Campaign
from annotator.notifications.models import Notification
from annotator.outbox.models import OutboxEvent
from tests.campaign_support import judge, make_document, make_pool
from tests.conftest import make_user
from tests.receiver import Receiver


@pytest.fixture
def manager(db):
    return make_user("lead", groups=["Moderator"], is_staff=True, is_superuser=True)


def run_worker():
    call_command("run_worker", "--until-empty")


def register(owner, url, events):
    client = APIClient()
    client.force_login(owner)
    response = client.post("/api/v1/webhooks/", {"url": url, "events": events}, format="json")
    assert response.status_code == 201, response.content


def received(receiver) -> list[dict]:
    return [json.loads(body) for _, _, body in receiver.requests]


def draft(manager, document, pool, overlap=1, quorum=1, **extra):
    return create_campaign(
        by=manager,
        name="Elections",
        documents=[document.pk],
        reviewers=[u.username for u in pool],
        overlap=overlap,
        quorum=quorum,
        **extra,
    )


def assigned_titles(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, kind="assigned").values_list("title", flat=True)
    )


def test_opening_through_the_web_sends_campaign_opened_and_notifies_in_the_worker(manager):
    document = make_document("open", 4)
    pool = make_pool(3)
    campaign = draft(manager, document, pool)
    web = Client()
    web.force_login(manager)
    with Receiver() as receiver:
        register(manager, receiver.url, ["campaign.opened"])
        response = web.post(f"/campaigns/{campaign.pk}/open/")
        assert response.status_code == 302
        # The request only wrote rows: the event and a job; nobody is notified yet.
        assert OutboxEvent.objects.filter(type="campaign.opened", subject_id=campaign.pk).exists()
        assert not Notification.objects.exists()
        run_worker()
        [payload] = received(receiver)
    assert payload["type"] == "campaign.opened"
    assert payload["data"]["id"] == campaign.pk and payload["data"]["name"] == "Elections"
    assert payload["data"]["documents"] == 1 and payload["data"]["status"] == "open"
    # Campaign-level facts only: no reviewer names or loads.
    assert not any(user.username in json.dumps(payload) for user in pool)
    for user in pool:
        assert assigned_titles(user) == ["New passages for you in campaign “Elections”"]
    assert Notification.objects.get(recipient=pool[0]).url == "/assignments/"


def test_a_refused_opening_writes_no_event_and_notifies_nobody(manager):
    document = make_document("refused", 3)
    pool = make_pool(2)
    campaign = draft(manager, document, pool, overlap=2, quorum=2)
    pool[1].is_active = False
    pool[1].save()
    api = APIClient()
    api.force_login(manager)
    answer = api.post(f"/api/v1/campaigns/{campaign.pk}/open/")
    assert answer.status_code == 400 and "overlap" in answer.json()
    run_worker()
    assert not OutboxEvent.objects.filter(type__startswith="campaign.").exists()
    assert not Notification.objects.exists()


def test_campaign_events_reach_only_endpoints_whose_owner_may_see_the_campaign(manager):
    document = make_document("seen", 3)
    pool = make_pool(2)
    outsider = make_user("outsider", groups=["Reviewer"])
    permission = Permission.objects.get(codename="add_webhookendpoint")
    for owner in (pool[0], outsider):  # webhook administrators who are not managers
        owner.user_permissions.add(permission)
    campaign = draft(manager, document, pool)
    with Receiver() as member_hook, Receiver() as outsider_hook:
        register(pool[0], member_hook.url, ["campaign.opened"])
        register(outsider, outsider_hook.url, ["campaign.opened"])
        open_campaign(campaign, by=manager)
        run_worker()
        assert [p["data"]["id"] for p in received(member_hook)] == [campaign.pk]
        assert outsider_hook.requests == []


def test_the_last_assignment_done_completes_the_campaign_once(manager):
    document = make_document("done", 3)
    pool = make_pool(2)
    campaign = open_campaign(draft(manager, document, pool), by=manager)
    rows = list(Assignment.objects.filter(campaign=campaign).select_related("passage", "reviewer"))
    with Receiver() as receiver:
        register(manager, receiver.url, ["campaign.completed"])
        for row in rows[:-1]:
            judge(row.reviewer, row.passage, 4)
        run_worker()
        assert receiver.requests == []
        campaign.refresh_from_db()
        assert campaign.completed_at is None
        judge(rows[-1].reviewer, rows[-1].passage, 4)
        run_worker()
        # Another judgment of an assigned passage afterwards sends nothing more.
        other = next(user for user in pool if user != rows[0].reviewer)
        judge(other, rows[0].passage, 5)
        run_worker()
        payloads = received(receiver)
    campaign.refresh_from_db()
    assert campaign.completed_at is not None and campaign.status == Campaign.Status.OPEN
    assert [p["type"] for p in payloads] == ["campaign.completed"]
    assert payloads[0]["data"]["id"] == campaign.pk
    assert payloads[0]["data"]["completed_at"] == campaign.completed_at.isoformat()
    api = APIClient()
    api.force_login(manager)
    shown = api.get(f"/api/v1/campaigns/{campaign.pk}/").json()["completed_at"]
    assert shown.replace("Z", "+00:00") == campaign.completed_at.isoformat()


def test_a_tie_breaker_and_a_reassignment_notify_the_reviewer_who_gets_the_work(manager):
    document = make_document("tie", 3)
    pool = make_pool(3)
    campaign = open_campaign(draft(manager, document, pool, overlap=2, quorum=2), by=manager)
    run_worker()
    Notification.objects.all().delete()
    passage = document.passages.get(index=1)
    first, second = (
        row.reviewer
        for row in Assignment.objects.filter(passage=passage).select_related("reviewer")
    )
    third = next(user for user in pool if user not in (first, second))
    judge(first, passage, 1)
    judge(second, passage, 5)  # disputed: a tie-breaker for the third
    assert not Notification.objects.exists()
    run_worker()
    assert assigned_titles(third) == ["A tie-breaker for you in campaign “Elections”"]
    assert not Notification.objects.exclude(recipient=third).exists()

    other = document.passages.get(index=2)
    holder = Assignment.objects.filter(passage=other).exclude(reviewer=third).first().reviewer
    free = next(
        user
        for user in pool
        if not Assignment.objects.filter(passage=other, reviewer=user).exists()
    )
    reassign(
        campaign,
        passage_id=other.pk,
        from_username=holder.username,
        to_username=free.username,
        by=manager,
        reason="Holiday",
    )
    run_worker()
    assert "A passage moved to you in campaign “Elections”" in assigned_titles(free)


def test_members_with_open_work_are_told_once_on_the_day_a_campaign_is_due(manager):
    document = make_document("due", 3)
    pool = make_pool(2)
    today = timezone.now().astimezone(datetime.UTC).date()
    later = open_campaign(
        draft(manager, document, pool, due=today + datetime.timedelta(days=2)), by=manager
    )
    campaign = open_campaign(draft(manager, document, pool, due=today), by=manager)
    finished, late = pool
    for row in Assignment.objects.filter(campaign=campaign, reviewer=finished):
        judge(finished, row.passage, 3)
    run_worker()
    run_worker()  # a second pass reminds nobody again
    due = Notification.objects.filter(kind="campaign_due")
    assert [(n.recipient_id, n.title) for n in due] == [
        (late.pk, f"Campaign “Elections” is due in 24 hours (end of {today:%Y-%m-%d} UTC)")
    ]
    later.refresh_from_db()
    assert later.due_reminded_at is None
