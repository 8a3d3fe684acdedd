"""Agreement, source reliability and reviewer calibration through the API."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from annotator.annotations import create_annotation
from annotator.models import Passage
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def rate_passages(document, reviewers_and_ratings):
    """Each reviewer rates whole passages: {reviewer: [rating for passage 0, 1, …]}."""
    passages = list(Passage.objects.filter(document=document).order_by("index"))
    for reviewer, ratings in reviewers_and_ratings.items():
        for passage, rating in zip(passages, ratings, strict=False):
            create_annotation(
                reviewer=reviewer, document=document, start=passage.start, end=passage.end,
                reliability=rating, flags=["unsupported-claim"] if rating <= 2 else [],
            )  # fmt: skip


@pytest.fixture
def reviewers(reviewer, other_reviewer, third_reviewer):
    return reviewer, other_reviewer, third_reviewer


def test_perfect_and_imperfect_agreement_on_a_document(seeded, reviewers, moderator):
    alice, bob, chen = reviewers
    document = seeded["000"]
    rate_passages(document, {alice: [1, 5, 3], bob: [1, 5, 3]})
    figures = client_for(alice).get(f"/api/v1/documents/{document.pk}/agreement/").json()
    assert figures["alpha"] == 1.0
    assert (figures["units"], figures["pairable_values"], figures["reviewers"]) == (3, 6, 2)
    assert figures["flags"]["unsupported-claim"]["alpha"] == 1.0
    # A third reviewer who disagrees everywhere lowers it.
    rate_passages(document, {chen: [5, 1, 1]})
    lower = client_for(alice).get(f"/api/v1/documents/{document.pk}/agreement/").json()
    assert lower["alpha"] < 0.5 and lower["reviewers"] == 3
    corpus = client_for(bob).get("/api/v1/agreement/").json()
    assert corpus["alpha"] == lower["alpha"]  # only this document has judgments


def test_agreement_is_undefined_with_a_reason_when_nothing_is_paired(seeded, reviewer):
    figures = client_for(reviewer).get("/api/v1/agreement/").json()
    assert figures["alpha"] is None and figures["units"] == 0
    assert "two or more reviewers" in figures["reason"]


def test_source_reliability_counts_passages_and_statuses(seeded, reviewers):
    alice, bob, chen = reviewers
    document = seeded["001"]
    rate_passages(document, {alice: [1, 4], bob: [1, 4], chen: [2, 1]})
    source = document.source
    response = client_for(alice).get(f"/api/v1/sources/{source.pk}/reliability/")
    assert response.status_code == 200
    summary = response.json()
    assert summary["name"] == "華文頭條"
    assert summary["documents"] == 1
    assert summary["passages"] == Passage.objects.filter(document=document).count()
    assert summary["passages_judged"] == 2 and summary["decided_passages"] == 2
    assert summary["status_counts"]["agreed"] + summary["status_counts"]["disputed"] == 2
    assert summary["median_distribution"]["1"] == 1
    assert summary["flag_passages"] == {"unsupported-claim": 1}
    assert summary["agreement"]["reviewers"] == 3


def test_calibration_is_for_moderators_and_finds_the_contrarian(seeded, reviewers, moderator):
    alice, bob, chen = reviewers
    dara = make_user("dara")
    document = seeded["000"]
    rate_passages(
        document,
        {alice: [1, 5, 4, 2], bob: [1, 5, 4, 2], chen: [2, 5, 4, 1], dara: [5, 1, 1, 5]},
    )
    assert client_for(alice).get("/api/v1/calibration/").status_code == 403
    assert client_for().get("/api/v1/calibration/").status_code in (401, 403)
    rows = {
        row["username"]: row for row in client_for(moderator).get("/api/v1/calibration/").json()
    }
    assert set(rows) == {"alice", "bob", "chen", "dara"}
    assert rows["dara"]["agreement"] < rows["alice"]["agreement"]
    assert rows["dara"]["mean_absolute_difference"] > 2
    assert rows["alice"]["units"] == 4


def test_unknown_ids_are_404_json(seeded, reviewer):
    client = client_for(reviewer)
    for url in ("/api/v1/documents/999999/agreement/", "/api/v1/sources/999999/reliability/"):
        response = client.get(url)
        assert response.status_code == 404 and "detail" in response.json()


def test_schema_documents_the_figures_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in (
        "/api/v1/agreement/",
        "/api/v1/calibration/",
        "/api/v1/documents/{id}/agreement/",
        "/api/v1/sources/{id}/reliability/",
    ):
        assert path in schema["paths"], path
