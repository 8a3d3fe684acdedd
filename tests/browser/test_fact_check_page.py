"""A published fact-check page, opened anonymously in Chromium: its ClaimReview JSON-LD."""

import json

import pytest

from annotator.annotations import create_annotation
from annotator.factchecks.publishing import publish_fact_check
from annotator.models import Claim

pytestmark = pytest.mark.browser
MAO_QUOTE = "A wonderful drama is about to be staged"


@pytest.mark.django_db(transaction=True)
def test_anonymous_reader_gets_the_page_and_its_claim_review(
    page, live_server, settings, migration_data, seeded, reviewer, other_reviewer,
    third_reviewer, moderator,
):  # fmt: skip
    settings.PUBLIC_BASE_URL = live_server.url
    claim = Claim.objects.create(text="Mao called the Korean War a wonderful drama")
    start = seeded["000"].body.index(MAO_QUOTE)
    for user in (reviewer, other_reviewer, third_reviewer):
        create_annotation(reviewer=user, document=seeded["000"], start=start,
                          end=start + len(MAO_QUOTE), reliability=2, claim=claim)  # fmt: skip
    published = publish_fact_check(
        claim, moderator=moderator, headline="Mao called the war 'a wonderful drama'",
        summary="No source before 1990 carries the quote.",
    ).fact_check  # fmt: skip

    response = page.goto(f"/fact-checks/{published.slug}/")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    blocks = page.locator('script[type="application/ld+json"]')
    assert blocks.count() == 1
    review = json.loads(blocks.text_content())
    assert review["@type"] == "ClaimReview"
    assert review["url"] == page.url == f"{live_server.url}/fact-checks/{published.slug}/"
    assert review["claimReviewed"] == published.headline
    assert review["reviewRating"]["alternateName"] == "Unreliable"
    assert review["itemReviewed"]["appearance"][0]["headline"] == seeded["000"].title
    assert page.get_by_role("heading", level=1).text_content() == published.headline
    assert page.get_by_text("Log out").count() == 0  # anonymous
