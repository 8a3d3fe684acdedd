"""Who may read and write what: every endpoint for every role."""

import json

import pytest
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.test import APIClient

from annotator.annotations import create_annotation
from annotator.models import ApiToken, Claim, Consensus, FlagType, Suggestion
from annotator.tokens import create_token

QUOTE = "A wonderful drama is about to be staged"
ROLES = ["anonymous", "reviewer", "other", "moderator", "export_token", "write_token"]


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()


@pytest.fixture
def world(seeded, reviewer, other_reviewer, moderator):
    doc = seeded["000"]
    start = doc.body.index(QUOTE)
    claim = Claim.objects.create(text="Mao quote")
    annotation = create_annotation(
        reviewer=reviewer, document=doc, start=start, end=start + len(QUOTE),
        reliability=2, claim=claim,
    )  # fmt: skip
    suggestion = Suggestion.objects.create(
        document=doc, start=0, end=5, exact=doc.body[:5], reason="test",
        flag=FlagType.objects.get(slug="unsupported-claim"), detector="test", confidence=0.5,
    )  # fmt: skip
    _, export_key = create_token(reviewer, "export", "export")
    _, write_key = create_token(reviewer, "write", "write")
    clients = {"anonymous": APIClient()}
    for role, user in (("reviewer", reviewer), ("other", other_reviewer), ("moderator", moderator)):
        clients[role] = APIClient()
        clients[role].force_login(user)
    clients["export_token"] = APIClient(HTTP_AUTHORIZATION=f"Bearer {export_key}")
    clients["write_token"] = APIClient(HTTP_AUTHORIZATION=f"Token {write_key}")
    return {
        "doc": doc,
        "annotation": annotation,
        "claim": claim,
        "suggestion": suggestion,
        "clients": clients,
        "consensus": Consensus.objects.filter(claim=claim).first(),
    }


# path template → expected status per role (anonymous, reviewer, other, moderator, export, write)
READS = {
    "/api/v1/me/": (401, 200, 200, 200, 200, 200),
    "/api/v1/flags/": (401, 200, 200, 200, 200, 200),
    "/api/v1/sources/": (401, 200, 200, 200, 200, 200),
    "/api/v1/documents/": (401, 200, 200, 200, 200, 200),
    "/api/v1/documents/{doc}/": (401, 200, 200, 200, 200, 200),
    "/api/v1/claims/": (401, 200, 200, 200, 200, 200),
    "/api/v1/claims/{claim}/": (401, 200, 200, 200, 200, 200),
    "/api/v1/annotations/": (401, 200, 200, 200, 200, 200),
    "/api/v1/annotations/{annotation}/": (401, 200, 404, 200, 200, 200),
    "/api/v1/annotations/{annotation}/history/": (401, 200, 404, 200, 200, 200),
    "/api/v1/consensus/": (401, 200, 200, 200, 200, 200),
    "/api/v1/consensus/{consensus}/": (401, 200, 404, 200, 200, 200),
    "/api/v1/suggestions/?document={doc}": (401, 200, 200, 200, 200, 200),
    "/api/v1/moderation-actions/": (401, 403, 403, 200, 403, 403),
    "/api/v1/tokens/": (401, 200, 200, 200, 403, 403),
    "/api/v1/exports/consensus": (401, 200, 200, 200, 200, 200),
    "/api/v1/exports/annotations": (401, 200, 200, 200, 200, 200),
    "/api/v1/exports/moderation-actions": (401, 403, 403, 200, 403, 403),
}


def fill(template, world):
    return template.format(
        doc=world["doc"].pk,
        claim=world["claim"].pk,
        annotation=world["annotation"].pk,
        consensus=world["consensus"].pk,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("template", list(READS))
def test_read_matrix(world, template):
    got = {role: world["clients"][role].get(fill(template, world)).status_code for role in ROLES}
    assert got == dict(zip(ROLES, READS[template], strict=True))


@pytest.mark.django_db
def test_annotation_visibility_per_role(world):
    visible = {
        role: len(world["clients"][role].get("/api/v1/annotations/").json().get("results", []))
        for role in ROLES
        if role != "anonymous"
    }
    # The author and the author's tokens see it; another reviewer is blind; moderators see all.
    assert visible == {
        "reviewer": 1, "other": 0, "moderator": 1, "export_token": 1, "write_token": 1,
    }  # fmt: skip


def annotation_body(world, **extra):
    doc = world["doc"]
    text = "Chairman Mao"
    start = doc.body.index(text)
    return {"document": doc.pk, "start": start, "end": start + len(text), "exact": text,
            "reliability": 3, **extra}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 401), ("reviewer", 201), ("other", 201), ("moderator", 201),
     ("export_token", 403), ("write_token", 201)],
)  # fmt: skip
def test_create_annotation_per_role(world, role, expected):
    response = world["clients"][role].post(
        "/api/v1/annotations/", annotation_body(world), format="json"
    )
    assert response.status_code == expected, response.content
    if expected == 403:
        assert "export" in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 401), ("reviewer", 200), ("other", 404), ("moderator", 403),
     ("export_token", 403), ("write_token", 200)],
)  # fmt: skip
def test_edit_and_withdraw_per_role(world, role, expected):
    client = world["clients"][role]
    url = f"/api/v1/annotations/{world['annotation'].pk}/"
    response = client.patch(url, {"note": "x"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == expected, response.content
    version = 2 if expected == 200 else 1
    response = client.post(url + "withdraw/", {"version": version}, format="json")
    assert response.status_code == expected, response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 401), ("reviewer", 201), ("moderator", 201), ("export_token", 403),
     ("write_token", 201)],
)  # fmt: skip
def test_create_claim_per_role(world, role, expected):
    response = world["clients"][role].post("/api/v1/claims/", {"text": "New claim"}, format="json")
    assert response.status_code == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 401), ("reviewer", 200), ("export_token", 403), ("write_token", 200)],
)  # fmt: skip
def test_dismiss_suggestion_per_role(world, role, expected):
    url = f"/api/v1/suggestions/{world['suggestion'].pk}/dismiss/"
    response = world["clients"][role].post(url, {}, format="json")
    assert response.status_code == expected, response.content


@pytest.mark.django_db
def test_accept_suggestion_creates_own_annotation(world):
    url = f"/api/v1/suggestions/{world['suggestion'].pk}/accept/"
    response = world["clients"]["other"].post(url, {"reliability": 2}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["flags"] == ["unsupported-claim"]
    assert response.json()["reviewer"]["username"] == "bob"


@pytest.mark.django_db
def test_token_lifecycle_and_suspension(world, reviewer):
    session = world["clients"]["reviewer"]
    created = session.post("/api/v1/tokens/", {"name": "cli", "scope": "write"}, format="json")
    assert created.status_code == 201
    key = created.json()["key"]
    assert key.startswith(created.json()["key_prefix"])
    token_client = APIClient(HTTP_AUTHORIZATION=f"Bearer {key}")
    me = token_client.get("/api/v1/me/").json()
    assert (me["auth"], me["token_scope"]) == ("token", "write")
    assert ApiToken.objects.get(pk=created.json()["id"]).last_used_at is not None

    session.post(f"/api/v1/tokens/{created.json()['id']}/revoke/", {}, format="json")
    assert token_client.get("/api/v1/me/").status_code == 401

    export_client = world["clients"]["export_token"]
    reviewer.is_active = False
    reviewer.save(update_fields=["is_active"])
    assert export_client.get("/api/v1/me/").status_code == 401
    assert APIClient(HTTP_AUTHORIZATION="Bearer sra_nonsense").get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_create_api_token_command(world, reviewer, capsys):
    call_command("create_api_token", "alice", "--name", "nightly", "--scope", "export")
    key = capsys.readouterr().out.strip()
    response = APIClient(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/me/")
    assert json.loads(response.content)["token_scope"] == "export"


@pytest.mark.django_db
def test_throttle_counts_per_user_across_tokens(world, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/minute", "user": "100/minute", "anon": None},
    }
    client = world["clients"]["export_token"]
    codes = [client.get("/api/v1/flags/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    # Another token of the same user shares the budget (a new token is no way around the
    # limit); the browser session has its own ("user" scope).
    assert world["clients"]["write_token"].get("/api/v1/flags/").status_code == 429
    assert world["clients"]["reviewer"].get("/api/v1/flags/").status_code == 200
