"""The domain model. See docs/design.md for the decisions behind it."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from . import roles
from .labels import RELIABILITY_LABELS
from .languages import localized
from .validators import validate_http_url, validate_language_tag


class User(AbstractUser):
    """A person using the service. Suspension deactivates the account and keeps its annotations."""

    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.TextField(blank=True)
    # The interface language this person chose with the switcher ("" = the browser's).
    language = models.CharField(
        max_length=16, blank=True, choices=settings.LANGUAGES, verbose_name=_("language")
    )

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @cached_property
    def is_moderator(self) -> bool:
        """Superusers and members of the Moderator group (cached per instance)."""
        return self.is_superuser or roles.in_group(self, roles.MODERATOR)


class Source(models.Model):
    """A publisher or site. Its reliability summary is derived from its documents' consensus."""

    name = models.CharField(max_length=200, unique=True)
    url = models.URLField(max_length=2000, blank=True, validators=[validate_http_url])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["name"]

    def __str__(self):
        return self.name


class DocumentQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True)


class Document(models.Model):
    """An immutable source text. A changed text is a new Document linked through ``previous``."""

    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="documents", null=True, blank=True
    )
    title = models.CharField(max_length=500)
    url = models.URLField(max_length=2000, blank=True, validators=[validate_http_url])
    language = models.CharField(
        max_length=35, help_text="BCP 47 tag, e.g. en, zh-Hant", validators=[validate_language_tag]
    )
    published = models.DateField(null=True, blank=True)
    author = models.CharField(max_length=300, blank=True)
    snapshot = models.ForeignKey(
        "annotator.Snapshot",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        help_text="The original bytes this text was extracted from",
    )
    body = models.TextField(help_text="NFC-normalised, LF line endings; never edited in place")
    sha256 = models.CharField(max_length=64, unique=True)
    origin = models.CharField(
        max_length=500,
        blank=True,
        db_index=True,
        help_text="Stable identity across revisions: file name, JSON Lines key or URL",
    )
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_revision"
    )
    is_current = models.BooleanField(default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="document_body_not_empty"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = Document.objects.filter(pk=self.pk).values_list("body", "sha256").first()
            if stored is not None and stored != (self.body, self.sha256):
                raise ValidationError(
                    "A document's body is immutable: import the changed text as a new revision."
                )
        super().save(*args, **kwargs)


class Passage(models.Model):
    """A paragraph of a document: a reading and progress aid. Annotations may cover any span."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="passages")
    index = models.PositiveIntegerField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    page = models.PositiveIntegerField(null=True, blank=True, help_text="Page of a PDF, from 1")

    class Meta:
        verbose_name = _("passage")
        verbose_name_plural = _("passages")
        ordering = ["document_id", "index"]
        constraints = [
            models.UniqueConstraint(fields=["document", "index"], name="passage_unique_index"),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="passage_start_lt_end"
            ),
        ]

    def __str__(self):
        return f"{self.document_id}§{self.index}"

    @property
    def text(self) -> str:
        return self.document.body[self.start : self.end]


class FlagTypeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class FlagType(models.Model):
    """One kind of problem a reviewer can flag. Kept as data; retired, never deleted."""

    slug = models.SlugField(max_length=64, unique=True)
    # English in the plain fields; each other interface language in its own pair of fields
    # (empty: the English shows). ``localized_label``/``localized_description`` pick one.
    label = models.CharField(max_length=100)
    label_zh_hant = models.CharField("label (繁體中文)", max_length=100, blank=True)
    label_zh_hans = models.CharField("label (简体中文)", max_length=100, blank=True)
    description = models.TextField(blank=True)
    description_zh_hant = models.TextField("description (繁體中文)", blank=True)
    description_zh_hans = models.TextField("description (简体中文)", blank=True)
    is_active = models.BooleanField(default=True)
    requires_evidence = models.BooleanField(
        default=False,
        help_text="Annotations with this flag but no evidence go to the moderation queue",
    )
    sort_order = models.PositiveIntegerField(default=0)

    objects = FlagTypeQuerySet.as_manager()

    class Meta:
        verbose_name = _("flag type")
        verbose_name_plural = _("flag types")
        ordering = ["sort_order", "slug"]

    def __str__(self):
        return self.slug

    @property
    def localized_label(self) -> str:
        """The label in the active interface language (English when not translated)."""
        return localized(self, "label")

    @property
    def localized_description(self) -> str:
        return localized(self, "description")


class Claim(models.Model):
    """A canonical statement that may appear in many documents and languages."""

    text = models.TextField()
    language = models.CharField(max_length=35, blank=True, validators=[validate_language_tag])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_claims",
        help_text="Set when a moderator merged this duplicate into another claim",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="claim_text_not_empty")]

    def __str__(self):
        return self.text[:80]


class Reliability(models.IntegerChoices):
    """The 1-5 scale; its labels live in ``annotator.labels`` (one table for every reader),
    translated lazily here for forms and the admin."""

    FABRICATED = 1, _(RELIABILITY_LABELS[1])
    UNRELIABLE = 2, _(RELIABILITY_LABELS[2])
    UNVERIFIED = 3, _(RELIABILITY_LABELS[3])
    MOSTLY_RELIABLE = 4, _(RELIABILITY_LABELS[4])
    RELIABLE = 5, _(RELIABILITY_LABELS[5])


class AnnotationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    WITHDRAWN = "withdrawn", _("Withdrawn by its author")
    HIDDEN = "hidden", _("Hidden by a moderator")


class AnnotationQuerySet(models.QuerySet):
    def counted(self):
        """Annotations that count toward consensus: active, by a reviewer who is not suspended."""
        return self.filter(status=AnnotationStatus.ACTIVE, reviewer__is_active=True)


class Annotation(models.Model):
    """One reviewer's judgment of one span of one document."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="annotations")
    passage = models.ForeignKey(
        Passage,
        on_delete=models.PROTECT,
        related_name="annotations",
        null=True,
        blank=True,
        help_text="The passage in which the span starts",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotations"
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    exact = models.TextField()
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    reliability = models.PositiveSmallIntegerField(
        choices=Reliability.choices, null=True, blank=True
    )
    flags = models.ManyToManyField(FlagType, blank=True, related_name="annotations")
    note = models.TextField(blank=True)
    evidence = models.JSONField(default=list, blank=True)
    claim = models.ForeignKey(
        Claim, on_delete=models.PROTECT, null=True, blank=True, related_name="annotations"
    )
    suggestion = models.ForeignKey(
        "Suggestion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="annotations",
        help_text="The machine suggestion this annotation confirmed, if any",
    )
    status = models.CharField(
        max_length=16, choices=AnnotationStatus.choices, default=AnnotationStatus.ACTIVE
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        verbose_name = _("annotation")
        verbose_name_plural = _("annotations")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["document", "start", "end"], name="annotation_span_idx"),
            models.Index(fields=["reviewer", "status"], name="annotation_reviewer_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="annotation_start_lt_end"
            ),
            models.CheckConstraint(
                condition=Q(reliability__isnull=True) | Q(reliability__gte=1, reliability__lte=5),
                name="annotation_reliability_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "withdrawn", "hidden"]),
                name="annotation_status_valid",
            ),
            models.UniqueConstraint(
                fields=["document", "reviewer", "start", "end"],
                condition=Q(status="active"),
                name="annotation_one_active_per_reviewer_span",
            ),
        ]

    def __str__(self):
        # "alice on 'he calmly told the staff…' (#15)": who, on what words, then the id.
        excerpt = " ".join(self.exact.split())
        excerpt = excerpt if len(excerpt) <= 40 else excerpt[:39] + "…"
        return f"{self.reviewer.username} on '{excerpt}' (#{self.pk})"


class AnnotationRevision(models.Model):
    """Append-only history: the state of an annotation after each change, and who made it."""

    class Action(models.TextChoices):
        CREATED = "created"
        UPDATED = "updated"
        WITHDRAWN = "withdrawn"
        HIDDEN = "hidden"
        UNHIDDEN = "unhidden"
        RESTORED = "restored"
        CLAIM_MERGED = "claim_merged"

    annotation = models.ForeignKey(Annotation, on_delete=models.PROTECT, related_name="revisions")
    version = models.PositiveIntegerField()
    action = models.CharField(max_length=20, choices=Action.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField()

    class Meta:
        verbose_name = _("annotation revision")
        verbose_name_plural = _("annotation revisions")
        ordering = ["annotation_id", "version", "id"]
        indexes = [models.Index(fields=["annotation", "version"], name="revision_annotation_idx")]

    def __str__(self):
        return f"annotation #{self.annotation_id} v{self.version} {self.action}"


class Suggestion(models.Model):
    """A machine-proposed flag on a span. Never counts toward consensus until confirmed."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="suggestions")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    exact = models.TextField()
    flag = models.ForeignKey(FlagType, on_delete=models.PROTECT, related_name="suggestions")
    detector = models.CharField(max_length=64, db_index=True)
    reason = models.TextField()
    confidence = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["document_id", "start", "end", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="suggestion_start_lt_end"
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=0, confidence__lte=1), name="suggestion_confidence_0_1"
            ),
            models.UniqueConstraint(
                fields=["document", "start", "end", "flag", "detector"],
                name="suggestion_unique_span",
            ),
        ]

    def __str__(self):
        return f"{self.detector}: {self.exact[:40]!r}"


class SuggestionDecision(models.Model):
    """A reviewer's acceptance or dismissal of a suggestion (one per reviewer)."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted"
        DISMISSED = "dismissed"

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="decisions")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=16, choices=Decision.choices)
    annotation = models.ForeignKey(
        Annotation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("suggestion decision")
        verbose_name_plural = _("suggestion decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion", "reviewer"], name="one_decision_per_reviewer"
            ),
        ]

    def __str__(self):
        return f"{self.decision} suggestion #{self.suggestion_id} by {self.reviewer_id}"


class ConsensusStatus(models.TextChoices):
    PENDING = "pending", _("Pending (below quorum)")
    AGREED = "agreed", _("Agreed")
    DISPUTED = "disputed", _("Disputed")
    ADJUDICATED = "adjudicated", _("Adjudicated by a moderator")


class Consensus(models.Model):
    """The consensus of a group of annotations, kept current with every write.

    ``kind`` says what the group is: all annotations starting in one passage, all annotations
    on one exact span, or all annotations linked to one claim. ``key`` identifies the group.
    """

    class Kind(models.TextChoices):
        PASSAGE = "passage"
        SPAN = "span"
        CLAIM = "claim"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    key = models.CharField(max_length=100, unique=True)
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="consensus"
    )
    passage = models.ForeignKey(
        Passage, on_delete=models.PROTECT, null=True, blank=True, related_name="consensus"
    )
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    claim = models.ForeignKey(
        Claim, on_delete=models.PROTECT, null=True, blank=True, related_name="consensus"
    )
    # The span's W3C TextQuoteSelector, cut when the row is made (annotator/quotes.py); NULL
    # for a group without a span (claims).
    exact = models.TextField(null=True, blank=True)
    prefix = models.CharField(max_length=64, null=True, blank=True)
    suffix = models.CharField(max_length=64, null=True, blank=True)
    reviewer_count = models.PositiveIntegerField(default=0)
    rating_count = models.PositiveIntegerField(default=0)
    median_reliability = models.FloatField(null=True, blank=True)
    q1_reliability = models.FloatField(null=True, blank=True)
    q3_reliability = models.FloatField(null=True, blank=True)
    rating_distribution = models.JSONField(default=dict, blank=True)
    flag_support = models.JSONField(default=dict, blank=True, help_text="flag slug → share")
    computed_status = models.CharField(
        max_length=16, choices=ConsensusStatus.choices, default=ConsensusStatus.PENDING
    )
    status = models.CharField(
        max_length=16,
        choices=ConsensusStatus.choices,
        default=ConsensusStatus.PENDING,
        db_index=True,
    )
    adjudicated_reliability = models.PositiveSmallIntegerField(
        choices=Reliability.choices, null=True, blank=True
    )
    adjudicated_flags = models.JSONField(default=list, blank=True)
    adjudication_reason = models.TextField(blank=True)
    adjudicated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    adjudicated_at = models.DateTimeField(null=True, blank=True)
    adjudication_stale = models.BooleanField(
        default=False, help_text="New annotations arrived after the adjudication; re-confirm it"
    )
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("consensus")
        verbose_name_plural = _("consensus")
        ordering = ["id"]
        indexes = [models.Index(fields=["kind", "status"], name="consensus_kind_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["passage", "span", "claim"]), name="consensus_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.key} ({self.status})"


class ModerationAction(models.Model):
    """Append-only audit record of a moderator's or admin's action. Never updated or deleted."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(max_length=300, blank=True)
    reason = models.TextField()
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="moderation_reason_required")
        ]

    def __str__(self):
        return f"{self.action} {self.target_type}:{self.target_id} by {self.actor_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Moderation actions are append-only and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Moderation actions are append-only and cannot be deleted.")


class ApiToken(models.Model):
    """A bearer token for API clients. Only a hash is stored; the key is shown once on creation."""

    class Scope(models.TextChoices):
        EXPORT = "export", "Read and export only"
        WRITE = "write", "Read, export and write as its user"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    key_prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=16, choices=Scope.choices, default=Scope.EXPORT)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"


class PassageEmbedding(models.Model):
    """A sentence of a document as a multilingual embedding, for cross-language claim matching.

    Computed on import (``claim_matching.index``). ``vector`` is the L2-normalised 512-d vector
    quantised to int8 (x127): 512 bytes a sentence. ``signals`` holds the cheap features
    (numbers, years, Latin-script names, quotation) used to re-rank.
    """

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="embeddings")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    language = models.CharField(max_length=35, blank=True)
    vector = models.BinaryField()
    signals = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["document_id", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "start", "end"], name="passage_embedding_unique_span"
            ),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="passage_embedding_start_lt_end"
            ),
        ]

    def __str__(self):
        return f"{self.document_id}[{self.start}:{self.end}]"


class ClaimCandidateDecision(models.Model):
    """A reviewer's acceptance or dismissal of a span the service proposed for a claim."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted"
        DISMISSED = "dismissed"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="candidate_decisions")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=16, choices=Decision.choices)
    score = models.FloatField(null=True, blank=True)
    annotation = models.ForeignKey(
        Annotation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "document", "start", "end", "reviewer"],
                name="one_candidate_decision_per_reviewer",
            ),
        ]

    def __str__(self):
        return f"{self.decision} {self.document_id}[{self.start}:{self.end}] for #{self.claim_id}"


# Campaigns live in their own package; importing them here keeps one app and one model registry.
from .campaigns.models import (  # noqa: E402
    Assignment,
    Campaign,
    CampaignDocument,
    CampaignMember,
)

# Models kept in their feature's package, imported here so that Django finds them.
from .factchecks.models import FactCheck  # noqa: E402, F401
from .ingest.models import Snapshot  # noqa: E402, F401
from .search.models import SearchEntry  # noqa: E402, F401

__all__ = [
    "Annotation",
    "AnnotationQuerySet",
    "AnnotationRevision",
    "AnnotationStatus",
    "ApiToken",
    "Assignment",
    "Campaign",
    "CampaignDocument",
    "CampaignMember",
    "Claim",
    "ClaimCandidateDecision",
    "Consensus",
    "ConsensusStatus",
    "Document",
    "DocumentQuerySet",
    "FactCheck",
    "FlagType",
    "FlagTypeQuerySet",
    "ModerationAction",
    "Passage",
    "PassageEmbedding",
    "Reliability",
    "SearchEntry",
    "Snapshot",
    "Source",
    "Suggestion",
    "SuggestionDecision",
    "User",
]

# Models of the integrations (outbox, webhooks, discussion, notifications), in their packages.
from .discussion.models import Comment  # noqa: E402, F401
from .notifications.models import DigestRun, Notification, Preference  # noqa: E402, F401
from .outbox.models import OutboxEvent  # noqa: E402, F401
from .webhooks.models import WebhookDelivery, WebhookEndpoint  # noqa: E402, F401
