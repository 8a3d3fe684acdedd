"""Campaign web pages a manager works in: reassigning by hand (the same rule and audit record
as the API's ``reassign``) and choosing documents by a filter (the same filter as the API's
``document_filter``). The pages have no script, so Django's client drives them."""

import pytest

from annotator.models import Assignment, Campaign, CampaignMember, ModerationAction, Source
from tests.campaign_support import client_for, judge, make_document, make_pool, web_for
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    return make_user("editor", groups=["Editor"])


@pytest.fixture
def opened(editor):
    """An open campaign over one document of 6 passages, 3 reviewers, overlap 2."""
    document = make_document("harbour", 6, title="Harbour report")
    pool = make_pool(3)
    created = client_for(editor).post(
        "/api/v1/campaigns/",
        {
            "name": "Harbour week",
            "documents": [document.pk],
            "reviewers": [u.username for u in pool],
            "overlap": 2,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    campaign = Campaign.objects.get(pk=created.json()["id"])
    assert client_for(editor).post(f"/api/v1/campaigns/{campaign.pk}/open/").status_code == 200
    return campaign, pool


def movable(campaign, pool):
    """An open assignment of pool[0] and a pool member free to take it."""
    assignment = Assignment.objects.filter(campaign=campaign, reviewer=pool[0]).first()
    holders = set(
        Assignment.objects.filter(passage_id=assignment.passage_id).values_list(
            "reviewer_id", flat=True
        )
    )
    free = next(u for u in pool if u.pk not in holders)
    holder = next(u for u in pool if u.pk in holders and u != pool[0])
    return assignment, free, holder


# --- Reassignment by hand ----------------------------------------------------------------------


def test_manager_reassigns_from_the_campaign_page(opened, editor):
    campaign, pool = opened
    assignment, free, _ = movable(campaign, pool)
    web = web_for(editor)
    page = web.get(f"/campaigns/{campaign.pk}/").content.decode()
    link = f"/campaigns/{campaign.pk}/reassign/?from={pool[0].username}"
    assert link in page
    form = web.get(link)
    assert form.status_code == 200
    html = form.content.decode()
    assert f'<option value="{assignment.passage_id}">Harbour report — passage' in html
    assert f'value="{pool[0].username}"' in html  # the hidden "from"

    moved = web.post(
        f"/campaigns/{campaign.pk}/reassign/",
        {
            "from_reviewer": pool[0].username,
            "passage": assignment.passage_id,
            "to_reviewer": free.username,
            "reason": "on leave this week",
        },
    )
    assert moved.status_code == 302 and moved["Location"] == f"/campaigns/{campaign.pk}/"
    assignment.refresh_from_db()
    assert assignment.reviewer_id == free.pk
    record = ModerationAction.objects.get(action="campaign.reassign")
    assert record.actor == editor and record.reason == "on leave this week"
    assert record.target_id == str(campaign.pk)
    assert record.details == {
        "passage": assignment.passage_id,
        "from": pool[0].username,
        "to": free.username,
    }
    counts = dict(CampaignMember.objects.values_list("reviewer_id", "assigned"))
    assert counts == {
        u.pk: Assignment.objects.filter(campaign=campaign, reviewer=u).count() for u in pool
    }
    history = web.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "campaign.reassign" in history and "on leave this week" in history


@pytest.mark.parametrize(
    "change, field",
    [
        ({"reason": "  "}, "reason"),
        ({"to_reviewer": "HOLDER"}, "to_reviewer"),
        ({"to_reviewer": "nobody"}, "to_reviewer"),
        ({"from_reviewer": "nobody"}, "from_reviewer"),
        ({"passage": "not a number"}, "passage"),
    ],
)
def test_bad_reassignment_names_the_field_and_moves_nothing(opened, editor, change, field):
    campaign, pool = opened
    assignment, free, holder = movable(campaign, pool)
    data = {
        "from_reviewer": pool[0].username,
        "passage": assignment.passage_id,
        "to_reviewer": free.username,
        "reason": "balance",
        **change,
    }
    if data["to_reviewer"] == "HOLDER":
        data["to_reviewer"] = holder.username
    before = sorted(Assignment.objects.values_list("pk", "reviewer_id"))
    response = web_for(editor).post(f"/campaigns/{campaign.pk}/reassign/", data)
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.content.decode()
    assert sorted(Assignment.objects.values_list("pk", "reviewer_id")) == before
    assert not ModerationAction.objects.filter(action="campaign.reassign").exists()


def test_a_done_assignment_does_not_move_from_the_page(opened, editor):
    campaign, pool = opened
    assignment, free, _ = movable(campaign, pool)
    judge(pool[0], assignment.passage, 4)
    web = web_for(editor)
    listed = web.get(f"/campaigns/{campaign.pk}/reassign/?from={pool[0].username}")
    assert f'<option value="{assignment.passage_id}"' not in listed.content.decode()
    response = web.post(
        f"/campaigns/{campaign.pk}/reassign/",
        {
            "from_reviewer": pool[0].username,
            "passage": assignment.passage_id,
            "to_reviewer": free.username,
            "reason": "late",
        },
    )
    assert response.status_code == 400 and "done" in response.content.decode()
    assert Assignment.objects.get(pk=assignment.pk).reviewer_id == pool[0].pk


def test_reviewers_cannot_reassign(opened):
    campaign, pool = opened
    assignment, free, _ = movable(campaign, pool)
    web = web_for(pool[0])
    assert web.get(f"/campaigns/{campaign.pk}/reassign/").status_code == 403
    assert "Reassign" not in web.get(f"/campaigns/{campaign.pk}/").content.decode()
    data = {
        "from_reviewer": pool[0].username,
        "passage": assignment.passage_id,
        "to_reviewer": free.username,
        "reason": "mine",
    }
    assert web.post(f"/campaigns/{campaign.pk}/reassign/", data).status_code == 403
    api = client_for(pool[0]).post(
        f"/api/v1/campaigns/{campaign.pk}/reassign/",
        {
            "passage": assignment.passage_id,
            "from": pool[0].username,
            "to": free.username,
            "reason": "mine",
        },
        format="json",
    )
    assert api.status_code == 403
    assert Assignment.objects.get(pk=assignment.pk).reviewer_id == pool[0].pk


def test_editors_reassign_through_the_api_too(opened, editor):
    """One rule for both paths: campaign managers (editors included) reassign by hand."""
    campaign, pool = opened
    assignment, free, _ = movable(campaign, pool)
    response = client_for(editor).post(
        f"/api/v1/campaigns/{campaign.pk}/reassign/",
        {
            "passage": assignment.passage_id,
            "from": pool[0].username,
            "to": free.username,
            "reason": "workload",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["reviewer"] == free.username


# --- Documents by filter -----------------------------------------------------------------------


@pytest.fixture
def library(db):
    """Four documents: two from the Wire (en, January and March), one Wire in zh, one Post."""
    return {
        "wire-jan": make_document(
            "wire-jan", 3, source="Wire", language="en", published="2026-01-10"
        ),
        "wire-mar": make_document(
            "wire-mar", 4, source="Wire", language="en", published="2026-03-05"
        ),
        "wire-zh": make_document("wire-zh", 3, source="Wire", language="zh"),
        "post": make_document("post", 3, source="Post", language="en", published="2026-01-20"),
    }


def create_on_the_page(user, **fields):
    pool = make_pool(2)
    data = {
        "name": "Filtered",
        "reviewers": [u.username for u in pool],
        "overlap": 1,
        "blind_review": "on",
        **fields,
    }
    return web_for(user).post("/campaigns/new/", data)


def test_the_new_campaign_page_chooses_documents_by_filter(editor, library):
    wire = Source.objects.get(name="Wire")
    form = web_for(editor).get("/campaigns/new/").content.decode()
    assert 'name="source"' in form and '<option value="zh">zh</option>' in form
    response = create_on_the_page(
        editor,
        source=wire.pk,
        language="en",
        published_from="2026-01-01",
        published_to="2026-01-31",
    )
    assert response.status_code == 302, response.content.decode()
    campaign = Campaign.objects.get(name="Filtered")
    assert list(campaign.documents.values_list("pk", flat=True)) == [library["wire-jan"].pk]
    assert campaign.document_filter == {
        "source": wire.pk,
        "language": "en",
        "published_from": "2026-01-01",
        "published_to": "2026-01-31",
    }
    record = ModerationAction.objects.get(action="campaign.create", target_id=str(campaign.pk))
    assert record.details["documents"] == [library["wire-jan"].pk]


def test_filter_and_hand_picked_documents_add_up(editor, library):
    response = create_on_the_page(editor, documents=[library["post"].pk], language="zh")
    assert response.status_code == 302, response.content.decode()
    campaign = Campaign.objects.get(name="Filtered")
    assert sorted(campaign.documents.values_list("pk", flat=True)) == sorted(
        [library["post"].pk, library["wire-zh"].pk]
    )


def test_a_filter_matching_nothing_is_refused_and_nothing_created(editor, library):
    response = create_on_the_page(editor, language="en", published_from="2027-01-01")
    assert response.status_code == 400
    assert "No current document matches this filter." in response.content.decode()
    assert not Campaign.objects.exists()


def test_adding_documents_by_filter_to_an_open_campaign_assigns_only_them(editor, library):
    created = client_for(editor).post(
        "/api/v1/campaigns/",
        {
            "name": "Grows",
            "documents": [library["post"].pk],
            "reviewers": [u.username for u in make_pool(3)],
            "overlap": 2,
        },
        format="json",
    )
    campaign = Campaign.objects.get(pk=created.json()["id"])
    client_for(editor).post(f"/api/v1/campaigns/{campaign.pk}/open/")
    before = set(Assignment.objects.values_list("pk", flat=True))
    web = web_for(editor)
    assert (
        f"/campaigns/{campaign.pk}/documents/"
        in web.get(f"/campaigns/{campaign.pk}/").content.decode()
    )
    assert web.get(f"/campaigns/{campaign.pk}/documents/").status_code == 200
    wire = Source.objects.get(name="Wire")
    response = web.post(
        f"/campaigns/{campaign.pk}/documents/",
        {"source": wire.pk, "published_from": "2026-03-01"},
    )
    assert response.status_code == 302, response.content.decode()
    added = Assignment.objects.exclude(pk__in=before)
    assert set(added.values_list("document_id", flat=True)) == {library["wire-mar"].pk}
    assert added.count() == 2 * library["wire-mar"].passages.count()
    assert Assignment.objects.filter(pk__in=before).count() == len(before)
    record = ModerationAction.objects.get(action="campaign.add_documents")
    assert record.details["documents"] == [library["wire-mar"].pk]


def test_reviewers_cannot_add_documents(opened, library):
    campaign, pool = opened
    web = web_for(pool[0])
    assert web.get(f"/campaigns/{campaign.pk}/documents/").status_code == 403
    response = web.post(f"/campaigns/{campaign.pk}/documents/", {"language": "zh"})
    assert response.status_code == 403
    assert campaign.documents.count() == 1
