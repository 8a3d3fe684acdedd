"""Campaigns: creation, opening (balanced, deterministic assignment), closing, bad input,
later additions, reassignment on suspension and by hand, the audit trail."""

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.campaigns.planning import plan_assignments
from annotator.models import Assignment, Campaign, CampaignMember, ModerationAction
from annotator.moderation import suspend_reviewer
from tests.campaign_support import client_for, judge, make_document, make_manager, make_pool
from tests.conftest import make_user

URL = "/api/v1/campaigns/"


@pytest.fixture
def manager(db):
    return make_manager()


@pytest.fixture
def corpus(db):
    return [make_document("alpha", 7), make_document("beta", 5)]


def create(client, **overrides):
    payload = {
        "name": "Spring review",
        "documents": overrides.pop("document_ids"),
        "reviewers": overrides.pop("usernames"),
        "overlap": 2,
        "quorum": 2,
    }
    payload.update(overrides)
    return client.post(URL, payload, format="json")


def create_and_open(client, document_ids, reviewers, **overrides) -> dict:
    """A campaign made and opened through the API (both must succeed); its JSON."""
    created = create(
        client,
        document_ids=document_ids,
        usernames=[user.username for user in reviewers],
        **overrides,
    )
    assert created.status_code == 201, created.content
    opened = client.post(f"{URL}{created.json()['id']}/open/")
    assert opened.status_code == 200, opened.content
    return created.json()


def totals(campaign) -> Counter:
    return Counter(
        Assignment.objects.filter(campaign=campaign).values_list("reviewer__username", flat=True)
    )


# --- Property: the plan --------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    passages=st.integers(min_value=0, max_value=300),
    pool=st.integers(min_value=1, max_value=25),
    overlap_share=st.floats(min_value=0, max_value=1),
)
def test_plan_balances_within_one_and_never_repeats_a_reviewer_on_a_passage(
    passages, pool, overlap_share
):
    overlap = 1 + int(overlap_share * (pool - 1))
    rows = list(
        plan_assignments(
            [(p, p // 10) for p in range(passages)], [(r, 0) for r in range(pool)], overlap
        )
    )
    assert len(rows) == passages * overlap
    per_passage = Counter(rows)
    assert set(per_passage.values()) <= {1}
    loads = Counter(reviewer for _, reviewer in rows)
    counts = [loads.get(r, 0) for r in range(pool)]
    assert max(counts) - min(counts) <= 1


@settings(max_examples=100, deadline=None)
@given(
    start=st.lists(st.integers(min_value=0, max_value=40), min_size=2, max_size=12),
    passages=st.integers(min_value=0, max_value=200),
    overlap=st.integers(min_value=1, max_value=2),
)
def test_plan_from_unequal_loads_never_widens_the_spread(start, passages, overlap):
    reviewers = list(enumerate(start))
    rows = plan_assignments([(p, 1) for p in range(passages)], reviewers, overlap)
    loads = dict(reviewers)
    for _, reviewer in rows:
        loads[reviewer] += 1
    spread = max(loads.values()) - min(loads.values())
    assert spread <= max(1, max(start) - min(start))


# --- Create, open, close through the API ----------------------------------------------------------


def test_open_assigns_every_passage_to_overlap_reviewers_balanced(manager, corpus):
    pool = make_pool(5)
    client = client_for(manager)
    response = create(
        client,
        document_ids=[d.pk for d in corpus],
        usernames=[u.username for u in pool],
        overlap=3,
        due="2026-12-24",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft" and body["quorum"] == 2 and body["due"] == "2026-12-24"
    assert not Assignment.objects.exists()

    opened = client.post(f"{URL}{body['id']}/open/")
    assert opened.status_code == 200, opened.json()
    assert opened.json()["status"] == "open"
    campaign = Campaign.objects.get(pk=body["id"])
    passages = sum(d.passages.count() for d in corpus)
    assert Assignment.objects.filter(campaign=campaign).count() == passages * 3
    per_passage = Counter(Assignment.objects.values_list("passage_id", flat=True))
    assert set(per_passage.values()) == {3}
    loads = totals(campaign)
    assert max(loads.values()) - min(loads.values()) <= 1 and len(loads) == 5
    members = dict(CampaignMember.objects.values_list("reviewer__username", "assigned"))
    assert members == dict(loads)
    actions = list(
        ModerationAction.objects.filter(target_id=str(campaign.pk)).values_list("action", flat=True)
    )
    assert sorted(actions) == ["campaign.create", "campaign.open"]


def test_opening_twice_is_refused_naming_the_status(manager, corpus):
    pool = make_pool(2)
    client = client_for(manager)
    campaign = create(
        client, document_ids=[corpus[0].pk], usernames=[u.username for u in pool]
    ).json()
    assert client.post(f"{URL}{campaign['id']}/open/").status_code == 200
    count = Assignment.objects.count()
    again = client.post(f"{URL}{campaign['id']}/open/")
    assert again.status_code == 400
    assert "status" in again.json()
    assert Assignment.objects.count() == count


def test_assignment_is_deterministic(manager, corpus):
    pool = make_pool(4)
    client = client_for(manager)
    plans = []
    for name in ("first", "second"):
        campaign = create_and_open(client, [d.pk for d in corpus], reversed(pool), name=name)
        plans.append(
            list(
                Assignment.objects.filter(campaign_id=campaign["id"])
                .order_by("passage_id", "reviewer__username")
                .values_list("passage_id", "reviewer__username")
            )
        )
    assert plans[0] == plans[1]


def test_close_keeps_everything_and_stops_new_assignments(manager, corpus):
    pool = make_pool(3)
    client = client_for(manager)
    campaign = create_and_open(client, [corpus[0].pk], pool)
    passage = corpus[0].passages.first()
    holders = list(Assignment.objects.filter(passage=passage).values_list("reviewer", flat=True))
    judge(pool[0] if pool[0].pk in holders else pool[1], passage, 5)
    before = Assignment.objects.count()
    closed = client.post(f"{URL}{campaign['id']}/close/")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert Assignment.objects.count() == before
    added = client.post(
        f"{URL}{campaign['id']}/documents/", {"documents": [corpus[1].pk]}, format="json"
    )
    assert added.status_code == 400 and "status" in added.json()
    assert client.post(f"{URL}{campaign['id']}/close/").status_code == 400


# --- Bad input: 400 naming the field, nothing created ---------------------------------------------


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda ctx: {"overlap": 4}, "overlap"),
        (lambda ctx: {"usernames": ["nobody", *ctx["names"]]}, "reviewers"),
        (lambda ctx: {"usernames": [ctx["suspended"], *ctx["names"]]}, "reviewers"),
        (lambda ctx: {"usernames": [ctx["outsider"], *ctx["names"]]}, "reviewers"),
        (lambda ctx: {"document_ids": [ctx["old_revision"]]}, "documents"),
        (lambda ctx: {"document_ids": [999999]}, "documents"),
        (lambda ctx: {"quorum": 4}, "quorum"),
        (lambda ctx: {"overlap": 0}, "overlap"),
        (lambda ctx: {"name": ""}, "name"),
        (lambda ctx: {"due": "next tuesday"}, "due"),
        (lambda ctx: {"reviewers_missing": True}, "reviewers"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_creates_nothing(manager, corpus, change, field):
    from annotator.importing import DocumentRecord, import_record

    pool = make_pool(3)
    suspended = make_user("gone", groups=["Reviewer"])
    suspend_reviewer(suspended, moderator=make_user("boss", is_superuser=True), reason="spam")
    outsider = make_user("visitor")
    old = corpus[0]
    import_record(DocumentRecord(body=old.body + "\n\nA new paragraph.", origin=old.origin))
    context = {
        "names": [u.username for u in pool],
        "suspended": "gone",
        "outsider": outsider.username,
        "old_revision": old.pk,
    }
    overrides = {"document_ids": [corpus[1].pk], "usernames": context["names"]}
    overrides.update(change(context))
    missing = overrides.pop("reviewers_missing", False)
    client = client_for(manager)
    actions = ModerationAction.objects.count()
    if missing:
        response = client.post(
            URL, {"name": "x", "documents": [corpus[1].pk], "overlap": 1}, format="json"
        )
    else:
        response = create(client, **overrides)
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()
    assert not Campaign.objects.exists()
    assert not CampaignMember.objects.exists()
    assert ModerationAction.objects.count() == actions


def test_only_managers_create_campaigns(corpus):
    pool = make_pool(2)
    response = create(
        client_for(pool[0]), document_ids=[corpus[0].pk], usernames=[u.username for u in pool]
    )
    assert response.status_code == 403
    assert not Campaign.objects.exists()


# --- Later changes --------------------------------------------------------------------------------


def test_added_documents_assign_only_their_passages_least_loaded_first(manager, corpus):
    pool = make_pool(3)
    client = client_for(manager)
    campaign = create_and_open(client, [corpus[0].pk], pool[:2])
    before = set(Assignment.objects.values_list("pk", "passage_id", "reviewer_id"))
    assert (
        client.post(
            f"{URL}{campaign['id']}/reviewers/", {"reviewers": [pool[2].username]}, format="json"
        ).status_code
        == 200
    )
    assert set(Assignment.objects.values_list("pk", "passage_id", "reviewer_id")) == before
    assert (
        client.post(
            f"{URL}{campaign['id']}/documents/", {"documents": [corpus[1].pk]}, format="json"
        ).status_code
        == 200
    )
    after = set(Assignment.objects.values_list("pk", "passage_id", "reviewer_id"))
    assert before <= after
    new = after - before
    assert {passage for _, passage, _ in new} == set(
        corpus[1].passages.values_list("pk", flat=True)
    )
    loads = totals(Campaign.objects.get(pk=campaign["id"]))
    # 5 new passages x 2: the newcomer (no load) is on every one of them, the others share
    # the rest; nothing already assigned moved.
    assert loads[pool[2].username] == 5
    assert sorted([loads[pool[0].username], loads[pool[1].username]]) == [9, 10]


def test_suspension_moves_open_assignments_to_others(manager, corpus):
    pool = make_pool(4)
    client = client_for(manager)
    campaign = create_and_open(client, [corpus[0].pk], pool)
    leaving = pool[0]
    mine = list(Assignment.objects.filter(reviewer=leaving).order_by("passage_id"))
    done = mine[0]
    judge(leaving, done.passage, 4)
    suspend_reviewer(leaving, moderator=manager, reason="abusive notes")
    remaining = list(Assignment.objects.filter(reviewer=leaving))
    assert [a.pk for a in remaining] == [done.pk]  # done work stays with its author
    per_passage = Counter(Assignment.objects.values_list("passage_id", flat=True))
    assert set(per_passage.values()) == {2}
    pairs = Counter(Assignment.objects.values_list("passage_id", "reviewer_id"))
    assert set(pairs.values()) == {1}
    record = ModerationAction.objects.get(action="campaign.reassign_suspended")
    assert record.target_id == str(campaign["id"]) and len(record.details["moves"]) == len(mine) - 1
    members = dict(CampaignMember.objects.values_list("reviewer_id", "assigned"))
    assert members == dict(Counter(Assignment.objects.values_list("reviewer_id", flat=True)))


def test_moderator_reassigns_by_hand_with_a_reason(manager, corpus):
    pool = make_pool(3)
    client = client_for(manager)
    campaign = create_and_open(client, [corpus[0].pk], pool)
    assignment = Assignment.objects.filter(reviewer=pool[0]).first()
    holders = set(
        Assignment.objects.filter(passage=assignment.passage).values_list(
            "reviewer__username", flat=True
        )
    )
    target = next(u.username for u in pool if u.username not in holders)
    url = f"{URL}{campaign['id']}/reassign/"
    payload = {
        "passage": assignment.passage_id,
        "from": pool[0].username,
        "to": target,
        "reason": "on leave",
    }
    refused = client_for(pool[1]).post(url, payload, format="json")
    assert refused.status_code == 403
    clash = client.post(
        url, {**payload, "to": next(iter(holders - {pool[0].username}))}, format="json"
    )
    assert clash.status_code == 400 and "to" in clash.json()
    assert client.post(url, {**payload, "reason": ""}, format="json").status_code == 400
    moved = client.post(url, payload, format="json")
    assert moved.status_code == 200, moved.json()
    assert moved.json()["reviewer"] == target
    assert (
        ModerationAction.objects.filter(action="campaign.reassign", reason="on leave").count() == 1
    )


def test_documents_by_filter(manager, db):
    from annotator.models import Source

    wire = Source.objects.create(name="Wire")
    kept = make_document("kept", 3, source="Wire", language="en", published="2026-01-02")
    make_document("other", 3, language="zh")
    pool = make_pool(2)
    response = client_for(manager).post(
        URL,
        {
            "name": "Filtered",
            "document_filter": {"source": wire.pk, "language": "en"},
            "reviewers": [u.username for u in pool],
            "overlap": 1,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["documents"] == [kept.pk]
    assert response.json()["quorum"] == 1


def test_moderators_see_campaigns_in_the_admin_and_open_them_there(manager, corpus):
    from django.test import Client

    pool = make_pool(2)
    campaign = create(
        client_for(manager), document_ids=[corpus[0].pk], usernames=[u.username for u in pool]
    ).json()
    web = Client()
    web.force_login(manager)
    assert web.get("/admin/annotator/campaign/").status_code == 200
    assert web.get(f"/admin/annotator/campaign/{campaign['id']}/change/").status_code == 200
    response = web.post(
        "/admin/annotator/campaign/",
        {"action": "open_selected", "_selected_action": [campaign["id"]]},
    )
    assert response.status_code == 302
    assert Campaign.objects.get(pk=campaign["id"]).status == "open"
    assert web.get("/admin/annotator/assignment/").status_code == 200
    web.force_login(pool[0])
    assert web.get("/admin/annotator/campaign/").status_code == 302  # not staff: to login


@pytest.mark.parametrize("pool_size, overlap", [(5, 3), (4, 4), (7, 2)])
def test_opening_assigns_exactly_the_plan(manager, corpus, pool_size, overlap):
    """PostgreSQL opens with one INSERT … SELECT (round-robin); SQLite runs the plan in
    Python. Both must give the plan's assignments exactly."""
    from annotator.models import Passage

    pool = make_pool(pool_size)
    client = client_for(manager)
    campaign = create(
        client,
        document_ids=[d.pk for d in corpus],
        usernames=[u.username for u in pool],
        overlap=overlap,
        quorum=1,
    ).json()
    assert client.post(f"{URL}{campaign['id']}/open/").status_code == 200
    passages = Passage.objects.filter(document__in=corpus).order_by("document_id", "index")
    ordered = sorted(pool, key=lambda user: user.username)
    expected = sorted(
        (passage.pk, passage.index, reviewer)
        for passage, reviewer in plan_assignments(
            list(passages), [(user.pk, 0) for user in ordered], overlap
        )
    )
    stored = sorted(
        Assignment.objects.filter(campaign_id=campaign["id"]).values_list(
            "passage_id", "position", "reviewer_id"
        )
    )
    assert stored == expected
    members = dict(CampaignMember.objects.values_list("reviewer_id", "assigned"))
    assert members == dict(Counter(reviewer for _, _, reviewer in expected))


def test_the_database_refuses_an_assignment_outside_the_pool_or_its_document(manager, corpus):
    """The statement-level reference check that replaces per-row foreign keys (migration
    0011): every insert and update is checked, whichever code path writes it."""
    from django.db import IntegrityError, transaction

    pool = make_pool(2)
    outsider = make_pool(1, prefix="out")[0]
    campaign = create(
        client_for(manager),
        document_ids=[corpus[0].pk],
        usernames=[u.username for u in pool],
        overlap=1,
        quorum=1,
    ).json()
    passage = corpus[0].passages.order_by("index").first()
    row = {
        "campaign_id": campaign["id"],
        "passage_id": passage.pk,
        "document_id": corpus[0].pk,
        "position": passage.index,
    }
    for bad in (
        {"reviewer_id": outsider.pk},  # not in the pool
        {"reviewer_id": pool[0].pk, "document_id": corpus[1].pk},  # not the passage's document
        {"reviewer_id": pool[0].pk, "passage_id": 10**9},  # no such passage
        {"reviewer_id": pool[0].pk, "campaign_id": 10**9},  # no such campaign
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Assignment.objects.create(**{**row, **bad})
    good = Assignment.objects.create(**row, reviewer_id=pool[0].pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.filter(pk=good.pk).update(reviewer_id=outsider.pk)
    assert Assignment.objects.get(pk=good.pk).reviewer_id == pool[0].pk
