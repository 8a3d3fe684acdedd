"""Write domain events into the outbox, inside the caller's transaction.

Each write service calls one of these functions next to the change itself (one line each), so
an event exists exactly when its change committed: a rolled-back change leaves no event, and a
committed one is relayed even if the process dies right after the commit.
"""

from .models import OutboxEvent

ANNOTATION_EVENTS = {
    "created": "annotation.created",
    "updated": "annotation.updated",
    "withdrawn": "annotation.withdrawn",
    "hidden": "annotation.hidden",
    "unhidden": "annotation.unhidden",
}


def record(type: str, data: dict, *, subject_type: str = "", subject_id=None) -> OutboxEvent:
    """Write one event in the caller's transaction (every write service opens one)."""
    return OutboxEvent.objects.create(
        type=type, data=data, subject_type=subject_type, subject_id=subject_id
    )


def annotation_written(annotation, action: str, snapshot: dict) -> OutboxEvent | None:
    """An annotation's revision: ``action`` is the revision's action (created, hidden, …)."""
    type = ANNOTATION_EVENTS.get(str(action), "annotation.updated")
    data = {
        "id": annotation.pk,
        "document": annotation.document_id,
        "passage": annotation.passage_id,
        "reviewer": annotation.reviewer_id,
        **snapshot,
        "updated_at": annotation.updated_at.isoformat() if annotation.updated_at else None,
    }
    return record(type, data, subject_type="annotation", subject_id=annotation.pk)


def consensus_status_changed(row, previous_status: str) -> OutboxEvent:
    return record(
        "consensus.status_changed",
        _consensus_data(row, previous_status),
        subject_type="consensus",
        subject_id=row.pk,
    )


def consensus_statuses_changed(changes: list) -> None:
    """Several groups' status changes of one write, in one INSERT (the write path's cost)."""
    if changes:
        OutboxEvent.objects.bulk_create(
            OutboxEvent(
                type="consensus.status_changed",
                data=_consensus_data(row, previous),
                subject_type="consensus",
                subject_id=row.pk,
            )
            for row, previous in changes
        )


def _consensus_data(row, previous_status: str) -> dict:
    data = {
        "id": row.pk,
        "kind": row.kind,
        "key": row.key,
        "document": row.document_id,
        "passage": row.passage_id,
        "start": row.start,
        "end": row.end,
        "claim": row.claim_id,
        "status": row.status,
        "previous_status": previous_status,
        "reviewer_count": row.reviewer_count,
        "median_reliability": row.median_reliability,
    }
    return data


def moderation_action(action) -> OutboxEvent:
    data = {
        "id": action.pk,
        "action": action.action,
        "actor": action.actor_id,
        "target_type": action.target_type,
        "target_id": action.target_id,
        "reason": action.reason,
        "details": action.details,
        "created_at": action.created_at.isoformat(),
    }
    return record("moderation.action", data, subject_type="moderation", subject_id=action.pk)


def document_created(document) -> OutboxEvent:
    data = {
        "id": document.pk,
        "title": document.title,
        "url": document.url,
        "language": document.language,
        "source": document.source_id,
        "previous": document.previous_id,
        "created_at": document.created_at.isoformat() if document.created_at else None,
    }
    return record("document.created", data, subject_type="document", subject_id=document.pk)


def _campaign_data(campaign, documents: int) -> dict:
    """What any member of the campaign may see on its page: no reviewer's name or load, no
    assignment totals (blind review shows reviewers only their own row of the progress)."""
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "status": campaign.status,
        "overlap": campaign.overlap,
        "quorum": campaign.quorum,
        "due": campaign.due.isoformat() if campaign.due else None,
        "documents": documents,
        "opened_at": campaign.opened_at.isoformat() if campaign.opened_at else None,
    }


def campaign_opened(campaign, *, documents: int) -> OutboxEvent:
    return record(
        "campaign.opened",
        _campaign_data(campaign, documents),
        subject_type="campaign",
        subject_id=campaign.pk,
    )


def campaign_completed(campaign, *, documents: int) -> OutboxEvent:
    data = _campaign_data(campaign, documents)
    data["completed_at"] = campaign.completed_at.isoformat()
    return record("campaign.completed", data, subject_type="campaign", subject_id=campaign.pk)
