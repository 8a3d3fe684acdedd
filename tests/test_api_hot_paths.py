"""The API's hot paths (token lookup, document detail, annotation create) stay correct when
they take their shortcuts: one query for authentication, a cached document detail, a created
annotation serialized without reading it back."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers as drf
from rest_framework.test import APIClient

from annotator.importing import DocumentRecord, import_record
from annotator.models import ApiToken
from annotator.tokens import create_token, token_for_key

QUOTE = "A wonderful drama is about to be staged"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def token_client(user, scope="write") -> APIClient:
    _, key = create_token(user, "test", scope=scope)
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.mark.django_db
def test_token_lookup_is_one_query_and_loads_whole_user(moderator, reviewer):
    moderator.suspension_reason = "never suspended, just a stored value"
    moderator.save()
    token, key = create_token(moderator, "cli", scope="write")
    with CaptureQueriesContext(connection) as queries:
        found = token_for_key(key)
        is_moderator = found.user.is_moderator
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert is_moderator is True
    assert (found.pk, found.scope, found.name) == (token.pk, "write", "cli")
    assert found.user.pk == moderator.pk
    assert found.user.suspension_reason == "never suspended, just a stored value"
    # Datetimes come back aware on every database (SQLite stores them as text).
    assert found.created_at == token.created_at
    assert found.created_at.tzinfo is not None
    assert found.user.date_joined == moderator.date_joined

    _, reviewer_key = create_token(reviewer, "cli")
    assert token_for_key(reviewer_key).user.is_moderator is False
    assert token_for_key(key + "x") is None
    assert token_for_key("not ascii ✓") is None


@pytest.mark.django_db
def test_moderator_rights_follow_the_token_user(moderator, reviewer):
    assert token_client(moderator).get("/api/v1/moderation-actions/").status_code == 200
    assert token_client(reviewer).get("/api/v1/moderation-actions/").status_code == 403


@pytest.mark.django_db
def test_revoked_token_and_last_used(reviewer):
    token, key = create_token(reviewer, "cli")
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/me/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=token.last_used_at)
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


@pytest.mark.django_db
def test_created_annotation_response_equals_a_fresh_read(seeded, reviewer):
    client = token_client(reviewer)
    doc = seeded["001"]
    quote = "好戲開始嘍"
    start = doc.body.index(quote)
    response = client.post(
        "/api/v1/annotations/",
        {
            "document": doc.pk,
            "start": start,
            "end": start + len(quote),
            "exact": quote,
            "reliability": 1,
            # Given out of the taxonomy's order: the answer lists them in its order.
            "flags": ["unsourced-number", "misattributed-quote"],
            "note": "No source given 🚩",
            "evidence": ["https://example.org/a"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    fresh = client.get(f"/api/v1/annotations/{created['id']}/")
    assert fresh.status_code == 200
    assert created == fresh.json()
    assert response["ETag"] == fresh["ETag"] == '"1"'
    assert sorted(created["flags"]) == ["misattributed-quote", "unsourced-number"]


@pytest.mark.django_db
def test_document_detail_cache_follows_edits_and_revisions(seeded, reviewer):
    client = token_client(reviewer, scope="export")
    doc = seeded["000"]
    first = client.get(f"/api/v1/documents/{doc.pk}/")
    assert first.status_code == 200
    assert first.json()["title"] == doc.title
    assert QUOTE in first.json()["body"]
    assert len(first.json()["passages"]) == doc.passages.count()

    with CaptureQueriesContext(connection) as queries:
        again = client.get(f"/api/v1/documents/{doc.pk}/")
    assert again.json() == first.json()
    assert not any("annotator_passage" in q["sql"] for q in queries), "served from the cache"

    doc.title = "Retitled by an editor"
    doc.save()
    assert client.get(f"/api/v1/documents/{doc.pk}/").json()["title"] == "Retitled by an editor"

    outcome = import_record(
        DocumentRecord(body=doc.body + "\n\nA corrected closing line.", origin=doc.origin)
    )
    assert outcome.document.previous_id == doc.pk
    old = client.get(f"/api/v1/documents/{doc.pk}/").json()
    assert old["is_current"] is False
    new = client.get(f"/api/v1/documents/{outcome.document.pk}/").json()
    assert new["is_current"] is True
    assert new["body"].endswith("A corrected closing line.")


@pytest.mark.django_db
def test_unknown_document_is_a_clear_404(reviewer):
    response = token_client(reviewer).get("/api/v1/documents/999999/")
    assert response.status_code == 404
    assert response.json()["detail"] == "No document with this id."


def _expected_visible(rows, own_active) -> set[int]:
    """The blind-review rule, restated in Python over plain values."""
    visible = set()
    for row in rows:
        if row.kind == "passage":
            hit = any(a.passage_id == row.passage_id for a in own_active)
        elif row.kind == "span":
            hit = any(
                (a.document_id, a.start, a.end) == (row.document_id, row.start, row.end)
                for a in own_active
            )
        else:
            hit = any(a.claim_id is not None and a.claim_id == row.claim_id for a in own_active)
        if hit:
            visible.add(row.pk)
    return visible


@pytest.mark.django_db
def test_consensus_visibility_matches_the_blind_review_rule(
    seeded, reviewer, other_reviewer, third_reviewer
):
    from annotator.annotations import create_annotation, withdraw_annotation
    from annotator.models import Annotation, Claim, Consensus

    english, chinese = seeded["000"], seeded["001"]
    claim = Claim.objects.create(text="Mao: a wonderful drama is about to be staged")
    quote_en, quote_zh = QUOTE, "好戲開始嘍"
    en_start, zh_start = english.body.index(quote_en), chinese.body.index(quote_zh)
    # alice: the quote in English, linked to the claim; a nearby span she later withdraws.
    create_annotation(
        reviewer=reviewer, document=english, start=en_start, end=en_start + len(quote_en),
        reliability=1, claim=claim,
    )  # fmt: skip
    withdrawn = create_annotation(
        reviewer=reviewer, document=chinese, start=0, end=5, reliability=3
    )
    withdraw_annotation(withdrawn, by=reviewer, expected_version=1)
    # bob: the Chinese quote linked to the same claim, plus the span alice withdrew.
    create_annotation(
        reviewer=other_reviewer, document=chinese, start=zh_start,
        end=zh_start + len(quote_zh), reliability=2, claim=claim,
    )  # fmt: skip
    create_annotation(reviewer=other_reviewer, document=chinese, start=0, end=5, reliability=4)
    # chen: a different span in alice's passage (same passage group, other span group).
    create_annotation(
        reviewer=third_reviewer, document=english, start=en_start, end=en_start + 5,
        reliability=5,
    )  # fmt: skip

    rows = list(Consensus.objects.all())
    assert {row.kind for row in rows} == {"passage", "span", "claim"}
    for user in (reviewer, other_reviewer, third_reviewer):
        own = list(Annotation.objects.filter(reviewer=user, status="active"))
        expected = _expected_visible(rows, own)
        response = token_client(user).get("/api/v1/consensus/", {"page_size": 500})
        assert response.status_code == 200
        assert {row["id"] for row in response.json()["results"]} == expected, user.username
        assert expected, "every reviewer here sees something"


def with_drf_representation(serializer_class):
    """The serializer with DRF's own ``ModelSerializer.to_representation``: the reference that
    a hand-written ``to_representation`` must reproduce."""
    return type(
        f"Reference{serializer_class.__name__}",
        (serializer_class,),
        {"to_representation": drf.ModelSerializer.to_representation},
    )


@pytest.mark.django_db
def test_consensus_serializer_matches_drf_model_serializer(seeded, reviewer, moderator):
    from annotator.annotations import create_annotation
    from annotator.api.serializers import ConsensusSerializer
    from annotator.models import Claim, Consensus
    from annotator.moderation import adjudicate

    Reference = with_drf_representation(ConsensusSerializer)
    doc = seeded["001"]
    claim = Claim.objects.create(text="好戲開始嘍 🎭")
    create_annotation(
        reviewer=reviewer, document=doc, start=0, end=3, reliability=2, claim=claim,
        flags=["misattributed-quote"],
    )  # fmt: skip
    create_annotation(reviewer=reviewer, document=doc, start=4, end=9, flags=["loaded-language"])
    row = Consensus.objects.filter(kind="claim").get()
    adjudicate(
        row, moderator=moderator, reliability=1, flags=["misattributed-quote"], reason="checked"
    )
    rows = list(Consensus.objects.all())
    assert any(r.median_reliability is None for r in rows), "a row without ratings"
    assert any(r.adjudicated_at is not None for r in rows), "an adjudicated row"
    assert ConsensusSerializer(rows, many=True).data == Reference(rows, many=True).data


@pytest.mark.django_db
def test_annotation_serializer_matches_drf_model_serializer(seeded, reviewer, other_reviewer):
    from rest_framework.test import APIRequestFactory

    from annotator.annotations import create_annotation
    from annotator.api.serializers import AnnotationSerializer
    from annotator.models import Annotation, Claim

    Reference = with_drf_representation(AnnotationSerializer)
    doc = seeded["001"]
    claim = Claim.objects.create(text="好戲開始嘍")
    create_annotation(
        reviewer=reviewer, document=doc, start=0, end=3, reliability=2, claim=claim,
        flags=["misattributed-quote", "unsourced-number"], note="🚩 no source",
        evidence=["https://example.org/a", "Archive box 12"],
    )  # fmt: skip
    create_annotation(
        reviewer=other_reviewer, document=doc, start=4, end=9, flags=["loaded-language"]
    )
    annotations = list(
        Annotation.objects.select_related("reviewer").prefetch_related("flags").order_by("id")
    )
    request = APIRequestFactory().get("/")
    request.user = reviewer
    context = {"request": request}
    fast = AnnotationSerializer(annotations, many=True, context=context).data
    assert fast == Reference(annotations, many=True, context=context).data
    assert [row["is_own"] for row in fast] == [True, False]
    assert list(fast[0]) == AnnotationSerializer.Meta.fields
