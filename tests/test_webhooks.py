"""Webhooks: the outbox, Standard Webhooks signatures, delivery, retries, disabling, visibility."""

import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from annotator import outbound
from annotator.models import Annotation
from annotator.outbox.models import OutboxEvent
from annotator.webhooks import signing
from annotator.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.conftest import make_user
from tests.receiver import Receiver

QUOTE = "A wonderful drama is about to be staged"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def annotate(user, doc, text=QUOTE, reliability=2):
    start = doc.body.index(text)
    body = {"document": doc.pk, "start": start, "end": start + len(text), "exact": text}
    response = client_for(user).post(
        "/api/v1/annotations/", {**body, "reliability": reliability}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def register(user, url, events=("annotation.created",)):
    return client_for(user).post(
        "/api/v1/webhooks/", {"url": url, "events": list(events)}, format="json"
    )


def run_worker():
    call_command("run_worker", "--until-empty")


@pytest.fixture
def admin_user(db):
    return make_user("root", is_superuser=True, is_staff=True, email="root@example.org")


@pytest.fixture
def doc(seeded):
    return seeded["000"]


# --- Signatures ------------------------------------------------------------------------------


def test_signature_matches_the_standard_webhooks_reference_vector():
    # The example of the Standard Webhooks specification (and its libraries' test suites).
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    msg_id, timestamp = "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330
    body = b'{"test": 2432232314}'
    expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert signing.sign(secret, msg_id, timestamp, body) == expected
    assert signing.verify(secret, msg_id, timestamp, body, f"v1,bm90IGl0 {expected}")
    assert not signing.verify(secret, msg_id, timestamp + 1, body, expected)
    assert not signing.verify(secret, msg_id, timestamp, body + b" ", expected)


def test_new_secrets_are_whsec_base64_of_24_random_bytes():
    first, second = signing.new_secret(), signing.new_secret()
    assert first.startswith("whsec_") and first != second
    assert len(signing.secret_bytes(first)) == 24


# --- The outbox ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_event_is_written_with_its_change_and_not_for_a_rolled_back_one(doc, reviewer):
    from annotator.annotations import create_annotation

    start = doc.body.index(QUOTE)
    with pytest.raises(RuntimeError), transaction.atomic():
        create_annotation(
            reviewer=reviewer, document=doc, start=start, end=start + len(QUOTE), reliability=2
        )
        assert OutboxEvent.objects.filter(type="annotation.created").count() == 1
        raise RuntimeError("the request fails after the write")
    assert not OutboxEvent.objects.filter(type="annotation.created").exists()

    created = annotate(reviewer, doc)
    event = OutboxEvent.objects.get(type="annotation.created")
    assert event.subject_id == created["id"] and event.data["reliability"] == 2
    assert event.dispatched_at is None


@pytest.mark.django_db
def test_withdrawal_hiding_moderation_and_consensus_changes_are_events(
    doc, reviewer, other_reviewer, third_reviewer, moderator
):
    first = annotate(reviewer, doc, reliability=1)
    annotate(other_reviewer, doc, reliability=1)
    annotate(third_reviewer, doc, reliability=1)
    assert OutboxEvent.objects.filter(type="consensus.status_changed").exists()
    response = client_for(reviewer).post(
        f"/api/v1/annotations/{first['id']}/withdraw/", {"version": 1}, format="json"
    )
    assert response.status_code == 200, response.content
    assert OutboxEvent.objects.filter(type="annotation.withdrawn", subject_id=first["id"]).exists()

    from annotator.moderation import hide_annotations

    second = Annotation.objects.get(reviewer=other_reviewer)
    hide_annotations([second], moderator=moderator, reason="spam")
    assert OutboxEvent.objects.filter(type="annotation.hidden", subject_id=second.pk).exists()
    action = OutboxEvent.objects.get(type="moderation.action")
    assert action.data["action"] == "annotation.hide" and action.data["reason"] == "spam"


@pytest.mark.django_db
def test_importing_a_document_is_an_event(seeded):
    assert OutboxEvent.objects.filter(type="document.created").count() == len(seeded)


# --- Registration ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_administrators_register_endpoints_and_the_secret_is_shown_once(admin_user, moderator):
    with Receiver() as receiver:
        assert register(moderator, receiver.url).status_code == 403
        response = register(admin_user, receiver.url)
        assert response.status_code == 201, response.content
        created = response.json()
        assert created["secret"].startswith("whsec_")
        assert created["events"] == ["annotation.created"]
        listed = client_for(admin_user).get("/api/v1/webhooks/").json()
        assert [row["id"] for row in listed] == [created["id"]]
        assert "secret" not in listed[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, field",
    [
        ({"url": "ftp://example.org/x", "events": ["annotation.created"]}, "url"),
        ({"events": ["annotation.created"]}, "url"),
        ({"url": "http://127.0.0.1:9/x", "events": []}, "events"),
        ({"url": "http://127.0.0.1:9/x", "events": ["annotation.eaten"]}, "events"),
    ],
)
def test_bad_registrations_are_400_naming_the_field(admin_user, body, field):
    response = client_for(admin_user).post("/api/v1/webhooks/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.django_db
@override_settings(ALLOW_PRIVATE_NETWORK_TARGETS=False)
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:192.168.0.1]/hook",
    ],
)
def test_private_and_loopback_targets_are_refused(admin_user, url):
    response = register(admin_user, url)
    assert response.status_code == 400
    assert "private or loopback" in response.json()["url"][0]
    with pytest.raises(outbound.OutboundRefused):
        outbound.request("POST", url, body=b"{}")


# --- Delivery --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_committed_event_is_delivered_signed_once(admin_user, doc, reviewer):
    with Receiver() as receiver:
        secret = register(admin_user, receiver.url).json()["secret"]
        created = annotate(reviewer, doc)
        run_worker()
        assert len(receiver.requests) == 1
        _, headers, body = receiver.requests[0]
        headers = {name.lower(): value for name, value in headers.items()}
        assert signing.verify(
            secret,
            headers["webhook-id"],
            int(headers["webhook-timestamp"]),
            body,
            headers["webhook-signature"],
        )
        payload = json.loads(body)
        assert payload["type"] == "annotation.created"
        assert payload["data"]["id"] == created["id"]
        event = OutboxEvent.objects.get(type="annotation.created")
        assert headers["webhook-id"] == event.msg_id and event.dispatched_at is not None
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == "succeeded" and delivery.last_status_code == 204
        assert delivery.last_latency_ms is not None
        run_worker()
        assert len(receiver.requests) == 1  # nothing sent twice


@pytest.mark.django_db
@override_settings(
    WEBHOOKS={
        "TIMEOUT": 5.0,
        "BATCH": 50,
        "CONCURRENCY": 4,
        "LEASE_SECONDS": 60,
        "MAX_ATTEMPTS": 4,
        "BACKOFF_BASE": 10.0,
        "BACKOFF_MAX": 25.0,
        "DISABLE_AFTER": 100,
    }
)
def test_failures_are_retried_with_exponential_backoff_and_jitter_then_given_up(
    admin_user, doc, reviewer
):
    with Receiver(status=500) as receiver:
        register(admin_user, receiver.url)
        annotate(reviewer, doc)
        delays = []
        for attempt in range(1, 5):
            before = timezone.now()
            run_worker()
            delivery = WebhookDelivery.objects.get()
            assert delivery.attempts == attempt and delivery.last_status_code == 500
            if attempt < 4:
                assert delivery.status == "pending"
                delays.append((delivery.next_attempt_at - before).total_seconds())
                # Time passes: the retry falls due.
                WebhookDelivery.objects.update(next_attempt_at=timezone.now())
        assert delivery.status == "failed"
        assert len(receiver.requests) == 4
        ids = {headers["webhook-id"] for _, headers, _ in receiver.requests}
        assert len(ids) == 1  # the same id on every retry, for deduplication
    # base·2^(n-1), capped at 25 s, times 50–100 %.
    for delay, ceiling in zip(delays, [10, 20, 25], strict=True):
        assert ceiling * 0.5 - 1 <= delay <= ceiling + 1


@pytest.mark.django_db
@override_settings(
    WEBHOOKS={
        "TIMEOUT": 5.0,
        "BATCH": 50,
        "CONCURRENCY": 4,
        "LEASE_SECONDS": 60,
        "MAX_ATTEMPTS": 10,
        "BACKOFF_BASE": 10.0,
        "BACKOFF_MAX": 60.0,
        "DISABLE_AFTER": 3,
    }
)
def test_an_endpoint_that_keeps_failing_is_disabled_and_admins_are_told(admin_user, doc, reviewer):
    with Receiver(status=503) as receiver:
        register(admin_user, receiver.url)
        annotate(reviewer, doc)
        for _ in range(3):
            run_worker()
            WebhookDelivery.objects.update(next_attempt_at=timezone.now())
        endpoint = WebhookEndpoint.objects.get()
        assert not endpoint.is_active and endpoint.consecutive_failures == 3
        assert "3 consecutive" in endpoint.disabled_reason
        run_worker()
        assert len(receiver.requests) == 3  # a disabled endpoint is sent nothing
    assert [message.to for message in mail.outbox] == [["root@example.org"]]
    assert receiver.url in mail.outbox[0].subject


@pytest.mark.django_db
def test_a_payload_never_carries_what_the_owner_could_not_see(doc, reviewer, other_reviewer):
    from django.contrib.auth.models import Permission

    # A non-moderator administrator of webhooks, under blind review.
    reviewer.user_permissions.add(Permission.objects.get(codename="add_webhookendpoint"))
    with Receiver() as receiver:
        assert register(reviewer, receiver.url).status_code == 201
        annotate(other_reviewer, doc)  # before the owner judged the passage: not visible
        run_worker()
        assert receiver.requests == []
        own = annotate(reviewer, doc)
        run_worker()
        sent = [json.loads(body)["data"]["id"] for _, _, body in receiver.requests]
        assert sent == [own["id"]]


@pytest.mark.django_db
def test_the_target_is_checked_again_when_delivering(admin_user, doc, reviewer):
    # Registered while loopback was allowed; delivering after the rule tightened is refused
    # (each endpoint's address is resolved and checked again for every batch of deliveries).
    with Receiver() as receiver:
        register(admin_user, receiver.url)
        annotate(reviewer, doc)
        with override_settings(ALLOW_PRIVATE_NETWORK_TARGETS=False):
            run_worker()
        assert receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1
    assert "private or loopback" in delivery.last_error
