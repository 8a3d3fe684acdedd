"""The annotation, claim, flag and me endpoints: writes, validation, concurrency, blind review."""

import json

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from annotator.models import Annotation, AnnotationRevision

MAO_QUOTE = "A wonderful drama is about to be staged"
MAO_QUOTE_ZH = "好戲開始嘍"


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()


def client_for(user=None, *, csrf=False) -> APIClient:
    client = APIClient(enforce_csrf_checks=csrf)
    if user is not None:
        client.force_login(user)
    return client


def span(document, text):
    start = document.body.index(text)
    return {"document": document.pk, "start": start, "end": start + len(text), "exact": text}


def create(client, doc, text=MAO_QUOTE, **fields):
    body = {**span(doc, text), "reliability": 2, "flags": ["misattributed-quote"], **fields}
    # json.dumps escapes non-ASCII, so lone surrogates reach the server as \ud800 escapes.
    return client.post("/api/v1/annotations/", json.dumps(body), content_type="application/json")


@pytest.fixture
def doc(seeded):
    return seeded["000"]


@pytest.mark.django_db
def test_create_returns_annotation_and_etag(doc, reviewer):
    response = create(
        client_for(reviewer), doc, note="No source given.", evidence=["https://a.example/x"]
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["exact"] == MAO_QUOTE
    assert data["reviewer"] == {"id": reviewer.pk, "username": "alice"}
    assert data["flags"] == ["misattributed-quote"]
    assert data["reliability_label"] == "Unreliable"
    assert data["is_own"] is True
    assert data["version"] == 1
    assert data["passage"] is not None
    assert response["ETag"] == '"1"'
    assert Annotation.objects.get(pk=data["id"]).revisions.count() == 1


@pytest.mark.django_db
def test_create_on_cjk_text_uses_code_points(seeded, reviewer):
    doc = seeded["001"]
    response = create(client_for(reviewer), doc, text=MAO_QUOTE_ZH)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["end"] - data["start"] == 5
    assert doc.body[data["start"] : data["end"]] == MAO_QUOTE_ZH


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start": 10_000_000, "end": 10_000_010}, "start"),
        ({"exact": "something else"}, "exact"),
        ({"reliability": 6}, "reliability"),
        ({"reliability": 0}, "reliability"),
        ({"flags": ["no-such-flag"]}, "flags"),
        ({"evidence": ["javascript:alert(1)"]}, "evidence"),
        ({"document": 999_999}, "document"),
        ({"note": "\ud800"}, "note"),
        ({"note": "nul\x00byte"}, "note"),
        ({"reliability": None, "flags": []}, "reliability"),
    ],
)
def test_invalid_input_is_400_naming_the_field(doc, reviewer, change, field):
    response = create(client_for(reviewer), doc, **change)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Annotation.objects.exists()


@pytest.mark.django_db
def test_malformed_json_and_invalid_utf8_are_400(doc, reviewer):
    client = client_for(reviewer)
    for raw in (b'{"document": 1,', b'{"note": "\xff\xfe"}', b"[1, NaN]"):
        response = client.post("/api/v1/annotations/", raw, content_type="application/json")
        assert response.status_code == 400, raw
        assert "detail" in response.json()


@pytest.mark.django_db
def test_oversized_body_is_413(doc, reviewer, settings):
    settings.API_MAX_BODY_BYTES = 1000
    response = create(client_for(reviewer), doc, note="x" * 2000)
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]


@pytest.mark.django_db
def test_anonymous_gets_401_json(doc):
    response = create(APIClient(), doc)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_session_writes_need_csrf(doc, reviewer):
    client = client_for(reviewer, csrf=True)
    assert create(client, doc).status_code == 403
    client.get("/api/v1/me/")  # any response; the token comes from the login page in the UI
    from django.middleware.csrf import _get_new_csrf_string

    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    body = {**span(doc, MAO_QUOTE), "reliability": 2}
    response = client.post("/api/v1/annotations/", body, format="json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_blind_review_hides_others_until_own_submission(doc, reviewer, other_reviewer):
    theirs = create(client_for(other_reviewer), doc).json()
    mine = client_for(reviewer)
    listed = mine.get(f"/api/v1/annotations/?document={doc.pk}").json()["results"]
    assert listed == []
    assert mine.get(f"/api/v1/annotations/{theirs['id']}/").status_code == 404
    assert create(mine, doc, reliability=3).status_code == 201
    listed = mine.get(f"/api/v1/annotations/?document={doc.pk}").json()["results"]
    assert {a["reviewer"]["username"] for a in listed} == {"alice", "bob"}
    assert [a["is_own"] for a in listed if a["reviewer"]["username"] == "bob"] == [False]


@pytest.mark.django_db
def test_moderator_sees_all(doc, reviewer, moderator):
    create(client_for(reviewer), doc)
    listed = client_for(moderator).get("/api/v1/annotations/").json()["results"]
    assert len(listed) == 1


@pytest.mark.django_db
def test_patch_requires_version_and_rejects_stale(doc, reviewer):
    client = client_for(reviewer)
    created = create(client, doc).json()
    url = f"/api/v1/annotations/{created['id']}/"

    response = client.patch(url, {"reliability": 1}, format="json")
    assert response.status_code == 428

    response = client.patch(url, {"reliability": 1}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200, response.content
    assert response.json()["reliability"] == 1
    assert response["ETag"] == '"2"'

    response = client.patch(url, {"reliability": 5}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 412
    assert response.json()["current_version"] == 2
    assert Annotation.objects.get(pk=created["id"]).reliability == 1

    response = client.patch(url, {"note": "checked", "version": 2}, format="json")
    assert response.status_code == 200
    assert response.json()["version"] == 3
    assert AnnotationRevision.objects.filter(annotation_id=created["id"]).count() == 3


@pytest.mark.django_db
def test_patch_validation_names_field(doc, reviewer):
    client = client_for(reviewer)
    created = create(client, doc).json()
    url = f"/api/v1/annotations/{created['id']}/"
    response = client.patch(url, {"flags": ["bogus"]}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 400
    assert "flags" in response.json()
    response = client.patch(url, {"reliability": 1}, format="json", HTTP_IF_MATCH="garbage")
    assert response.status_code == 400
    assert "If-Match" in response.json()


@pytest.mark.django_db
def test_cannot_edit_or_withdraw_others(doc, reviewer, other_reviewer, moderator):
    created = create(client_for(reviewer), doc).json()
    url = f"/api/v1/annotations/{created['id']}/"
    other = client_for(other_reviewer)
    create(other, doc)  # unlock the passage so the annotation is visible to bob
    assert (
        other.patch(url, {"reliability": 5}, format="json", HTTP_IF_MATCH='"1"').status_code == 403
    )
    assert other.post(url + "withdraw/", {}, format="json").status_code == 403
    assert client_for(moderator).post(url + "withdraw/", {}, format="json").status_code == 403
    assert Annotation.objects.get(pk=created["id"]).status == "active"


@pytest.mark.django_db
def test_withdraw_own(doc, reviewer):
    client = client_for(reviewer)
    created = create(client, doc).json()
    url = f"/api/v1/annotations/{created['id']}/withdraw/"
    assert client.post(url, {}, format="json", HTTP_IF_MATCH='"7"').status_code == 412
    response = client.post(url, {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"


@pytest.mark.django_db
def test_history_for_author_and_moderator_only(doc, reviewer, other_reviewer, moderator):
    created = create(client_for(reviewer), doc).json()
    create(client_for(other_reviewer), doc)
    url = f"/api/v1/annotations/{created['id']}/history/"
    history = client_for(reviewer).get(url).json()
    assert [entry["action"] for entry in history] == ["created"]
    assert client_for(moderator).get(url).status_code == 200
    assert client_for(other_reviewer).get(url).status_code == 403


@pytest.mark.django_db
def test_claims_link_english_and_chinese_spans(seeded, reviewer, other_reviewer):
    client = client_for(reviewer)
    claim = client.post(
        "/api/v1/claims/",
        {"text": "Mao said 'a wonderful drama is about to be staged'"},
        format="json",
    )
    assert claim.status_code == 201, claim.content
    claim = claim.json()
    assert claim["language"] == "en"
    assert claim["annotation_count"] == 0
    create(client, seeded["000"], claim=claim["id"])
    create(client, seeded["001"], text=MAO_QUOTE_ZH, claim=claim["id"])

    found = client.get("/api/v1/claims/?search=WONDERFUL drama").json()["results"]
    assert [c["id"] for c in found] == [claim["id"]]
    assert found[0]["annotation_count"] == 2

    detail = client.get(f"/api/v1/claims/{claim['id']}/").json()
    assert {span["exact"] for span in detail["spans"]} == {MAO_QUOTE, MAO_QUOTE_ZH}
    # Bob has not annotated: the spans and the claim's consensus stay hidden from him.
    detail = client_for(other_reviewer).get(f"/api/v1/claims/{claim['id']}/").json()
    assert detail["spans"] == []
    assert detail["consensus"] is None


@pytest.mark.django_db
def test_claim_validation(db, reviewer):
    client = client_for(reviewer)
    assert "text" in client.post("/api/v1/claims/", {"text": "  "}, format="json").json()
    assert "text" in client.post("/api/v1/claims/", {}, format="json").json()


@pytest.mark.django_db
def test_flags_and_me(db, reviewer):
    client = client_for(reviewer)
    flags = client.get("/api/v1/flags/").json()
    slugs = {flag["slug"] for flag in flags}
    assert {"unsupported-claim", "misattributed-quote", "redacted-name"} <= slugs
    assert set(flags[0]) == {"slug", "label", "description", "is_active"}
    me = client.get("/api/v1/me/").json()
    assert me["username"] == "alice"
    assert me["is_moderator"] is False
    assert me["auth"] == "session"


@pytest.mark.django_db
def test_unknown_api_url_is_json_404(db, reviewer):
    response = client_for(reviewer).get("/api/v1/nope/")
    assert response.status_code == 404
    assert json.loads(response.content)["detail"]
