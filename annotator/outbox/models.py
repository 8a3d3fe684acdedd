"""The outbox table: one row per domain event, relayed once by the worker."""

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone


def new_message_id() -> str:
    """A Standard Webhooks message id: unique, URL-safe, stable across retries."""
    return "msg_" + secrets.token_urlsafe(18)


class OutboxEvent(models.Model):
    """A committed fact about the domain (``annotation.created``, ``consensus.status_changed``…).

    ``data`` is the event's payload as of the commit; ``subject`` names what it is about so
    that the relay can ask the visibility policy whether a consumer may see it.
    """

    msg_id = models.CharField(max_length=40, unique=True, default=new_message_id)
    type = models.CharField(max_length=64, db_index=True)
    subject_type = models.CharField(max_length=32, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            # The relay reads only undispatched rows, in id order: a small partial index.
            models.Index(
                fields=["id"], name="outbox_undispatched", condition=Q(dispatched_at__isnull=True)
            ),
        ]

    def __str__(self):
        return f"{self.type} {self.msg_id}"
