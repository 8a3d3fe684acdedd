"""The moderation audit log: one append-only ModerationAction per moderator or admin action."""

from django.db import models

from .models import ModerationAction
from .outbox import events as outbox_events


def record_action(*, actor, action: str, target: models.Model, reason: str, details=None):
    """Write one audit record. A reason is required: moderation without one is refused."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("A moderation action needs a reason.")
    row = ModerationAction.objects.create(
        actor=actor,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:300],
        reason=reason,
        details=details or {},
    )
    outbox_events.moderation_action(row)
    return row
