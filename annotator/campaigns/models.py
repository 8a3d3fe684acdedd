"""The campaign schema. Imported by ``annotator.models`` so that the app stays one app."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Campaign(models.Model):
    """A set of documents, a pool of reviewers, and the rules for who reviews which passage."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    documents = models.ManyToManyField(
        "annotator.Document", related_name="campaigns", through="CampaignDocument"
    )
    document_filter = models.JSONField(
        default=dict, blank=True, help_text="The filter the documents were chosen by, if any"
    )
    overlap = models.PositiveSmallIntegerField(help_text="Distinct reviewers per passage")
    quorum = models.PositiveSmallIntegerField(
        help_text="Reviewers needed within the campaign (overrides the global quorum here)"
    )
    due = models.DateField(null=True, blank=True)
    blind_review = models.BooleanField(
        default=True, help_text="Reviewers see only their own row of the team's progress"
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Milestones the worker notices (annotator.campaigns.milestones); each is set once.
    completed_at = models.DateTimeField(
        null=True, blank=True, help_text="When every assignment was first done"
    )
    due_reminded_at = models.DateTimeField(
        null=True, blank=True, help_text="When reviewers were told the campaign is due in 24 h"
    )

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "open", "closed"]), name="campaign_status_valid"
            ),
            models.CheckConstraint(condition=Q(overlap__gte=1), name="campaign_overlap_positive"),
            models.CheckConstraint(condition=Q(quorum__gte=1), name="campaign_quorum_positive"),
        ]

    def __str__(self):
        return self.name


class CampaignDocument(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE)
    document = models.ForeignKey("annotator.Document", on_delete=models.PROTECT)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "document"], name="campaign_document_once")
        ]
        indexes = [models.Index(fields=["document", "campaign"], name="campaign_document_idx")]

    def __str__(self):
        return f"document {self.document_id} in campaign {self.campaign_id}"


class CampaignMember(models.Model):
    """A reviewer in a campaign's pool, with the counters the assignment service balances."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="campaign_memberships"
    )
    assigned = models.PositiveIntegerField(
        default=0, help_text="Assignments held in this campaign (regular and tie-breaker)"
    )
    calibration = models.FloatField(
        null=True,
        blank=True,
        help_text="Agreement with others when the reviewer joined (tie-breaker order)",
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["campaign_id", "reviewer_id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "reviewer"], name="campaign_member_once")
        ]

    def __str__(self):
        return f"{self.reviewer_id} in campaign {self.campaign_id}"


class Assignment(models.Model):
    """One passage for one reviewer in one campaign. Done = the reviewer judged the passage."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("Regular")
        TIE_BREAKER = "tie-breaker", _("Tie-breaker")

    # Only the indexes the reads need (each costs time when a campaign opens): the unique
    # constraint leads with the campaign, the two reviewer indexes below with the reviewer.
    #
    # No per-row foreign-key constraints: PostgreSQL checks those with one trigger call per
    # row and key, which was 60 % of the time to open a 300,000-assignment campaign. One
    # statement-level check (migration 0012_campaigns_assignment_checks) does it per insert or
    # update instead, and asks more: the (campaign, reviewer) pair is a member of the pool,
    # and the document is the passage's. Deletion needs no database check: nothing here is
    # deleted (the admin deletes nothing), and Django's CASCADE / PROTECT still apply.
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="assignments",
        db_index=False,
        db_constraint=False,
    )
    passage = models.ForeignKey(
        "annotator.Passage",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # The passage's document, copied for grouping and ordering (passages never move).
    document = models.ForeignKey(
        "annotator.Document",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assignments",
        db_index=False,
        db_constraint=False,
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.REGULAR)
    position = models.PositiveIntegerField(
        help_text="The passage's index in its document (passages never change): reading order"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "passage", "reviewer"], name="assignment_once_per_reviewer"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["regular", "tie-breaker"]), name="assignment_kind_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["reviewer", "campaign", "id"], name="assignment_reviewer_idx"),
            # The queue order of /next/: tie-breakers first ("tie-breaker" > "regular"), then
            # reading order; an ordered index scan stops at the first open assignment.
            models.Index(
                fields=["reviewer", "-kind", "document", "position"], name="assignment_queue_idx"
            ),
            # The tie-breakers of a passage (moderation queue: is one still on its way?).
            # Partial: opening a campaign inserts regular rows only, so it costs nothing then.
            models.Index(
                fields=["passage"],
                condition=Q(kind="tie-breaker"),
                name="assignment_tie_breaker_idx",
            ),
        ]

    def __str__(self):
        return f"passage {self.passage_id} → {self.reviewer_id} ({self.kind})"
