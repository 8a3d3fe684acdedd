"""Which consensus rows a user may see: blind review extends to aggregates.

A consensus summarises other reviewers' judgments, so a reviewer sees the consensus of a
passage, a span or a claim only once they have an active annotation of their own in that
group. Moderators (and the superuser) see every row.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from annotator.models import Annotation, AnnotationStatus, Consensus
from annotator.visibility import blind_review_enabled


def visible_consensus(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Consensus.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if user.is_moderator or not blind_review_enabled():
        return queryset
    return consensus_involving(queryset, user.pk)


def consensus_involving(queryset: QuerySet, reviewer_id: int) -> QuerySet:
    """Consensus rows of groups in which ``reviewer_id`` has an active annotation."""
    own = Annotation.objects.filter(reviewer_id=reviewer_id, status=AnnotationStatus.ACTIVE)
    return queryset.filter(
        (Q(kind=Consensus.Kind.PASSAGE) & Q(Exists(own.filter(passage_id=OuterRef("passage_id")))))
        | (
            Q(kind=Consensus.Kind.SPAN)
            & Q(
                Exists(
                    own.filter(
                        document_id=OuterRef("document_id"),
                        start=OuterRef("start"),
                        end=OuterRef("end"),
                    )
                )
            )
        )
        | (Q(kind=Consensus.Kind.CLAIM) & Q(Exists(own.filter(claim_id=OuterRef("claim_id")))))
    )
