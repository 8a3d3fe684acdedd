"""A user's notifications and their email preference."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ASSIGNED = "assigned", _("Work assigned to you")
    MENTION = "mention", _("You were mentioned")
    REPLY = "reply", _("A reply in your thread")
    ADJUDICATED = "adjudicated", _("Your disputed passage was adjudicated")
    CAMPAIGN_DUE = "campaign_due", _("A campaign is due in 24 hours")
    WEBHOOK_DISABLED = "webhook_disabled", _("A webhook endpoint was disabled")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient"], name="notification_unread", condition=Q(read_at__isnull=True)
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_list"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id}"


class Preference(models.Model):
    """Email: each notification at once, one daily digest, or none. In-app is always on,
    except for kinds the user muted."""

    class Email(models.TextChoices):
        IMMEDIATE = "immediate", _("Each notification by email")
        DAILY = "daily", _("A daily digest")
        OFF = "off", _("No email")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.CharField(
        _("email"), max_length=16, choices=Email.choices, default=Email.IMMEDIATE
    )
    muted = models.JSONField(default=list, blank=True, help_text="Kinds not wanted at all")

    def __str__(self):
        return f"{self.user_id}: {self.email}"


class DigestRun(models.Model):
    """One row per day whose digest job was enqueued: several workers enqueue it once."""

    day = models.DateField(unique=True)
    enqueued_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return str(self.day)
