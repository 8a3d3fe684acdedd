"""The campaign page's figures: progress, disputes under the campaign's quorum, agreement.

Everything derived from judgments goes through ``annotator.visibility`` for the requesting
user: Krippendorff's alpha, status counts and time to quorum are computed from the annotations
and consensus rows that user may see (blind review), so a reviewer's page never summarises
work they have not unlocked. Assignment counts are not judgments, but with the campaign's
``blind_review`` on, a reviewer sees only their own progress row and calibration.

The campaign's quorum applies to these figures only: global consensus rows (their status, the
exports, the dashboard) keep the global quorum. See docs/campaigns.md.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from statistics import median

from django.db.models import Count, Min, Q

from annotator.agreement import agreement, reviewer_calibration
from annotator.consensus import load_judgments
from annotator.consensus.summary import status_under_quorum
from annotator.models import (
    Annotation,
    AnnotationStatus,
    Assignment,
    Campaign,
    CampaignMember,
    Consensus,
    Passage,
)
from annotator.visibility import visible_annotations, visible_consensus

from .queue import done_condition
from .rules import can_manage_campaigns


def _sees_team(user, campaign: Campaign) -> bool:
    return can_manage_campaigns(user) or not campaign.blind_review


def campaign_progress(campaign: Campaign, user) -> dict:
    documents = list(campaign.documents.values_list("pk", flat=True))
    team = _sees_team(user, campaign)
    assignments = Assignment.objects.filter(campaign=campaign)
    if not team:
        assignments = assignments.filter(reviewer_id=user.pk)
    counted = {
        "assigned": Count("id"),
        "done": Count("id", filter=done_condition()),
        "tie_breakers": Count("id", filter=Q(kind=Assignment.Kind.TIE_BREAKER)),
    }
    reviewers = [
        {**row, "percent": _percent(row["done"], row["assigned"])}
        for row in assignments.values("reviewer__username")
        .annotate(**counted)
        .order_by("reviewer__username")
    ]
    for row in reviewers:
        row["reviewer"] = row.pop("reviewer__username")
    per_document = [
        {**row, "percent": _percent(row["done"], row["assigned"])}
        for row in assignments.values("document_id", "document__title")
        .annotate(**counted)
        .order_by("document_id")
    ]
    for row in per_document:
        row["document"] = row.pop("document_id")
        row["title"] = row.pop("document__title")
    passage_count = Passage.objects.filter(document_id__in=documents).count()
    statuses = _status_counts(campaign, user, documents, passage_count)
    judgments = load_judgments(
        visible_annotations(user, Annotation.objects.filter(document_id__in=documents))
    )
    return {
        "campaign": campaign.pk,
        "name": campaign.name,
        "status": campaign.status,
        "overlap": campaign.overlap,
        "quorum": campaign.quorum,
        "due": campaign.due.isoformat() if campaign.due else None,
        "blind_review": campaign.blind_review,
        "documents": len(documents),
        "passages": passage_count,
        "assignments": sum(row["assigned"] for row in reviewers),
        "done": sum(row["done"] for row in reviewers),
        "statuses": statuses,
        "reviewers": reviewers,
        "per_document": per_document,
        "agreement": agreement(judgments),
        "calibration": _calibration(campaign, user, documents, team),
        "time_to_quorum": _time_to_quorum(campaign, user, documents),
    }


def _percent(done: int, assigned: int) -> int:
    return round(100 * done / assigned) if assigned else 0


def _status_counts(campaign: Campaign, user, documents: list[int], passages: int) -> dict:
    """Passage statuses under the campaign's quorum, over the consensus rows ``user`` may see;
    ``not_visible`` counts the passages whose consensus is hidden from the user or not yet
    started (no annotation at all)."""
    rows = visible_consensus(
        user, Consensus.objects.filter(kind=Consensus.Kind.PASSAGE, document_id__in=documents)
    ).only(
        "reviewer_count",
        "rating_count",
        "q1_reliability",
        "q3_reliability",
        "flag_support",
        "adjudicated_at",
        "adjudication_stale",
    )
    counts = Counter(status_under_quorum(row, campaign.quorum) for row in rows.iterator())
    seen = sum(counts.values())
    return {
        "pending": counts.get("pending", 0),
        "agreed": counts.get("agreed", 0),
        "disputed": counts.get("disputed", 0),
        "adjudicated": counts.get("adjudicated", 0),
        "not_visible": max(0, passages - seen),
    }


def _calibration(campaign: Campaign, user, documents: list[int], team: bool) -> list[dict]:
    """Each pool member's calibration on the campaign's documents (leave-one-out; see
    ``agreement.reviewer_calibration``). Without the team view, only the user's own row: it
    compares them only on passages they judged, which blind review has unlocked for them."""
    pool = set(
        CampaignMember.objects.filter(campaign=campaign).values_list("reviewer_id", flat=True)
    )
    if not team:
        pool &= {user.pk}
    if not pool or not documents:
        return []
    rows = reviewer_calibration(documents=documents)
    return [row for row in rows if row["reviewer_id"] in pool]


def _time_to_quorum(campaign: Campaign, user, documents: list[int]) -> dict:
    """Seconds from opening until the campaign quorum's worth of distinct reviewers judged a
    passage (first active annotation of each), over visible annotations."""
    result = {"reached": 0, "median_seconds": None, "p90_seconds": None}
    if campaign.opened_at is None or not documents:
        return result
    firsts = (
        visible_annotations(
            user,
            Annotation.objects.filter(
                document_id__in=documents,
                status=AnnotationStatus.ACTIVE,
                reviewer__is_active=True,
                passage__isnull=False,
            ),
        )
        .values("passage_id", "reviewer_id")
        .annotate(first=Min("created_at"))
        .order_by()
    )
    times = defaultdict(list)
    for row in firsts:
        times[row["passage_id"]].append(row["first"])
    durations = []
    for stamps in times.values():
        if len(stamps) >= campaign.quorum:
            reached = sorted(stamps)[campaign.quorum - 1]
            durations.append(max(0.0, (reached - campaign.opened_at).total_seconds()))
    if durations:
        durations.sort()
        result["reached"] = len(durations)
        result["median_seconds"] = round(median(durations), 1)
        result["p90_seconds"] = round(
            durations[min(len(durations) - 1, int(0.9 * len(durations)))], 1
        )
    return result
