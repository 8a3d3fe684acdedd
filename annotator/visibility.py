"""The visibility policy: what each user may see. The one home of the blind-review rule.

Every read path asks this module: API views, web pages, exports, counts and figures
(agreement, source reliability, dashboard progress, claim counts). See docs/visibility.md.

- **Groups.** Every annotation belongs to up to three groups: its passage, its exact span and
  its claim (see docs/consensus.md). A reviewer *may see a group* once they have an active
  annotation of their own in it.
- **Annotations.** A reviewer always sees their own annotations (any status). They see other
  reviewers' *active* annotations on a passage once they may see that passage's group.
- **Consensus rows** (a group's figures) only for groups they may see.
- **Figures** (counts, statuses, medians, alphas, progress) are computed only from what the
  reviewer may see: the visible counted annotations and the visible consensus rows.
- **History** (revisions, earlier drafts): the author's own, and moderators'.
- **Moderators and superusers** see everything, hidden annotations included. With blind
  review off (``ANNOTATOR_BLIND_REVIEW=false``), reviewers see every active annotation and
  every group.

An API token acts as its user: the same rules apply. Anonymous users see nothing.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import Expression

from . import roles
from .models import Annotation, AnnotationRevision, AnnotationStatus, Consensus
from .sqlrows import ModelSQL

# --- Who is blind ---------------------------------------------------------------------------


def blind_review_enabled() -> bool:
    return bool(settings.ANNOTATOR["BLIND_REVIEW"])


def sees_everything(user) -> bool:
    """Moderators and superusers: every annotation, group, figure and revision."""
    return bool(user.is_authenticated and user.is_moderator)


def is_blind(user) -> bool:
    """Whether blind review hides other reviewers' work from ``user`` until they judge a group."""
    return blind_review_enabled() and not sees_everything(user)


# --- Annotations ----------------------------------------------------------------------------


def visible_annotations(user, queryset: QuerySet | None = None) -> QuerySet:
    """Narrow ``queryset`` (default: all annotations) to what ``user`` may see.

    Works inside subqueries too (plain ORM expressions).
    """
    queryset = Annotation.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if sees_everything(user):
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


def countable_annotations(user, queryset: QuerySet | None = None) -> QuerySet:
    """The counted annotations (active, reviewer not suspended) that figures shown to ``user``
    may be computed from: what feeds an alpha, a reviewer or annotation count, a claim count.

    ``user=None`` means no viewer (management commands, the moderation queue): everything.
    """
    queryset = Annotation.objects.all() if queryset is None else queryset
    if user is not None:
        queryset = visible_annotations(user, queryset)
    return queryset.counted()


# --- Groups and their consensus ---------------------------------------------------------------


def visible_consensus(user, queryset: QuerySet | None = None) -> QuerySet:
    """Narrow ``queryset`` (default: all consensus rows) to the groups ``user`` may see.

    ``user=None`` means no viewer (commands, moderation tools): every row. Works as the outer
    query and inside subqueries (``OuterRef``) alike.
    """
    queryset = Consensus.objects.all() if queryset is None else queryset
    if user is None:
        return queryset
    if not user.is_authenticated:
        return queryset.none()
    if not is_blind(user):
        return queryset
    return consensus_involving(queryset, user.pk)


def may_see_group(user, consensus: Consensus) -> bool:
    """Whether ``user`` may see the group of this consensus row (its figures, and what is
    attached to the group: comments, notifications)."""
    if not user.is_authenticated:
        return False
    if not is_blind(user):
        return True
    return visible_consensus(user, Consensus.objects.filter(pk=consensus.pk)).exists()


def consensus_involving(queryset: QuerySet, reviewer_id: int) -> QuerySet:
    """Consensus rows of groups in which ``reviewer_id`` has an active annotation.

    The condition is SQL written once per vendor (see docs/design.md, "Hot paths"): built from
    ORM expressions (three correlated EXISTS) it cost about 1.5 ms of Python per request on
    every consensus read and export, more than the database took to run it.
    """
    return queryset.filter(_Involving(reviewer_id))


class _Involving(Expression):
    """The hot-path condition as an expression that knows its table's alias, so that it stays
    right when Django relabels the query (as a subquery its table becomes ``U0``)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, reviewer_id: int, alias: str | None = None):
        super().__init__(output_field=BooleanField())
        self.reviewer_id = reviewer_id
        self.alias = alias

    def __repr__(self):
        return f"{type(self).__name__}({self.reviewer_id!r}, {self.alias!r})"

    def get_source_expressions(self):
        return []

    def resolve_expression(self, query=None, *args, **kwargs):
        if self.alias is not None:
            return self  # already bound to its query; now being resolved against an outer one
        clone = self.copy()
        clone.alias = query.get_initial_alias()
        return clone

    def relabeled_clone(self, change_map):
        clone = self.copy()
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(self.alias)
        return _involving_sql(connection.vendor, table), [self.reviewer_id] * 3


@functools.cache
def _involving_sql(vendor: str, table: str) -> str:
    consensus = ModelSQL.for_model(Consensus, table)  # the query's own alias for the table
    own = ModelSQL.for_model(Annotation, "own")

    def own_rows(selected: str) -> str:
        return (
            f"SELECT {selected} FROM {own.table} own"  # noqa: S608
            f" WHERE {own.column('reviewer')} = %s"
            f" AND {own.column('status')} = '{AnnotationStatus.ACTIVE}'"
        )

    kind = consensus.column("kind")
    same_span = " AND ".join(
        f"{own.column(name)} = {consensus.column(name)}" for name in ("document", "start", "end")
    )
    return (
        f"(({kind} = '{Consensus.Kind.PASSAGE}'"
        f" AND {consensus.column('passage')} IN ({own_rows(own.column('passage'))}))"
        f" OR ({kind} = '{Consensus.Kind.SPAN}' AND EXISTS ({own_rows('1')} AND {same_span}))"
        f" OR ({kind} = '{Consensus.Kind.CLAIM}'"
        f" AND {consensus.column('claim')} IN ({own_rows(own.column('claim'))})))"
    )


# --- History ----------------------------------------------------------------------------------


def may_see_history(user, annotation: Annotation) -> bool:
    """An annotation's revisions (earlier drafts, notes, ratings) are its author's and the
    moderators': blind review protects drafts as much as the current state."""
    if not user.is_authenticated:
        return False
    return sees_everything(user) or annotation.reviewer_id == user.pk


def visible_revisions(user, queryset: QuerySet | None = None) -> QuerySet:
    """Narrow ``queryset`` (default: all revisions) to those of annotations ``user`` wrote,
    or all of them for moderators. ``user=None`` means no viewer (backups): all."""
    queryset = AnnotationRevision.objects.all() if queryset is None else queryset
    if user is None or sees_everything(user):
        return queryset
    if not user.is_authenticated:
        return queryset.none()
    return queryset.filter(annotation__reviewer_id=user.pk)


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
        .filter(Q(is_superuser=True) | Q(groups__name=roles.MODERATOR))
        .values_list("pk", flat=True)
    )
    judged = set(
        Annotation.objects.filter(members_filter(consensus), status=AnnotationStatus.ACTIVE)
        .filter(reviewer_id__in=ids - moderators)
        .values_list("reviewer_id", flat=True)
    )
    return moderators | judged


# --- What a user could have seen (export tombstones) ----------------------------------------


def once_visible_annotations(user, queryset: QuerySet) -> QuerySet:
    """Rows ``user`` could have seen at some time: who gets an export tombstone when a row
    leaves their view. A moderator could see every row; a blind reviewer their own rows and the
    rows on passages where they have an annotation of their own in any status (they unlocked
    that passage at some time)."""
    if user is None or not is_blind(user):
        return queryset
    unlocked = Annotation.objects.filter(
        reviewer_id=user.pk,
        document_id=OuterRef("document_id"),
        passage_id=OuterRef("passage_id"),
    )
    return queryset.filter(Q(reviewer_id=user.pk) | Q(Exists(unlocked)))


def once_visible_consensus(user, queryset: QuerySet) -> QuerySet:
    """Consensus rows of groups in which ``user`` has (or had) an annotation of any status."""
    if user is None or not is_blind(user):
        return queryset
    own = Annotation.objects.filter(reviewer_id=user.pk)
    return queryset.filter(
        Q(kind="passage", passage_id__in=own.values("passage_id"))
        | Q(
            Exists(
                own.filter(
                    document_id=OuterRef("document_id"),
                    start=OuterRef("start"),
                    end=OuterRef("end"),
                )
            ),
            kind="span",
        )
        | Q(kind="claim", claim_id__in=own.values("claim_id"))
        | Q(kind="claim", claim__merged_into_id__in=own.values("claim_id"))
    )


# --- Campaigns ----------------------------------------------------------------------------------


def may_see_campaign(user, campaign) -> bool:
    """Managers (editors, moderators, admins) see every campaign; a reviewer the campaigns whose
    pool they are in. What a campaign's pages show of judgments is narrowed by the rules above."""
    return bool(campaigns_visible_to(user, [campaign.pk]))


def campaigns_visible_to(user, campaign_ids) -> set[int]:
    """Which of ``campaign_ids`` ``user`` may look at (``may_see_campaign`` for many: webhook
    payloads about campaigns go only to endpoints whose owner may see them)."""
    from .campaigns.rules import can_manage_campaigns  # campaigns import this module
    from .models import CampaignMember

    campaign_ids = set(campaign_ids)
    if not user.is_authenticated:
        return set()
    if can_manage_campaigns(user):
        return campaign_ids
    return set(
        CampaignMember.objects.filter(
            campaign_id__in=campaign_ids, reviewer_id=user.pk
        ).values_list("campaign_id", flat=True)
    )
