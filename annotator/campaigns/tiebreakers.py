"""Tie-breakers: a passage disputed inside an open campaign gets one more reviewer.

Called by the annotation write service right after the consensus upkeep, in the same
transaction (not from a signal): the dispute and its routing commit together or not at all.
The upkeep holds the passage's consensus row lock until commit, so writers disputing the same
passage at once are serialised here and the second sees the first's tie-breaker: exactly one
is assigned. The cost: no query unless the write leaves its passage disputed; then one indexed
query to find open campaigns holding it, and a few small ones to route: it follows the pool,
not the corpus.
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef

from annotator.audit import record_action
from annotator.consensus.summary import status_under_quorum
from annotator.models import (
    Annotation,
    AnnotationStatus,
    Assignment,
    Campaign,
    CampaignDocument,
    CampaignMember,
    Consensus,
    ConsensusStatus,
    Passage,
)

from . import milestones
from .lifecycle import tie_breaker_cap
from .planning import least_loaded
from .queue import done_condition


def route_disputes(rows: list[Consensus], *, cause) -> list[Assignment]:
    """Assign a tie-breaker for each passage row in ``rows`` disputed in an open campaign.

    ``rows`` are the consensus rows the write just refreshed (and still holds locked);
    ``cause`` is the user whose write it was (the audit entry's actor).
    """
    # A higher quorum only turns more rows pending, so a row not disputed under a quorum of 1
    # is disputed under no campaign's quorum: most writes stop here without a query.
    passages = {
        row.passage_id: row
        for row in rows
        if row.kind == Consensus.Kind.PASSAGE
        and row.passage_id is not None
        and status_under_quorum(row, 1) == ConsensusStatus.DISPUTED
    }
    if not passages:
        return []
    documents = {row.document_id for row in passages.values()}
    campaigns = list(
        CampaignDocument.objects.filter(
            document_id__in=documents, campaign__status=Campaign.Status.OPEN
        )
        .order_by("campaign_id")
        .values_list("campaign_id", "campaign__quorum", "document_id", "campaign__name")
    )
    routed = []
    for campaign_id, quorum, document_id, name in campaigns:
        for row in passages.values():
            if row.document_id != document_id:
                continue
            if status_under_quorum(row, quorum) != ConsensusStatus.DISPUTED:
                continue
            assignment = _route(Campaign(pk=campaign_id, name=name, quorum=quorum), row, cause)
            if assignment is not None:
                routed.append(assignment)
    return routed


def _route(campaign: Campaign, row: Consensus, cause) -> Assignment | None:
    campaign_id, quorum = campaign.pk, campaign.quorum
    held = list(
        Assignment.objects.filter(campaign_id=campaign_id, passage_id=row.passage_id)
        .annotate(done=done_condition())
        .values_list("reviewer_id", "kind", "done")
    )
    tie_breakers = [done for _, kind, done in held if kind == Assignment.Kind.TIE_BREAKER]
    if len(tie_breakers) >= tie_breaker_cap() or not all(tie_breakers):
        return None  # capped (the moderation queue takes it), or one is still on its way
    holders = {reviewer_id for reviewer_id, _, _ in held}
    judged = Annotation.objects.filter(
        passage_id=row.passage_id,
        reviewer_id=OuterRef("reviewer_id"),
        status=AnnotationStatus.ACTIVE,
    )
    members = list(
        CampaignMember.objects.filter(campaign_id=campaign_id, reviewer__is_active=True)
        .exclude(reviewer_id__in=holders)
        .exclude(Exists(judged))
        .values_list("reviewer_id", "assigned", "calibration", "reviewer__username")
    )
    chosen = least_loaded(members)
    if chosen is None:
        return None  # nobody left in the pool: the moderation queue takes it
    load, calibration, username = next(m[1:] for m in members if m[0] == chosen)
    assignment = Assignment.objects.create(
        campaign_id=campaign_id,
        passage_id=row.passage_id,
        document_id=row.document_id,
        position=Passage.objects.values_list("index", flat=True).get(pk=row.passage_id),
        reviewer_id=chosen,
        kind=Assignment.Kind.TIE_BREAKER,
    )
    CampaignMember.objects.filter(campaign_id=campaign_id, reviewer_id=chosen).update(
        assigned=F("assigned") + 1
    )
    milestones.tell_assigned(campaign, [chosen], milestones.TIE_BREAKER)
    record_action(
        actor=cause,
        action="campaign.tie_breaker",
        target=campaign,
        reason=(
            f"Passage {row.passage_id} disputed under quorum {quorum}: tie-breaker {username} "
            f"(least loaded: {load} assignments; calibration "
            f"{'unknown' if calibration is None else calibration})"
        ),
        details={
            "passage": row.passage_id,
            "reviewer": username,
            "tie_breakers": len(tie_breakers) + 1,
            "cap": tie_breaker_cap(),
            "reviewer_count": row.reviewer_count,
            "median": row.median_reliability,
            "q1": row.q1_reliability,
            "q3": row.q3_reliability,
            "flag_support": row.flag_support,
        },
    )
    return assignment


def awaiting_tie_breaker() -> Exists:
    """For Consensus rows: an open campaign still waits for a tie-breaker on the passage.

    Such disputes stay out of the moderation queue until the tie-breaker has judged.
    """
    return Exists(
        Assignment.objects.filter(
            kind=Assignment.Kind.TIE_BREAKER,
            campaign__status=Campaign.Status.OPEN,
            passage_id=OuterRef("passage_id"),
        ).exclude(done_condition())
    )
