"""Campaign milestones and the notifications of assigned work.

- **Assigned work**: every write that gives reviewers assignments (opening, documents added to
  an open campaign, tie-breakers, reassignment) calls ``tell_assigned`` in its transaction: a
  notification job (``notify_later``), run by the worker, never in the request.
- **Completed**: a campaign is complete when every assignment, tie-breakers included, is done.
  "Done" is derived from annotations (``queue.done_condition``), so annotation writes store
  nothing for it and pay nothing: the worker checks, in the outbox relay's transaction, the
  open campaigns that the relayed annotation events touched. ``completed_at`` is set by a
  conditional UPDATE together with the ``campaign.completed`` event, so it happens once even
  with several workers. A campaign stays open when complete (a later dispute may still route
  a tie-breaker); the event is not sent again.
- **Due in 24 h**: a campaign is due at the end of its due date (UTC). On that day the worker
  tells the members who still have open assignments, once (``due_reminded_at``).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from annotator.models import Assignment, Campaign, CampaignDocument
from annotator.notifications.models import Kind
from annotator.notifications.services import notify_later
from annotator.outbox import events as outbox

from .queue import done_condition

# What "assigned work" notifications say, by the write that gave the work (``tell_assigned``);
# each is written in its recipient's language when the worker creates it.
NEW_PASSAGES = gettext_noop("New passages for you in campaign “%(campaign)s”")
PASSAGES_MOVED = gettext_noop("Passages moved to you in campaign “%(campaign)s”")
PASSAGE_MOVED = gettext_noop("A passage moved to you in campaign “%(campaign)s”")
TIE_BREAKER = gettext_noop("A tie-breaker for you in campaign “%(campaign)s”")
DUE = gettext_noop("Campaign “%(campaign)s” is due in 24 hours (end of %(due)s UTC)")

# Annotation events after which the writer's assignment may be done.
JUDGING_EVENTS = {"annotation.created", "annotation.updated", "annotation.unhidden"}


def tell_assigned(campaign: Campaign, reviewer_ids, message: str) -> None:
    """Enqueue an "assigned work" notification for ``reviewer_ids`` (caller's transaction);
    ``message`` is one of the messages above."""
    reviewer_ids = sorted(set(reviewer_ids))
    if reviewer_ids:
        notify_later(
            Kind.ASSIGNED,
            reviewer_ids,
            message,
            reverse("my-assignments"),
            {"campaign": campaign.name},
        )


def _document_count(campaign_id: int) -> int:
    return CampaignDocument.objects.filter(campaign_id=campaign_id).count()


def opened(campaign: Campaign, reviewer_ids) -> None:
    """Called by ``lifecycle.open_campaign`` in its transaction."""
    outbox.campaign_opened(campaign, documents=_document_count(campaign.pk))
    tell_assigned(campaign, reviewer_ids, NEW_PASSAGES)


def on_events(events) -> None:
    """Outbox consumer: mark complete the open campaigns whose last assignment the relayed
    judgments finished, and write their ``campaign.completed`` events."""
    judged = {
        (event.data.get("passage"), event.data.get("reviewer"))
        for event in events
        if event.type in JUDGING_EVENTS and event.data.get("passage")
    }
    if not judged:
        return
    passages = {passage for passage, _ in judged}
    reviewers = {reviewer for _, reviewer in judged}
    candidates = (
        Assignment.objects.filter(
            passage_id__in=passages,
            reviewer_id__in=reviewers,
            campaign__status=Campaign.Status.OPEN,
            campaign__completed_at__isnull=True,
        )
        .values_list("campaign_id", flat=True)
        .distinct()
    )
    for campaign_id in sorted(set(candidates)):
        complete(campaign_id)


def complete(campaign_id: int) -> bool:
    """Mark the campaign complete if no assignment is open; True if this call did it."""
    if Assignment.objects.filter(campaign_id=campaign_id).exclude(done_condition()).exists():
        return False
    now = timezone.now()
    with transaction.atomic():
        marked = Campaign.objects.filter(
            pk=campaign_id, status=Campaign.Status.OPEN, completed_at__isnull=True
        ).update(completed_at=now)
        if marked:
            campaign = Campaign.objects.get(pk=campaign_id)
            outbox.campaign_completed(campaign, documents=_document_count(campaign_id))
    return bool(marked)


def remind_due(now: datetime.datetime | None = None) -> int:
    """Tell the members with open assignments of each open campaign due today (UTC) that it
    is due within 24 hours; once per campaign. Returns how many campaigns were reminded."""
    today = (now or timezone.now()).astimezone(datetime.UTC).date()
    reminded = 0
    for campaign in Campaign.objects.filter(
        status=Campaign.Status.OPEN, due=today, due_reminded_at__isnull=True
    ).order_by("pk"):
        with transaction.atomic():
            if not Campaign.objects.filter(pk=campaign.pk, due_reminded_at__isnull=True).update(
                due_reminded_at=timezone.now()
            ):
                continue  # another worker did it
            late = set(
                Assignment.objects.filter(campaign=campaign)
                .exclude(done_condition())
                .values_list("reviewer_id", flat=True)
                .distinct()
            )
            if not late:
                continue
            notify_later(
                Kind.CAMPAIGN_DUE,
                late,
                DUE,
                reverse("my-assignments"),
                {"campaign": campaign.name, "due": f"{campaign.due:%Y-%m-%d}"},
            )
            reminded += 1
    return reminded
