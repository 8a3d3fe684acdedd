"""A reviewer's side of campaigns: the assignments API, /next/, "My assignments", blind review."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator.models import Assignment
from tests.campaign_support import (
    client_for,
    judge,
    make_document,
    make_manager,
    make_pool,
    open_campaign_over,
    web_for,
)
from tests.conftest import make_user


@pytest.fixture
def manager(db):
    return make_manager()


def test_assignments_api_lists_own_rows_with_kind_due_and_done(manager, db):
    document = make_document("doc", 4)
    pool = make_pool(2)
    campaign = open_campaign_over(manager, [document], pool, due="2026-12-24")
    first = document.passages.order_by("index").first()
    judge(pool[0], first, 4)
    client = client_for(pool[0])
    response = client.get("/api/v1/assignments/", {"campaign": campaign.pk})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == document.passages.count()
    assert {row["kind"] for row in rows} == {"regular"}
    assert {row["due"] for row in rows} == {"2026-12-24"}
    assert [row["done"] for row in rows if row["passage"] == first.pk] == [True]
    assert sum(row["done"] for row in rows) == 1
    assert {row["reviewer"] for row in rows} == {pool[0].username}
    assert {row["document"] for row in rows} == {document.pk}

    other = client.get("/api/v1/assignments/", {"reviewer": pool[1].username})
    assert other.status_code == 403
    moderated = client_for(manager).get("/api/v1/assignments/", {"reviewer": pool[1].username})
    assert moderated.status_code == 200
    assert {row["reviewer"] for row in moderated.json()["results"]} == {pool[1].username}
    bad = client.get("/api/v1/assignments/", {"campaign": "x"})
    assert bad.status_code == 400 and "campaign" in bad.json()


def _queries(callable_):
    with CaptureQueriesContext(connection) as captured:
        callable_()
    return len(captured.captured_queries)


def test_next_and_assignments_api_use_a_constant_number_of_queries(manager, db):
    small, large = make_document("small", 3), make_document("large", 60)
    pool = make_pool(1, "solo")
    open_campaign_over(manager, [small], pool, overlap=1, quorum=1)
    counts = []
    web = web_for(pool[0])
    api = client_for(pool[0])
    counts.append(
        (_queries(lambda: web.get("/next/")), _queries(lambda: api.get("/api/v1/assignments/")))
    )
    open_campaign_over(manager, [large], pool, overlap=1, quorum=1)
    assert Assignment.objects.filter(reviewer=pool[0]).count() == 63
    counts.append(
        (_queries(lambda: web.get("/next/")), _queries(lambda: api.get("/api/v1/assignments/")))
    )
    assert counts[0] == counts[1], counts


def test_next_serves_tie_breakers_then_assigned_passages_in_reading_order_then_the_queue(
    manager, db
):
    first, second = make_document("first", 3), make_document("second", 2)
    outside = make_document("outside", 2)
    pool = make_pool(1, "solo")
    open_campaign_over(manager, [second, first], pool, overlap=1, quorum=1)
    web = web_for(pool[0])
    order = [(first.pk, i) for i in range(3)] + [(second.pk, i) for i in range(2)]
    seen = []
    after = None
    for _ in order:
        response = web.get("/next/", {"after": after} if after else {})
        assert response.status_code == 302
        document_id = int(response.url.split("/documents/")[1].split("/")[0])
        index = int(response.url.split("#p")[1])
        seen.append((document_id, index))
        after = first.passages.model.objects.get(document_id=document_id, index=index).pk
    assert seen == order
    # After the last assigned passage: the global below-quorum queue.
    response = web.get("/next/", {"after": after})
    assert f"/documents/{first.pk}/" in response.url or f"/documents/{outside.pk}/" in response.url
    # Judging an assigned passage takes it out of the assigned part of the queue.
    judge(pool[0], first.passages.get(index=0), 3)
    response = web.get("/next/")
    assert response.url.endswith(f"/documents/{first.pk}/#p1")


def test_my_assignments_page_shows_documents_counts_due_and_progress(manager, db):
    document = make_document("mine", 4)
    pool = make_pool(2)
    open_campaign_over(manager, [document], pool, due="2026-12-01")
    judge(pool[0], document.passages.get(index=0), 5)
    web = web_for(pool[0])
    page = web.get("/assignments/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "mine" in html and "2026-12-01" in html
    assert "1 / 4" in html


def test_reviewers_see_campaign_figures_only_through_blind_review(manager, db):
    document = make_document("blind", 3)
    pool = make_pool(3)
    campaign = open_campaign_over(manager, [document], pool, overlap=3, quorum=2)
    passage = document.passages.get(index=1)
    judge(pool[0], passage, 1)
    judge(pool[1], passage, 5)
    url = f"/api/v1/campaigns/{campaign.pk}/progress/"
    as_moderator = client_for(manager).get(url).json()
    assert as_moderator["statuses"]["disputed"] == 1
    assert as_moderator["agreement"]["pairable_values"] == 2
    assert {row["reviewer"] for row in as_moderator["reviewers"]} == {u.username for u in pool}

    blind = client_for(pool[2]).get(url)
    assert blind.status_code == 200
    figures = blind.json()
    assert figures["statuses"]["disputed"] == 0  # not judged by pool[2]: not visible
    assert figures["agreement"]["pairable_values"] == 0
    assert figures["agreement"]["annotations"] == 0
    assert [row["reviewer"] for row in figures["reviewers"]] == [pool[2].username]
    assert figures["time_to_quorum"]["reached"] == 0

    judge(pool[2], passage, 3)
    unlocked = client_for(pool[2]).get(url).json()
    assert unlocked["statuses"]["disputed"] == 1
    assert unlocked["agreement"]["annotations"] == 3
    assert unlocked["time_to_quorum"]["reached"] == 1

    page = web_for(make_user("stranger", groups=["Reviewer"]))
    assert page.get(f"/campaigns/{campaign.pk}/").status_code == 404
    assert client_for(make_user("other", groups=["Reviewer"])).get(url).status_code == 404


def test_campaign_page_renders_progress_for_managers_and_members(manager, db):
    document = make_document("page", 3)
    pool = make_pool(2)
    campaign = open_campaign_over(manager, [document], pool)
    judge(pool[0], document.passages.get(index=0), 4)
    web = web_for(manager)
    html = web.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "Progress per reviewer" in html and "campaign.open" in html
    web.force_login(pool[0])
    html = web.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "campaign.open" not in html  # the history is for managers
    assert pool[1].username not in html.split("Progress per reviewer")[1].split("</table>")[0]


def test_exports_take_a_campaign(manager, db):
    inside, outside = make_document("inside", 2), make_document("outside", 2)
    pool = make_pool(2)
    campaign = open_campaign_over(manager, [inside], pool)
    judge(pool[0], inside.passages.get(index=0), 4)
    judge(pool[0], outside.passages.get(index=0), 2)
    client = client_for(manager)
    for url in ("/api/v1/exports/annotations", "/api/v1/exports/consensus"):
        response = client.get(url, {"campaign": campaign.pk, "format": "jsonl"})
        assert response.status_code == 200
        lines = [
            line for line in b"".join(response.streaming_content).decode().splitlines() if line
        ]
        documents = {json.loads(line)["document"] for line in lines}
        assert documents == {inside.pk}, url
