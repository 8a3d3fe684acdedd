"""Relay committed outbox events to their consumers, exactly once per event.

One transaction claims a batch of undispatched events (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so several workers share the work), hands them to every consumer (consumers only
write rows: deliveries, jobs, notifications) and marks them dispatched. A crash anywhere rolls
all of it back and the events are claimed again.
"""

from django.db import transaction
from django.utils import timezone

from .models import OutboxEvent


def consumers():
    """Each takes a list of events and writes what they cause, in the relay's transaction.
    (Imported here: the consumers import the models of the whole app.)"""
    from annotator.campaigns import milestones
    from annotator.notifications.tasks import on_events
    from annotator.webhooks.delivery import fan_out

    return [fan_out, on_events, milestones.on_events]


def relay(limit: int = 500) -> int:
    with transaction.atomic():
        events = list(
            OutboxEvent.objects.filter(dispatched_at__isnull=True)
            .order_by("id")
            .select_for_update(skip_locked=True)[:limit]
        )
        if not events:
            return 0
        for consume in consumers():
            consume(events)
        OutboxEvent.objects.filter(pk__in=[event.pk for event in events]).update(
            dispatched_at=timezone.now()
        )
    return len(events)
