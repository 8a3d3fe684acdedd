"""The source page: a source's reliability with the counts behind it."""

import pytest
from django.urls import reverse

from annotator.annotations import create_annotation
from annotator.models import Passage

pytestmark = pytest.mark.django_db


def test_source_page_shows_reliability_counts_and_agreement(
    client, seeded, reviewer, other_reviewer, third_reviewer
):
    document = seeded["001"]
    passages = list(Passage.objects.filter(document=document).order_by("index")[:2])
    for user, ratings in ((reviewer, (1, 4)), (other_reviewer, (1, 4)), (third_reviewer, (2, 5))):
        for passage, rating in zip(passages, ratings, strict=True):
            create_annotation(
                reviewer=user, document=document, start=passage.start, end=passage.end,
                reliability=rating, flags=["misattributed-quote"] if rating < 3 else [],
            )  # fmt: skip
    client.force_login(reviewer)
    dashboard = client.get(reverse("dashboard")).content.decode()
    url = reverse("source-page", args=[document.source_id])
    assert url in dashboard
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "華文頭條" in html
    summary = response.context["summary"]
    assert summary["decided_passages"] == 2 and summary["passages_judged"] == 2
    assert summary["median_of_passage_medians"] == 2.5
    assert "over 2 decided passages (quorum of 3 reviewers reached" in html
    assert "<code>misattributed-quote</code>" in html
    assert 'id="source-alpha">' in html and summary["agreement"]["alpha"] is not None
    assert f"{summary['agreement']['alpha']:.3f}" in html


def test_source_page_before_any_judgment_and_unknown_source(client, seeded, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("source-page", args=[seeded["000"].source_id]))
    assert "No passage of this source has reached the quorum" in response.content.decode()
    assert client.get(reverse("source-page", args=[999_999])).status_code == 404


def test_source_page_needs_login(client, seeded):
    response = client.get(reverse("source-page", args=[seeded["000"].source_id]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
