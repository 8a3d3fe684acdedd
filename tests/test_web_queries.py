"""The reading view issues a constant number of SQL queries, whatever the document's size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator.models import Annotation
from annotator.web.synthetic import build_big_document
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.fixture
def reviewers(db):
    return [make_user(f"r{number}") for number in range(5)]


def test_reading_view_queries_do_not_grow_with_passages_or_annotations(
    client, reviewers, django_assert_num_queries
):
    small = build_big_document(reviewers, passages=3, annotations=5, label="small")
    big = build_big_document(reviewers, passages=1000, annotations=5000, label="big")
    assert Annotation.objects.filter(document=big).count() == 5000
    viewer = reviewers[0]
    client.force_login(viewer)

    small_count = count_queries(client, f"/documents/{small.pk}/")
    with django_assert_num_queries(small_count):
        response = client.get(f"/documents/{big.pk}/")
    page = response.content.decode()
    # The viewer judged every passage, so blind review shows all 5,000 annotations.
    assert page.count('<p class="passage"') == 1000
    assert page.count('"reviewer":') == 5000 and page.count('"is_own":true') == 1000
    # Others' notes and evidence are fetched on demand, not embedded (page weight).
    assert page.count('"note":') == 1000
    assert small_count <= 13  # 12, plus the notification bell's unread count on every page


def test_moderator_and_blind_reviewer_are_constant_too(
    client, reviewers, django_assert_num_queries
):
    small = build_big_document(reviewers, passages=3, annotations=5, label="small")
    big = build_big_document(reviewers, passages=400, annotations=2000, label="big")
    outsider = make_user("outsider")
    moderator = make_user("moderator-1", groups=["Moderator"])
    for user in (outsider, moderator):
        client.force_login(user)
        small_count = count_queries(client, f"/documents/{small.pk}/")
        with django_assert_num_queries(small_count):
            client.get(f"/documents/{big.pk}/")


def test_dashboard_is_constant(client, reviewers, django_assert_num_queries):
    build_big_document(reviewers, passages=3, annotations=5, label="one")
    client.force_login(reviewers[0])
    few = count_queries(client, "/")
    for number in range(5):
        build_big_document(reviewers, passages=20, annotations=40, label=f"more-{number}")
    with django_assert_num_queries(few):
        client.get("/")
