"""A reviewer's assignments: what is done, what comes next, the "My assignments" summary.

An assignment is *done* once its reviewer has an active annotation starting in the passage;
nothing is stored for it, so withdrawing the annotation reopens the assignment. Assigned
passages come before the global queue in ``/next/``: tie-breakers first (they unblock a
dispute), then the rest in reading order (document, passage index).
"""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q

from annotator.models import Annotation, AnnotationStatus, Assignment, Campaign, Passage


def done_condition() -> Exists:
    """True for an Assignment row whose reviewer has judged its passage."""
    return Exists(
        Annotation.objects.filter(
            reviewer_id=OuterRef("reviewer_id"),
            passage_id=OuterRef("passage_id"),
            status=AnnotationStatus.ACTIVE,
        )
    )


def open_assignments(user):
    """The user's unfinished assignments in open campaigns, in queue order (tie-breakers
    first: "tie-breaker" sorts after "regular", hence the descending kind)."""
    return (
        Assignment.objects.filter(reviewer_id=user.pk, campaign__status=Campaign.Status.OPEN)
        .exclude(done_condition())
        .order_by("-kind", "document_id", "position", "id")
    )


def next_assigned_passage(user, after: Passage | None = None) -> Passage | None:
    """The first open assigned passage, or the one after ``after`` in queue order (two queries
    at most, whatever the number of assignments). None when ``after`` was the last one."""
    queue = open_assignments(user).select_related("passage")
    if after is not None:
        # Found by (kind, document, position), the queue index's own columns: two precise
        # index descents, one per kind (there is no index on the passage alone).
        kind = (
            queue.filter(
                kind__in=Assignment.Kind.values,
                document_id=after.document_id,
                position=after.index,
                passage_id=after.pk,
            )
            .values_list("kind", flat=True)
            .first()
        )
        if kind is not None:
            later = queue.filter(
                Q(kind__lt=kind)
                | Q(kind=kind, document_id__gt=after.document_id)
                | Q(kind=kind, document_id=after.document_id, position__gt=after.index)
            ).first()
            return later.passage if later is not None else None
    first = queue.first()
    return first.passage if first is not None else None


def assignment_rows(queryset):
    """Assignments with what the API shows: ``done``, the campaign's ``due`` and the
    reviewer's username, as plain columns (no campaign or user objects to build per row)."""
    return queryset.only("id", "campaign", "passage", "document", "kind").annotate(
        done=done_condition(), due=F("campaign__due"), reviewer_name=F("reviewer__username")
    )


def my_assignments(user) -> list[dict]:
    """Per campaign and document: assigned and done counts, tie-breakers, due date (one query)."""
    rows = (
        Assignment.objects.filter(reviewer_id=user.pk)
        .values(
            "campaign_id",
            "campaign__name",
            "campaign__status",
            "campaign__due",
            "document_id",
            "document__title",
        )
        .annotate(
            assigned=Count("id"),
            done=Count("id", filter=done_condition()),
            tie_breakers=Count("id", filter=Q(kind=Assignment.Kind.TIE_BREAKER)),
        )
        .order_by("-campaign_id", "document_id")
    )
    summary = []
    for row in rows:
        summary.append(
            {
                "campaign": row["campaign_id"],
                "campaign_name": row["campaign__name"],
                "status": row["campaign__status"],
                "due": row["campaign__due"],
                "document": row["document_id"],
                "title": row["document__title"],
                "assigned": row["assigned"],
                "done": row["done"],
                "tie_breakers": row["tie_breakers"],
                "percent": round(100 * row["done"] / row["assigned"]) if row["assigned"] else 0,
            }
        )
    return summary


def in_campaign(queryset, campaign_id: int):
    """Rows (annotations or consensus) on the documents of a campaign: ``?campaign=ID``."""
    from annotator.models import CampaignDocument

    documents = CampaignDocument.objects.filter(campaign_id=campaign_id).values("document_id")
    return queryset.filter(document_id__in=documents)


def open_in_campaign(campaign: Campaign, reviewer_id: int, limit: int):
    """One reviewer's first ``limit`` open assignments in a campaign, in queue order: what a
    manager may move by hand (the campaign page's reassignment form)."""
    return list(
        Assignment.objects.filter(campaign=campaign, reviewer_id=reviewer_id)
        .exclude(done_condition())
        .select_related("document")
        .only("passage_id", "kind", "position", "document__title")
        .order_by("-kind", "document_id", "position", "id")[:limit]
    )
