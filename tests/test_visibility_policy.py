"""The visibility policy (annotator/visibility.py): each leak found under attack, reproduced.

Blind review: a reviewer who has judged nothing must learn nothing of other reviewers' work,
neither from lists nor from figures; history is its author's and moderators'.
"""

import json

import pytest
from django.core.cache import cache
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from rest_framework.test import APIClient

from annotator import visibility
from annotator.models import Annotation, Claim, Consensus, Document, Passage, Source

from .conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def judge(user, passage, *, cut=0, **fields) -> dict:
    document = passage.document
    end = passage.end - cut
    payload = {
        "document": document.pk,
        "start": passage.start,
        "end": end,
        "exact": document.body[passage.start : end],
        "reliability": 3,
        **fields,
    }
    response = api(user).post("/api/v1/annotations/", payload, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def first_document() -> Document:
    """The first document of the first source: the scene's work is on that source."""
    return Document.objects.filter(source=Source.objects.order_by("pk").first()).order_by("pk")[0]


@pytest.fixture
def scene(seeded, reviewer, moderator):
    """Three others judge the first two passages of the first source's documents, flag them and
    link the first one to a claim; ``reviewer`` (alice) has judged nothing."""
    claim = Claim.objects.create(text="Mao: a wonderful drama is about to be staged")
    others = [make_user(name, groups=["Reviewer"]) for name in ("bob", "chen", "dora")]
    drafts = {}
    source = Source.objects.order_by("pk").first()
    for document in Document.objects.filter(source=source).order_by("pk"):
        first, second = Passage.objects.filter(document=document).order_by("index")[:2]
        for n, user in enumerate(others):
            drafts[(user.pk, document.pk)] = judge(
                user,
                first,
                cut=n,
                reliability=1 + n,
                flags=["unsupported-claim"] if n < 2 else [],
                note=f"{user.username}'s first thought",
                claim=claim.pk,
            )
            judge(user, second, reliability=2 + n)
    return {"claim": claim, "others": others, "drafts": drafts}


# --- figures --------------------------------------------------------------------------------


def test_source_reliability_shows_a_blind_reviewer_nothing_of_others(scene, reviewer, moderator):
    source = Source.objects.order_by("pk").first()
    url = f"/api/v1/sources/{source.pk}/reliability/"
    blind = api(reviewer).get(url).json()
    assert blind["passages_judged"] == 0
    assert blind["annotations"] == 0 and blind["reviewers"] == 0
    assert set(blind["status_counts"].values()) == {0}
    assert set(blind["median_distribution"].values()) == {0}
    assert blind["median_of_passage_medians"] is None and blind["flag_passages"] == {}
    assert blind["agreement"]["coders"] == 0 and blind["agreement"]["flags"] == {}
    # Documents and passages are the corpus, not anyone's work.
    assert blind["documents"] >= 1 and blind["passages"] > 0

    full = api(moderator).get(url).json()
    assert full["passages_judged"] == 2 * full["documents"]
    assert full["reviewers"] == 3 and full["annotations"] == 6 * full["documents"]
    assert sum(full["status_counts"].values()) == full["passages_judged"]


def test_source_page_shows_a_blind_reviewer_nothing_of_others(client, scene, reviewer, moderator):
    source = Source.objects.order_by("pk").first()
    client.force_login(reviewer)
    page = client.get(f"/sources/{source.pk}/").content.decode()
    assert "0 reviewers" in page and "These figures count only the passages you have judged" in page
    assert "Passages judged</dt><dd>0 of" in page
    client.force_login(moderator)
    page = client.get(f"/sources/{source.pk}/").content.decode()
    assert "3 reviewers" in page and "Passages judged</dt><dd>0 of" not in page


def test_a_reviewer_figures_come_from_the_passages_they_judged(scene, reviewer):
    source = Source.objects.order_by("pk").first()
    document = source.documents.filter(is_current=True).order_by("pk").first()
    first = Passage.objects.filter(document=document).order_by("index").first()
    judge(reviewer, first, reliability=2)
    figures = api(reviewer).get(f"/api/v1/sources/{source.pk}/reliability/").json()
    assert figures["passages_judged"] == 1
    assert figures["reviewers"] == 4 and figures["annotations"] == 4
    alpha = api(reviewer).get(f"/api/v1/documents/{document.pk}/agreement/").json()
    assert alpha["coders"] == 4 and alpha["annotations"] == 4 and alpha["units"] == 1


@pytest.mark.parametrize("path", ["/api/v1/agreement/", "/api/v1/documents/{doc}/agreement/"])
def test_agreement_names_no_flag_a_blind_reviewer_has_not_seen(scene, reviewer, moderator, path):
    url = path.format(doc=first_document().pk)
    blind = api(reviewer).get(url).json()
    assert blind["flags"] == {}  # per-flag alpha would name the flag someone raised
    assert (blind["coders"], blind["reviewers"], blind["annotations"], blind["units"]) == (
        0,
        0,
        0,
        0,
    )
    full = api(moderator).get(url).json()
    assert "unsupported-claim" in full["flags"] and full["reviewers"] == 3


def test_claim_annotation_count_counts_only_what_the_reader_may_see(scene, reviewer, moderator):
    claim = scene["claim"]
    links = Annotation.objects.filter(claim=claim, status="active").count()
    for path in ("/api/v1/claims/", f"/api/v1/claims/{claim.pk}/"):
        body = api(reviewer).get(path).json()
        row = body["results"][0] if "results" in body else body
        assert row["annotation_count"] == 0, path
        body = api(moderator).get(path).json()
        row = body["results"][0] if "results" in body else body
        assert row["annotation_count"] == links, path
    # Judging one of the passages unlocks exactly that passage's links.
    document = first_document()
    judge(reviewer, Passage.objects.get(document=document, index=0), cut=5)
    row = api(reviewer).get(f"/api/v1/claims/{claim.pk}/").json()
    assert row["annotation_count"] == 3


def test_dashboard_statuses_ignore_passages_a_reviewer_has_not_judged(
    client, scene, reviewer, moderator
):
    client.force_login(reviewer)
    page = client.get("/").content.decode()
    assert "Consensus statuses count only the passages you have judged" in page
    assert "0 of" in page and "at quorum" in page
    assert not [line for line in page.splitlines() if "at quorum" in line and "0 of" not in line], (
        "a blind reviewer's dashboard counts others' quorums"
    )
    client.force_login(moderator)
    page = client.get("/").content.decode()
    assert "2 of" in page  # the two passages judged by three reviewers


# --- history --------------------------------------------------------------------------------


def test_history_export_gives_no_other_reviewers_drafts(scene, reviewer, moderator):
    bob = scene["others"][0]
    document = first_document()
    draft = scene["drafts"][(bob.pk, document.pk)]
    response = api(bob).patch(
        f"/api/v1/annotations/{draft['id']}/",
        {"note": "bob's final word"},
        format="json",
        HTTP_IF_MATCH=f'"{draft["version"]}"',
    )
    assert response.status_code == 200
    # alice judges the same passage: bob's annotation becomes visible to her, its history not.
    own = judge(reviewer, Passage.objects.get(document=document, index=0), cut=4)
    assert api(reviewer).get(f"/api/v1/annotations/{draft['id']}/").status_code == 200
    assert api(reviewer).get(f"/api/v1/annotations/{draft['id']}/history/").status_code == 403

    for fmt in ("jsonl", "json"):
        response = api(reviewer).get(
            "/api/v1/exports/annotations", {"format": fmt, "include_history": "true"}
        )
        body = b"".join(response.streaming_content).decode()
        assert "bob's final word" in body  # the current note of a visible annotation
        assert "bob's first thought" not in body, fmt  # bob's earlier draft stays his
        assert f'"id": {own["id"]}' in body or f'"id":{own["id"]}' in body

    response = api(moderator).get(
        "/api/v1/exports/annotations", {"format": "jsonl", "include_history": "true"}
    )
    assert "bob's first thought" in b"".join(response.streaming_content).decode()
    response = api(bob).get(f"/api/v1/annotations/{draft['id']}/history/")
    assert response.status_code == 200 and len(response.json()) == 2


def test_a_reviewer_keeps_their_own_history_in_the_export(scene):
    bob = scene["others"][0]
    response = api(bob).get(
        "/api/v1/exports/annotations", {"format": "jsonl", "include_history": "true"}
    )
    records = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    own = [r for r in records if r["reviewer"] == "bob"]
    others = [r for r in records if r["reviewer"] != "bob"]
    assert own and all(r["history"][0]["action"] == "created" for r in own)
    assert others and all(r["history"] == [] for r in others)


def test_history_policy_functions(scene, reviewer, moderator):
    bob = scene["others"][0]
    annotation = Annotation.objects.filter(reviewer=bob).first()
    assert visibility.may_see_history(bob, annotation)
    assert visibility.may_see_history(moderator, annotation)
    assert not visibility.may_see_history(reviewer, annotation)
    assert not visibility.visible_revisions(reviewer).exists()
    assert set(
        visibility.visible_revisions(bob).values_list("annotation__reviewer", flat=True)
    ) == {bob.pk}
    assert (
        visibility.visible_revisions(moderator).count()
        == visibility.visible_revisions(None).count()
    )


# --- the rule itself ------------------------------------------------------------------------


def test_consensus_condition_holds_inside_a_subquery(scene, reviewer):
    """The hot-path SQL keeps its meaning when Django relabels its table (as in the dashboard's
    per-document counts): compared with counting the visible rows one document at a time."""
    document = first_document()
    judge(reviewer, Passage.objects.get(document=document, index=1), cut=2)
    rows = visibility.visible_consensus(
        reviewer, Consensus.objects.filter(passage__document_id=OuterRef("pk"))
    )
    counted = rows.order_by().annotate(g=Value(1)).values("g").annotate(n=Count("pk")).values("n")
    per_document = dict(
        Document.objects.annotate(
            n=Coalesce(Subquery(counted, output_field=IntegerField()), 0)
        ).values_list("pk", "n")
    )
    expected = {
        doc.pk: visibility.visible_consensus(
            reviewer, Consensus.objects.filter(passage__document=doc)
        ).count()
        for doc in Document.objects.all()
    }
    assert per_document == expected
    # The passage's group and the span's: alice's only annotation.
    assert per_document[document.pk] == 2 and sum(per_document.values()) == 2


def test_may_see_group(scene, reviewer, moderator):
    bob = scene["others"][0]
    rows = list(Consensus.objects.filter(reviewer_count__gt=0))
    assert rows and all(visibility.may_see_group(moderator, row) for row in rows)
    assert not any(visibility.may_see_group(reviewer, row) for row in rows)
    claim_row = Consensus.objects.get(kind="claim", claim=scene["claim"])
    assert visibility.may_see_group(bob, claim_row)


def test_blind_review_off_shows_reviewers_every_group(scene, reviewer, settings):
    settings.ANNOTATOR = {**settings.ANNOTATOR, "BLIND_REVIEW": False}
    source = Source.objects.order_by("pk").first()
    figures = api(reviewer).get(f"/api/v1/sources/{source.pk}/reliability/").json()
    assert figures["reviewers"] == 3
    assert not visibility.visible_revisions(reviewer).exists()  # history stays the author's
