"""Published fact-checks: the API, the anonymous page with ClaimReview, the feed, the export."""

import json
import re

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from annotator.annotations import create_annotation
from annotator.models import Claim, Consensus

MAO_QUOTE = "A wonderful drama is about to be staged"
MAO_QUOTE_ZH = "好戲開始嘍"
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)

# Google's fact-check markup documentation: every property it lists as required or
# recommended, by type.
GOOGLE_CLAIMREVIEW = {
    "required": ["claimReviewed", "reviewRating", "url"],
    "recommended": ["author", "datePublished", "itemReviewed"],
}
GOOGLE_CLAIM = {"recommended": ["appearance", "author", "datePublished", "firstAppearance"]}
GOOGLE_RATING = {
    "required": ["alternateName"],
    "recommended": ["bestRating", "name", "ratingValue", "worstRating"],
}


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()


def logged_in(user):
    client = APIClient()
    client.force_login(user)
    return client


def at(document, text):
    start = document.body.index(text)
    return {"document": document, "start": start, "end": start + len(text), "exact": text}


@pytest.fixture
def agreed(seeded, reviewer, other_reviewer, third_reviewer):
    """Three reviewers agree, in English and Chinese documents, that the quote is unreliable."""
    claim = Claim.objects.create(
        text="Mao said 'a wonderful drama is about to be staged' about the Korean War",
        language="en",
    )
    for user in (reviewer, other_reviewer, third_reviewer):
        create_annotation(
            reviewer=user,
            **at(seeded["000"], MAO_QUOTE),
            reliability=2,
            claim=claim,
            evidence=["https://archive.example.org/1958/speech"],
        )
        create_annotation(reviewer=user, **at(seeded["001"], MAO_QUOTE_ZH), reliability=2,
                          claim=claim)  # fmt: skip
    consensus = Consensus.objects.get(key=f"claim:{claim.pk}")
    assert consensus.status == "agreed"
    return claim


PAYLOAD = {
    "headline": "Mao called the Korean War 'a wonderful drama'",
    "summary": "No source before 1990 carries the quote.",
    "rating_text": "Unsupported",
}


def publish(client, claim, **changes):
    return client.post(
        f"/api/v1/claims/{claim.pk}/publication/", {**PAYLOAD, **changes}, format="json"
    )


def page_json_ld(html: str) -> dict:
    (block,) = JSON_LD.findall(html)
    return json.loads(block)


@pytest.mark.django_db
def test_publish_returns_the_public_url_and_the_page_is_anonymous(agreed, moderator, seeded):
    response = publish(logged_in(moderator), agreed)
    assert response.status_code == 201, response.content
    url = response.json()["url"]
    assert re.fullmatch(r"http://testserver/fact-checks/[a-z0-9-]+/", url)
    assert response.json()["warnings"] == []
    page = Client().get(url)  # anonymous
    assert page.status_code == 200
    html = page.content.decode()
    assert agreed.text.replace("'", "&#x27;") in html
    assert "Unsupported" in html and PAYLOAD["summary"] in html
    assert 'href="https://archive.example.org/1958/speech"' in html
    for doc in (seeded["000"], seeded["001"]):
        assert doc.title.replace("'", "&#x27;") in html
        if doc.url:
            assert f'href="{doc.url}"' in html
    assert 'lang="zh-Hant"' in html
    markup = page_json_ld(html)
    assert markup["url"] == url
    assert "Content-Security-Policy" in page


@pytest.mark.django_db
def test_claim_review_has_every_property_google_lists(agreed, moderator):
    url = publish(logged_in(moderator), agreed).json()["url"]
    review = page_json_ld(Client().get(url).content.decode())
    assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
    for name in GOOGLE_CLAIMREVIEW["required"] + GOOGLE_CLAIMREVIEW["recommended"]:
        assert review.get(name), name
    assert len(review["claimReviewed"]) <= 75
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", review["datePublished"])
    author = review["author"]
    assert author["@type"] == "Organization"
    assert author["name"] == "Test Fact-check Desk" and author["url"] == "http://testserver/"
    assert author["logo"]["url"] == "http://testserver/static/annotator/logo.png"
    claim = review["itemReviewed"]
    assert claim["@type"] == "Claim"
    for name in GOOGLE_CLAIM["recommended"]:
        assert claim.get(name), name
    assert {a["inLanguage"] for a in claim["appearance"]} == {"en", "zh-Hant"}
    assert all(not a["url"].startswith("http://testserver/api/") for a in claim["appearance"]
               if "url" in a)  # fmt: skip
    rating = review["reviewRating"]
    for name in GOOGLE_RATING["required"] + GOOGLE_RATING["recommended"]:
        assert rating.get(name) is not None, name
    assert (rating["ratingValue"], rating["bestRating"], rating["worstRating"]) == (2, 5, 1)
    assert rating["alternateName"] == "Unsupported"


@pytest.mark.django_db
def test_the_claimreview_export_lists_exactly_the_published_fact_checks(agreed, moderator):
    client = logged_in(moderator)

    def export(cursor=None):
        cache.clear()
        suffix = f"&cursor={cursor}" if cursor else ""
        response = client.get("/api/v1/exports/consensus?format=claimreview" + suffix)
        text = b"".join(response.streaming_content).decode()
        return json.loads(text)["@graph"], response.get("X-Export-Cursor")

    assert export()[0] == []  # nothing published: nothing listed (consensus alone is not)
    url = publish(client, agreed).json()["url"]
    graph, cursor = export()
    assert [review["url"] for review in graph] == [url]
    page = page_json_ld(Client().get(url).content.decode())
    assert {**graph[0], "@context": "https://schema.org"} == page
    assert client.delete(f"/api/v1/claims/{agreed.pk}/publication/").status_code == 204
    assert export()[0] == []
    (tombstone,), _ = export(cursor)
    assert tombstone["url"] == url
    assert tombstone["@type"] == "https://www.w3.org/ns/activitystreams#Tombstone"


@pytest.mark.django_db
def test_retraction_gives_410_and_republishing_keeps_the_url(agreed, moderator):
    client = logged_in(moderator)
    url = publish(client, agreed).json()["url"]
    assert publish(client, agreed).status_code == 409  # already published
    assert client.delete(f"/api/v1/claims/{agreed.pk}/publication/").status_code == 204
    assert Client().get(url).status_code == 410
    assert client.delete(f"/api/v1/claims/{agreed.pk}/publication/").status_code == 409
    again = publish(client, agreed, headline="Mao never called the war a drama")
    assert again.status_code == 201 and again.json()["url"] == url
    assert Client().get(url).status_code == 200


@pytest.mark.django_db
def test_publication_rules(agreed, moderator, reviewer, seeded):
    client = logged_in(moderator)
    assert publish(logged_in(reviewer), agreed).status_code == 403
    assert publish(APIClient(), agreed).status_code in (401, 403)
    bad = publish(client, agreed, headline="")
    assert bad.status_code == 400 and "headline" in bad.json()
    assert publish(client, agreed, summary=None).json().keys() >= {"summary"}
    assert (
        client.post("/api/v1/claims/999999/publication/", PAYLOAD, format="json").status_code == 404
    )
    pending = Claim.objects.create(text="Only one reviewer looked at this")
    create_annotation(reviewer=reviewer, **at(seeded["000"], MAO_QUOTE[:10]), reliability=4,
                      claim=pending)  # fmt: skip
    refused = publish(client, pending)
    assert refused.status_code == 409 and "consensus" in refused.json()
    long = publish(client, agreed, headline="x" * 90)
    assert long.status_code == 201 and long.json()["warnings"]


@pytest.mark.django_db
def test_index_and_atom_feed_list_live_fact_checks(agreed, moderator):
    client = logged_in(moderator)
    url = publish(client, agreed).json()["url"]
    index = Client().get("/fact-checks/")
    assert (
        index.status_code == 200
        and PAYLOAD["headline"].replace("'", "&#x27;") in index.content.decode()
    )
    feed = Client().get("/fact-checks/feed.atom")
    assert feed.status_code == 200 and feed["Content-Type"].startswith("application/atom+xml")
    assert url in feed.content.decode()
    client.delete(f"/api/v1/claims/{agreed.pk}/publication/")
    assert url not in Client().get("/fact-checks/feed.atom").content.decode()
    assert Client().get("/fact-checks/no-such-check/").status_code == 404


@pytest.mark.django_db
def test_the_json_ld_block_cannot_be_closed_by_claim_text(agreed, moderator):
    agreed.text = "</script><script>alert(1)</script><!--"
    agreed.save()
    url = publish(logged_in(moderator), agreed).json()["url"]
    html = Client().get(url).content.decode()
    assert "<script>alert" not in html
    assert page_json_ld(html)["itemReviewed"]["text"] == agreed.text


@pytest.mark.django_db
def test_publish_and_retract_from_the_admin(agreed, moderator, seeded, reviewer):
    from annotator.models import FactCheck, ModerationAction

    admin = Client()
    admin.force_login(moderator)
    assert admin.get("/admin/annotator/factcheck/add/").status_code == 200
    refused = admin.post(
        "/admin/annotator/factcheck/add/", {"claim": agreed.pk, "headline": "", "summary": "x"}
    )
    assert refused.status_code == 200 and not FactCheck.objects.exists()
    done = admin.post(
        "/admin/annotator/factcheck/add/",
        {"claim": agreed.pk, "headline": PAYLOAD["headline"], "summary": PAYLOAD["summary"]},
    )
    assert done.status_code == 302, done.content.decode()[:2000]
    fact_check = FactCheck.objects.get()
    assert fact_check.rating_text == "Unreliable" and fact_check.published_by == moderator
    assert Client().get(f"/fact-checks/{fact_check.slug}/").status_code == 200
    assert ModerationAction.objects.filter(action="factcheck.publish").count() == 1
    retract = admin.post(
        "/admin/annotator/factcheck/",
        {"action": "retract", "_selected_action": [fact_check.pk], "apply": "1",
         "reason": "Wrong archive year"},
    )  # fmt: skip
    assert retract.status_code in (200, 302)
    assert Client().get(f"/fact-checks/{fact_check.slug}/").status_code == 410
    assert ModerationAction.objects.get(action="factcheck.retract").reason == "Wrong archive year"
    reviewer_admin = Client()
    reviewer_admin.force_login(reviewer)
    assert reviewer_admin.get("/admin/annotator/factcheck/add/").status_code in (302, 403)
