"""The annotation panel's claim picker: which claims does a selected span probably state?

``GET /api/v1/claims/for-span/?document=&start=&end=`` ranks claims by the multilingual
similarity of the span to each claim's text and to the linked spans the requester may see.
"""

import pytest
from rest_framework.test import APIClient

from annotator.annotations import create_annotation
from annotator.models import Claim

from .conftest import make_user

pytestmark = pytest.mark.django_db

QUOTE = "A wonderful drama is about to be staged."
GOOD_SHOW = "好戲開始嘍"
URL = "/api/v1/claims/for-span/"
DISTRACTORS = (
    "The unemployment rate fell to 3.5% in March",
    "The Great Wall of China is visible from space",
    "Drinking coffee every day prevents heart disease",
)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def good_show_span(seeded) -> dict:
    document = seeded["001"]
    start = document.body.index(GOOD_SHOW)
    return {"document": document.pk, "start": start, "end": start + len(GOOD_SHOW)}


def test_the_english_claim_is_proposed_first_for_the_chinese_good_show(seeded, reviewer):
    for text in DISTRACTORS:
        Claim.objects.create(text=text, language="en")
    drama = Claim.objects.create(text="A wonderful drama is about to be staged", language="en")
    response = client_for(reviewer).get(URL, good_show_span(seeded))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["document"] == seeded["001"].pk
    rows = body["results"]
    assert [row["claim"] for row in rows][0] == drama.pk
    assert rows[0]["text"] == drama.text and rows[0]["language"] == "en"
    assert {"claim", "text", "language", "score", "cosine", "shared"} == set(rows[0])
    scores = [row["score"] for row in rows]
    assert scores == sorted(scores, reverse=True) and len(rows) == 4


def test_merged_claims_are_not_offered_and_no_claims_gives_an_empty_list(seeded, reviewer):
    client = client_for(reviewer)
    assert client.get(URL, good_show_span(seeded)).json()["results"] == []
    kept = Claim.objects.create(text="Mao said a wonderful drama was about to be staged")
    Claim.objects.create(text="A wonderful drama is about to be staged", merged_into=kept)
    rows = client.get(URL, good_show_span(seeded)).json()["results"]
    assert [row["claim"] for row in rows] == [kept.pk]


def test_only_linked_spans_the_reviewer_may_see_shape_the_score(seeded, reviewer, settings):
    """Blind review: another reviewer's hidden link must not move my scores."""
    settings.ANNOTATOR = {**settings.ANNOTATOR, "BLIND_REVIEW": True}
    claim = Claim.objects.create(text="Something an official said in 1958", language="en")
    mao = seeded["000"]
    start = mao.body.index(QUOTE)
    create_annotation(
        reviewer=reviewer, document=mao, start=start, end=start + len(QUOTE), reliability=2,
        claim=claim,
    )  # fmt: skip
    newcomer = make_user("newcomer", groups=["Reviewer"])
    span = good_show_span(seeded)
    mine = client_for(reviewer).get(URL, span).json()["results"][0]
    theirs = client_for(newcomer).get(URL, span).json()["results"][0]
    # The author's linked English quotation brings the claim nearer to 好戲開始嘍; the
    # newcomer cannot see that link, so only the claim's own text counts for them.
    assert mine["claim"] == theirs["claim"] == claim.pk
    assert mine["cosine"] > theirs["cosine"]
    Claim.objects.create(text="Another claim", language="en")
    again = client_for(newcomer).get(URL, span).json()["results"]
    assert [r for r in again if r["claim"] == claim.pk][0]["cosine"] == theirs["cosine"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": 0, "end": 5}, "document"),
        ({"document": "abc", "start": 0, "end": 5}, "document"),
        ({"document": 999999, "start": 0, "end": 5}, "document"),
        ({"document": "{doc}", "end": 5}, "start"),
        ({"document": "{doc}", "start": "x", "end": 5}, "start"),
        ({"document": "{doc}", "start": -1, "end": 5}, "start"),
        ({"document": "{doc}", "start": 5, "end": 5}, "end"),
        ({"document": "{doc}", "start": 0, "end": 10**7}, "end"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(seeded, reviewer, params, field):
    params = {k: seeded["001"].pk if v == "{doc}" else v for k, v in params.items()}
    response = client_for(reviewer).get(URL, params)
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_anonymous_users_are_refused(seeded):
    response = APIClient().get(URL, good_show_span(seeded))
    assert response.status_code in (401, 403)


def test_another_process_reuses_the_stored_vectors_instead_of_embedding_again(
    seeded, reviewer, monkeypatch
):
    """The claims' vectors are shared through the cache: a fresh process (empty in-process memo)
    answers without running the encoder for texts embedded before."""
    from django.core.cache import cache

    from annotator.claim_matching import encoder

    cache.clear()
    monkeypatch.setattr(encoder, "_memo", type(encoder._memo)())  # a fresh process
    for text in DISTRACTORS:
        Claim.objects.create(text=text, language="en")
    client = client_for(reviewer)
    first = client.get(URL, good_show_span(seeded)).json()["results"]
    monkeypatch.setattr(encoder, "_memo", type(encoder._memo)())  # as in another process

    def no_model():
        raise AssertionError("the encoder ran again")

    monkeypatch.setattr(encoder, "_model", no_model)
    again = client.get(URL, good_show_span(seeded)).json()["results"]
    assert again == first


def test_moderators_see_probable_duplicates_on_the_claim_page(seeded, reviewer, moderator):
    from django.test import Client

    claim = Claim.objects.create(text="Mao said a wonderful drama was about to be staged")
    twin = Claim.objects.create(text="毛主席說好戲就要開始了")
    Claim.objects.create(text="Bus fares will rise next year")
    page = Client()
    page.force_login(moderator)
    html = page.get(f"/claims/{claim.pk}/").content.decode()
    assert "Probably duplicate claims" in html
    assert f"id__in={claim.pk},{twin.pk}" in html and "Bus fares" not in html
    admin = page.get(f"/admin/annotator/claim/?id__in={claim.pk},{twin.pk}")
    assert admin.status_code == 200 and "2 claims" in admin.content.decode()
    page.force_login(reviewer)
    assert "Probably duplicate claims" not in page.get(f"/claims/{claim.pk}/").content.decode()
