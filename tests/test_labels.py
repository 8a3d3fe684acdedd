"""One label table and one rounding rule (half up) for every reader; one decided-flags rule."""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from annotator import consensus
from annotator.labels import RELIABILITY_LABELS, reliability_label, round_rating
from annotator.models import Reliability
from annotator.text import QUOTE_CONTEXT
from tests.factories import annotate, make_user

pytestmark = pytest.mark.django_db

QUOTE = '"A wonderful drama is about to be staged."'


@pytest.mark.parametrize(
    ("value", "rounded"), [(1, 1), (1.5, 2), (2.5, 3), (3.5, 4), (4.5, 5), (2.49, 2), (0.2, 1)]
)
def test_ratings_round_half_up_onto_the_scale(value, rounded):
    assert round_rating(value) == rounded


def test_the_model_choices_are_the_label_table():
    assert dict(Reliability.choices) == RELIABILITY_LABELS
    assert reliability_label(2.5) == "Unverified / mixed" and reliability_label(None) is None


@pytest.fixture
def median_two_and_a_half(seeded):
    """Four reviewers rate the Mao quote 2, 2, 3, 3: the passage median is 2.5."""
    doc = seeded["000"]
    for number, rating in enumerate((2, 2, 3, 3)):
        annotate(make_user(f"r{number}", groups=["Reviewer"]), doc, QUOTE, reliability=rating)
    return doc


def test_the_source_page_api_and_exports_name_a_median_of_2_5_alike(
    client, median_two_and_a_half, moderator
):
    doc = median_two_and_a_half
    client.force_login(moderator)
    page = client.get(reverse("source-page", kwargs={"source_id": doc.source_id}))
    html = page.content.decode()
    assert "<strong>2.5</strong> (Unverified / mixed)" in html  # round() said "Unreliable"

    api = APIClient()
    api.force_login(moderator)
    rows = api.get("/api/v1/consensus/", {"document": doc.pk, "kind": "span"}).json()["results"]
    assert [(r["median_reliability"], r["median_label"]) for r in rows] == [
        (2.5, "Unverified / mixed")
    ]
    export = api.get("/api/v1/exports/consensus", {"format": "jsonl", "kind": "span"})
    assert '"median_label":"Unverified / mixed"' in b"".join(export.streaming_content).decode()


def test_the_adjudication_form_starts_from_the_decided_flags(seeded, moderator, client):
    """Half the reviewers raising a flag is a dispute (0.34 < 0.5 < 0.66), not a decided flag."""
    doc = seeded["000"]
    for number in range(4):
        flags = ["misattributed-quote"] if number < 2 else []
        flags += ["unsupported-claim"] if number < 3 else []
        user = make_user(f"r{number}", groups=["Reviewer"])
        annotate(user, doc, QUOTE, reliability=2 + number % 2, flags=flags)
    row = consensus.consensus_for_span(doc, doc.body.index(QUOTE), doc.body.index(QUOTE) + 42)
    assert row.flag_support == {"misattributed-quote": 0.5, "unsupported-claim": 0.75}
    client.force_login(moderator)
    form = client.get(reverse("admin:annotator_consensus_adjudicate", args=[row.pk])).context[
        "form"
    ]
    # No rating is pre-set (the workbench makes the moderator choose); flags from the one rule.
    assert form.initial == {"flags": consensus.decided_flags(row)}
    assert form.initial["flags"] == ["unsupported-claim"]  # was both, at a hard-coded 0.5


def test_the_api_and_the_exports_keep_the_same_quote_context(seeded, reviewer):
    doc = seeded["000"]
    annotation = annotate(reviewer, doc, QUOTE, reliability=2)
    assert len(annotation.prefix) == len(annotation.suffix) == QUOTE_CONTEXT
    api = APIClient()
    api.force_login(reviewer)
    export = api.get("/api/v1/exports/annotations", {"format": "jsonl"})
    (record,) = [json.loads(line) for line in b"".join(export.streaming_content).splitlines()]
    assert (record["prefix"], record["suffix"]) == (annotation.prefix, annotation.suffix)
