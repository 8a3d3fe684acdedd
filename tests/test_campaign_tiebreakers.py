"""Tie-breakers: a dispute inside an open campaign is routed, in the write's transaction, to one
more pool reviewer; capped; only unresolved disputes reach the moderation queue."""

import threading

import pytest
from django.db import connection

from annotator.annotations import withdraw_annotation
from annotator.campaigns.lifecycle import close_campaign
from annotator.models import Assignment, ModerationAction
from annotator.moderation import moderation_queue
from tests.campaign_support import (
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


def opened(manager, document, pool, overlap=2, quorum=2):
    return open_campaign_over(manager, [document], pool, overlap=overlap, quorum=quorum)


def holders(passage):
    return list(
        Assignment.objects.filter(passage=passage, kind="regular")
        .order_by("reviewer__username")
        .values_list("reviewer__username", flat=True)
    )


def by_name(pool):
    return {user.username: user for user in pool}


def disputed_keys():
    return {row.key for row in moderation_queue()["disputed"]}


def test_a_dispute_goes_to_a_third_reviewer_then_to_moderation(manager, db):
    document = make_document("tie", 3)
    pool = make_pool(3)
    campaign = opened(manager, document, pool)
    passage = document.passages.get(index=1)
    first, second = (by_name(pool)[name] for name in holders(passage))
    third = next(user for user in pool if user not in (first, second))

    judge(first, passage, 1)
    assert not Assignment.objects.filter(kind="tie-breaker").exists()
    judge(second, passage, 5)  # disputed under the campaign's quorum of 2 (global quorum: 3)
    tie = Assignment.objects.get(kind="tie-breaker")
    assert (tie.reviewer_id, tie.passage_id, tie.campaign_id) == (third.pk, passage.pk, campaign.pk)
    history = ModerationAction.objects.get(action="campaign.tie_breaker")
    assert history.target_id == str(campaign.pk) and history.actor_id == second.pk
    assert history.details["reviewer"] == third.username
    assert f"passage:{passage.pk}" not in disputed_keys()  # the tie-breaker may resolve it

    web = web_for(third)
    assert web.get("/next/").url.endswith(f"/documents/{document.pk}/#p1")  # top of the queue

    judge(third, passage, 3)  # still disputed (ratings 1, 3, 5): the cap of 1 is reached
    assert Assignment.objects.filter(kind="tie-breaker").count() == 1
    assert f"passage:{passage.pk}" in disputed_keys()


def test_the_cap_allows_more_tie_breakers_one_at_a_time(manager, db, settings):
    settings.ANNOTATOR = {**settings.ANNOTATOR, "CAMPAIGN_TIE_BREAKER_CAP": 2}
    document = make_document("cap", 2)
    pool = make_pool(5)
    opened(manager, document, pool)
    passage = document.passages.get(index=0)
    first, second = (by_name(pool)[name] for name in holders(passage))
    judge(first, passage, 1)
    annotation = judge(second, passage, 5)
    assert Assignment.objects.filter(kind="tie-breaker").count() == 1
    # A further write while the tie-breaker is pending adds nobody.
    withdraw_annotation(annotation, by=second)
    judge(second, passage, 5)
    assert Assignment.objects.filter(kind="tie-breaker").count() == 1
    tie = Assignment.objects.get(kind="tie-breaker")
    judge(tie.reviewer, passage, 1)  # 1, 1, 5: still disputed -> the second tie-breaker
    ties = list(Assignment.objects.filter(kind="tie-breaker").order_by("id"))
    assert len(ties) == 2 and ties[0].reviewer_id != ties[1].reviewer_id
    judge(ties[1].reviewer, passage, 1)  # 1, 1, 1, 5: still disputed -> capped
    assert Assignment.objects.filter(kind="tie-breaker").count() == 2


def test_least_loaded_then_best_calibrated_is_chosen(manager, db):
    from annotator.models import CampaignMember

    document = make_document("choice", 2)
    pool = make_pool(4)
    campaign = opened(manager, document, pool)
    passage = document.passages.get(index=0)
    names = holders(passage)
    others = [user for user in pool if user.username not in names]
    CampaignMember.objects.filter(campaign=campaign, reviewer=others[0]).update(calibration=0.5)
    CampaignMember.objects.filter(campaign=campaign, reviewer=others[1]).update(calibration=0.9)
    loads = dict(CampaignMember.objects.values_list("reviewer__username", "assigned"))
    assert loads[others[0].username] == loads[others[1].username]
    judge(by_name(pool)[names[0]], passage, 1)
    judge(by_name(pool)[names[1]], passage, 5)
    assert Assignment.objects.get(kind="tie-breaker").reviewer_id == others[1].pk


def test_closed_campaigns_route_nothing(manager, db):
    document = make_document("closed", 2)
    pool = make_pool(3)
    campaign = opened(manager, document, pool)
    close_campaign(campaign, by=manager)
    passage = document.passages.get(index=0)
    first, second = (by_name(pool)[name] for name in holders(passage))
    judge(first, passage, 1)
    judge(second, passage, 5)
    assert not Assignment.objects.filter(kind="tie-breaker").exists()


@pytest.mark.postgres
def test_concurrent_writers_disputing_one_passage_get_exactly_one_tie_breaker(
    transactional_db, migration_data
):
    manager = make_user("lead", groups=["Moderator"], is_staff=True)
    document = make_document("race", 2)
    pool = make_pool(6)
    opened(manager, document, pool, overlap=4, quorum=2)
    passage = document.passages.get(index=0)
    assigned = [by_name(pool)[name] for name in holders(passage)]
    judge(assigned[0], passage, 5)  # below the quorum: pending
    writers = assigned[1:]
    barrier = threading.Barrier(len(writers))
    errors = []

    def work(reviewer):
        try:
            barrier.wait(timeout=30)
            judge(reviewer, passage, 1)  # each commit sees (or makes) the dispute
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(reviewer,)) for reviewer in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    ties = list(Assignment.objects.filter(kind="tie-breaker"))
    assert len(ties) == 1
    assert ties[0].reviewer_id not in {user.pk for user in assigned}
    assert ModerationAction.objects.filter(action="campaign.tie_breaker").count() == 1
