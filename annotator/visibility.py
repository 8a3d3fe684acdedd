"""Who may see which annotations: blind review, moderation, withdrawal.

Blind review (on by default): a reviewer always sees their own annotations, and sees other
reviewers' active annotations on a passage only once they have an active annotation of their
own on that passage. Moderators see everything, hidden annotations included.
"""

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import Annotation, AnnotationStatus


def blind_review_enabled() -> bool:
    return bool(settings.ANNOTATOR["BLIND_REVIEW"])


def visible_annotations(user, queryset: QuerySet | None = None) -> QuerySet:
    """Narrow ``queryset`` (default: all annotations) to what ``user`` may see."""
    queryset = Annotation.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if user.is_moderator:
        return queryset
    own = Q(reviewer_id=user.pk)
    others = Q(status=AnnotationStatus.ACTIVE) & ~Q(reviewer_id=user.pk)
    if blind_review_enabled():
        judged_passage = Annotation.objects.filter(
            reviewer_id=user.pk,
            status=AnnotationStatus.ACTIVE,
            document_id=OuterRef("document_id"),
            passage_id=OuterRef("passage_id"),
        )
        others &= Q(Exists(judged_passage))
    return queryset.filter(own | others)


def can_see_others_on_passage(user, passage) -> bool:
    """Whether ``user`` has unlocked other reviewers' annotations on ``passage``."""
    if user.is_moderator or not blind_review_enabled():
        return True
    return Annotation.objects.filter(
        reviewer_id=user.pk, status=AnnotationStatus.ACTIVE, passage=passage
    ).exists()


def may_see_group(user, consensus) -> bool:
    """Whether ``user`` may see a consensus group: its summary and its discussion thread."""
    from .exports.visibility import visible_consensus  # that module imports this one

    return visible_consensus(user, type(consensus).objects.filter(pk=consensus.pk)).exists()


def members_filter(consensus) -> Q:
    """The annotations that make up a consensus group (the consensus engine's own rule)."""
    from .consensus.groups import GroupRef  # the consensus package imports this module

    fields = ("document_id", "passage_id", "start", "end", "claim_id")
    ref = GroupRef(
        consensus.key, consensus.kind, **{name: getattr(consensus, name) for name in fields}
    )
    return ref.annotation_filter()


def users_who_may_see_group(consensus, users) -> set[int]:
    """The ids among ``users`` (active users) for whom ``may_see_group`` holds, in two queries.

    The set form of ``may_see_group``, for notification fan-out: moderators, everyone when blind
    review is off, otherwise those with an active annotation in the group. A test checks it
    against ``may_see_group`` user by user.
    """
    from django.contrib.auth import get_user_model

    ids = {user.pk for user in users if user.is_active}
    if not ids or not blind_review_enabled():
        return ids
    moderators = set(
        get_user_model()
        .objects.filter(pk__in=ids)
        .filter(Q(is_superuser=True) | Q(groups__name="Moderator"))
        .values_list("pk", flat=True)
    )
    judged = set(
        Annotation.objects.filter(members_filter(consensus), status=AnnotationStatus.ACTIVE)
        .filter(reviewer_id__in=ids - moderators)
        .values_list("reviewer_id", flat=True)
    )
    return moderators | judged
