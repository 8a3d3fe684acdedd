"""Authorization gaps from issue #12, each reproduced as an attack that must now fail."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from annotator import moderation
from annotator.audit import record_action
from annotator.models import (
    Annotation,
    ApiToken,
    FlagType,
    ModerationAction,
    Suggestion,
    SuggestionDecision,
    User,
)
from annotator.tokens import create_token
from tests.factories import make_user

pytestmark = pytest.mark.django_db

QUOTE = '"A wonderful drama is about to be staged."'


@pytest.fixture(autouse=True)
def _fresh_throttles_and_lockouts():
    cache.clear()


@pytest.fixture
def admin_user(db):
    return make_user("root", is_staff=True, is_superuser=True)


# --- reinstating staff accounts ------------------------------------------------------------------


def test_a_moderator_cannot_reinstate_a_staff_account_an_admin_suspended(admin_user, moderator):
    other_moderator = make_user("mod2", groups=["Moderator"], is_staff=True)
    moderation.suspend_reviewer(other_moderator, moderator=admin_user, reason="left")
    with pytest.raises(moderation.ModerationError, match="Only an administrator"):
        moderation.reinstate_reviewer(other_moderator, moderator=moderator, reason="friend")
    assert User.objects.get(pk=other_moderator.pk).is_active is False
    # The admin may.
    moderation.reinstate_reviewer(other_moderator, moderator=admin_user, reason="back")
    assert User.objects.get(pk=other_moderator.pk).is_active is True


def test_the_admin_reinstate_action_refuses_a_moderator_for_a_staff_account(
    client, admin_user, moderator
):
    staff = make_user("mod2", groups=["Moderator"], is_staff=True)
    moderation.suspend_reviewer(staff, moderator=admin_user, reason="left")
    client.force_login(moderator)
    url = reverse("admin:annotator_user_changelist")
    form = {"action": "reinstate_selected", ACTION_CHECKBOX_NAME: [str(staff.pk)]}
    client.post(url, {**form, "index": "0"})
    response = client.post(url, {**form, "apply": "yes", "reason": "friend"}, follow=True)
    assert "Only an administrator" in response.content.decode()
    assert User.objects.get(pk=staff.pk).is_active is False
    assert list(ModerationAction.objects.values_list("action", flat=True)) == ["user.suspend"]


# --- annotations citing suggestions ----------------------------------------------------------


def _suggestion(document, text):
    start = document.body.index(text)
    return Suggestion.objects.create(
        document=document,
        start=start,
        end=start + len(text),
        exact=text,
        reason="test",
        flag=FlagType.objects.get(slug="unsupported-claim"),
        detector="test",
        confidence=0.5,
    )


def _annotation_payload(document, text, **extra):
    start = document.body.index(text)
    return {
        "document": document.pk,
        "start": start,
        "end": start + len(text),
        "exact": text,
        "reliability": 2,
        **extra,
    }


def test_an_annotation_cannot_cite_a_suggestion_on_another_document(seeded, reviewer):
    elsewhere = _suggestion(seeded["002"], seeded["002"].body[:20])
    api = APIClient()
    api.force_login(reviewer)
    payload = _annotation_payload(seeded["000"], QUOTE, suggestion=elsewhere.pk)
    response = api.post("/api/v1/annotations/", payload, format="json")
    assert response.status_code == 400
    assert "another document" in response.json()["suggestion"][0]
    assert not Annotation.objects.exists() and not SuggestionDecision.objects.exists()


def test_an_annotation_cannot_cite_a_suggestion_its_span_does_not_overlap(seeded, reviewer):
    doc = seeded["000"]
    far = _suggestion(doc, doc.body[:10])
    api = APIClient()
    api.force_login(reviewer)
    payload = _annotation_payload(doc, QUOTE, suggestion=far.pk)
    response = api.post("/api/v1/annotations/", payload, format="json")
    assert response.status_code == 400
    assert "does not overlap" in response.json()["suggestion"][0]
    assert not Annotation.objects.exists()


def test_citing_an_overlapping_suggestion_records_the_acceptance(seeded, reviewer):
    doc = seeded["000"]
    cited = _suggestion(doc, QUOTE[1:12])
    api = APIClient()
    api.force_login(reviewer)
    payload = _annotation_payload(doc, QUOTE, suggestion=cited.pk)
    response = api.post("/api/v1/annotations/", payload, format="json")
    assert response.status_code == 201, response.json()
    decision = SuggestionDecision.objects.get()
    assert (decision.suggestion, decision.reviewer, decision.decision) == (
        cited,
        reviewer,
        "accepted",
    )
    assert decision.annotation_id == response.json()["id"]
    # Decided: the API shows this reviewer's decision, and a dismissal afterwards is refused.
    listed = api.get("/api/v1/suggestions/", {"document": doc.pk}).json()["results"]
    assert {item["id"]: item["my_decision"] for item in listed}[cited.pk] == "accepted"
    dismissed = api.post(f"/api/v1/suggestions/{cited.pk}/dismiss/", {}, format="json")
    assert dismissed.status_code == 409  # already decided: a conflict with stored state


# --- token cap and per-user throttles ----------------------------------------------------------


@pytest.fixture
def cap_of_two(settings):
    settings.ANNOTATOR = {**settings.ANNOTATOR, "MAX_TOKENS_PER_USER": 2}


def test_the_api_refuses_tokens_past_the_per_user_cap(cap_of_two, reviewer):
    api = APIClient()
    api.force_login(reviewer)
    created = [
        api.post("/api/v1/tokens/", {"name": f"t{i}"}, format="json").status_code for i in range(3)
    ]
    assert created == [201, 201, 400]
    refused = api.post("/api/v1/tokens/", {"name": "more"}, format="json")
    assert "the limit is 2" in refused.json()["user"][0]
    assert ApiToken.objects.filter(user=reviewer).count() == 2
    # Revoking one makes room again.
    first = ApiToken.objects.filter(user=reviewer).first()
    api.post(f"/api/v1/tokens/{first.pk}/revoke/", {}, format="json")
    assert api.post("/api/v1/tokens/", {"name": "again"}, format="json").status_code == 201


def test_the_command_and_the_admin_refuse_tokens_past_the_cap(
    cap_of_two, client, admin_user, reviewer
):
    create_token(reviewer, "one")
    call_command("create_api_token", "alice", "--name", "two")
    with pytest.raises(CommandError, match="the limit is 2"):
        call_command("create_api_token", "alice", "--name", "three")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:annotator_apitoken_add"),
        {"user": reviewer.pk, "name": "four", "scope": "export"},
    )
    assert response.status_code == 200
    assert "the limit is 2" in str(response.context["adminform"].form.errors["user"])
    assert ApiToken.objects.filter(user=reviewer).count() == 2


def test_minting_more_tokens_brings_no_more_requests(reviewer, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "4/minute", "user": None, "anon": None},
    }
    clients = [
        APIClient(HTTP_AUTHORIZATION=f"Bearer {create_token(reviewer, f't{i}')[1]}")
        for i in range(4)
    ]
    codes = [client.get("/api/v1/flags/").status_code for client in clients for _ in range(2)]
    assert codes.count(200) == 4 and codes[-1] == 429


# --- client addresses behind the reverse proxy ------------------------------------------------

PROXY = "10.0.0.1"


def _login(client, username, password, client_ip, forwarded_prefix=""):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"{forwarded_prefix}{client_ip}",
    )


def test_a_stranger_behind_the_proxy_cannot_lock_a_reviewer_out(client, reviewer, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for attempt in range(6):
        # Prepending made-up addresses does not help: the proxy's entry is the one trusted.
        _login(client, "alice", "wrong", "203.0.113.9", forwarded_prefix=f"192.0.2.{attempt}, ")
    assert _login(client, "alice", "pw-alice", "203.0.113.9").status_code == 429
    # Alice, from her own address through the same proxy, still logs in.
    response = _login(client, "alice", "pw-alice", "198.51.100.7")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(reviewer.pk)


def test_without_trusted_proxies_the_forwarded_header_is_ignored(client, reviewer, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for attempt in range(5):
        _login(client, "alice", "wrong", f"203.0.113.{attempt}")  # a spoofed header each time
    assert _login(client, "alice", "pw-alice", "198.51.100.7").status_code == 429


def test_anonymous_clients_behind_the_proxy_have_their_own_throttle(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": None, "token": None},
    }
    api = APIClient()

    def docs(ip):
        return api.get("/api/docs/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ip).status_code

    assert [docs("203.0.113.1") for _ in range(3)] == [200, 200, 429]
    assert docs("203.0.113.2") == 200


# --- the audit log ----------------------------------------------------------------------------


@pytest.mark.postgres
def test_truncate_on_the_audit_log_is_refused(moderator, reviewer):
    record_action(actor=moderator, action="user.suspend", target=reviewer, reason="test")
    with connection.cursor() as cursor:
        # The test settings let Django's flush truncate; a normal session does not.
        cursor.execute("SET LOCAL annotator.allow_audit_truncate = 'off'")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks from the insert
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute("TRUNCATE annotator_moderationaction")
    assert ModerationAction.objects.count() == 1


def test_the_client_address_is_counted_from_the_right_through_trusted_proxies(rf, settings):
    from annotator.client_ip import client_ip

    settings.TRUSTED_PROXY_COUNT = 2
    via = {"REMOTE_ADDR": PROXY}
    chain = "192.0.2.66, 203.0.113.5, 10.0.0.2"  # spoofed, the client, the first proxy
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR=chain, **via)) == "203.0.113.5"
    # Fewer entries than proxies (the request went around them) or a non-address: REMOTE_ADDR.
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="10.0.0.2", **via)) == PROXY
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="evil, 10.0.0.2", **via)) == PROXY
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR=chain, **via)) == PROXY
