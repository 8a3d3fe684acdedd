"""Reviewer progress and corpus consensus status, for the dashboard and the review queue.

Consensus figures here are computed only from the groups the user may see
(``visible_consensus``): under blind review, a reviewer's dashboard statuses and queue never
depend on other reviewers' work on passages the reviewer has not judged.
"""

from django.conf import settings
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from ..models import Annotation, AnnotationStatus, Consensus, ConsensusStatus, Document, Passage
from ..visibility import visible_consensus

# Document-level status shown on the dashboard (derived from its passages' consensus).
DOCUMENT_STATUSES = {
    "needs-reviewers": _("Needs reviewers"),
    "disputed": _("Disputed"),
    "settled": _("Settled"),
}


def _count(queryset: QuerySet) -> Subquery:
    """A correlated COUNT(*) subquery (avoids join fan-out between several counts)."""
    counted = queryset.order_by().values("pk")
    counted = counted.annotate(_group=Value(1)).values("_group").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def documents_with_progress(user) -> QuerySet:
    """Current documents annotated with passage counts, this reviewer's progress and consensus."""
    quorum = settings.ANNOTATOR["QUORUM"]
    passages = Passage.objects.filter(document_id=OuterRef("pk"))
    own = Annotation.objects.filter(
        passage_id=OuterRef("pk"), reviewer_id=user.pk, status=AnnotationStatus.ACTIVE
    )
    passage_consensus = visible_consensus(
        user,
        Consensus.objects.filter(kind=Consensus.Kind.PASSAGE, passage__document_id=OuterRef("pk")),
    )
    return (
        Document.objects.current()
        .select_related("source")
        .annotate(
            passage_count=_count(passages),
            annotated_count=_count(passages.filter(Exists(own))),
            reached_quorum_count=_count(passage_consensus.filter(reviewer_count__gte=quorum)),
            disputed_count=_count(passage_consensus.filter(status=ConsensusStatus.DISPUTED)),
            settled_count=_count(
                passage_consensus.filter(
                    status__in=[ConsensusStatus.AGREED, ConsensusStatus.ADJUDICATED]
                )
            ),
        )
        .order_by("id")
    )


def document_status(document) -> str:
    """``disputed`` beats ``needs-reviewers`` beats ``settled``."""
    if document.disputed_count:
        return "disputed"
    if document.reached_quorum_count < document.passage_count:
        return "needs-reviewers"
    return "settled"


def filter_by_status(queryset: QuerySet, status: str) -> QuerySet:
    if status == "disputed":
        return queryset.filter(disputed_count__gt=0)
    if status == "needs-reviewers":
        return queryset.filter(disputed_count=0, reached_quorum_count__lt=F("passage_count"))
    if status == "settled":
        return queryset.filter(disputed_count=0, reached_quorum_count__gte=F("passage_count"))
    return queryset


def passages_needing_review(user) -> QuerySet:
    """Passages of current documents that this reviewer has not annotated yet, skipping those
    known to be at quorum. Under blind review a reviewer knows no passage's reviewer count
    before judging it, so their queue is every passage they have not judged; moderators' skips
    passages at quorum."""
    quorum = settings.ANNOTATOR["QUORUM"]
    reached = visible_consensus(
        user,
        Consensus.objects.filter(
            kind=Consensus.Kind.PASSAGE, passage_id=OuterRef("pk"), reviewer_count__gte=quorum
        ),
    )
    own = Annotation.objects.filter(
        passage_id=OuterRef("pk"), reviewer_id=user.pk, status=AnnotationStatus.ACTIVE
    )
    return (
        Passage.objects.filter(document__is_current=True)
        .exclude(Exists(reached))
        .exclude(Exists(own))
        .order_by("document_id", "index")
    )


def next_passage_for(user, after: Passage | None = None) -> Passage | None:
    """The next passage in the queue, after ``after`` if given (wrapping round to the start).

    Campaign assignments come first (``campaigns.queue``); the global below-quorum queue after.
    """
    from ..campaigns.queue import next_assigned_passage  # campaigns import web-free modules only

    assigned = next_assigned_passage(user, after=after)
    if assigned is not None:
        return assigned
    queue = passages_needing_review(user)
    if after is not None:
        later = queue.filter(
            Q(document_id__gt=after.document_id)
            | Q(document_id=after.document_id, index__gt=after.index)
        ).first()
        if later is not None:
            return later
    return queue.first()
