"""Incremental pulls that carry deletions: what changed for this requester since a cursor.

A mirror that applies every pull must end up equal to a fresh full pull. Rows can leave a
requester's export without being deleted (annotations are never deleted): hidden by a
moderator, withdrawn by their author, merged away, or no longer visible because the
requester's own annotation on the passage was withdrawn (blind review locks it again), or no
longer matching the pull's filters. Such a row comes back in the next pull as a tombstone:
id, ``status`` and time, nothing else: no rating, no flag, no note, no reviewer.

Who gets a tombstone: whoever could have seen the row before, a rule of the visibility policy
(``visibility.once_visible_annotations`` / ``once_visible_consensus``). A reviewer never gets a
tombstone for a row on a passage they never judged, so tombstones reveal nothing of passages
still blind to them.

Event times. A row's event time is when it last changed *for this requester*: its own
``updated_at``, and for a reviewer also the last change of their own annotations on the same
passage (withdrawing your annotation hides others' rows from you without touching them;
judging the passage again shows them again). Cursors order by (event time, id).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Case,
    CharField,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from annotator import visibility
from annotator.models import Annotation, AnnotationStatus
from annotator.visibility import once_visible_annotations, once_visible_consensus

from .queries import decode_cursor, encode_cursor

OUT_OF_VIEW = "out_of_view"


@dataclass
class Pull:
    rows: QuerySet  # rows in the export now that changed since the cursor, in cursor order
    gone: QuerySet | None  # rows that left it since the cursor, with event_at and gone_status
    next_cursor: str | None


def _annotation_event_at(user):
    if user is None or not visibility.is_blind(user):
        return F("updated_at")
    own_latest = (
        Annotation.objects.filter(
            reviewer_id=user.pk,
            document_id=OuterRef("document_id"),
            passage_id=OuterRef("passage_id"),
        )
        .order_by()
        .values("reviewer_id")
        .annotate(latest=Max("updated_at"))
        .values("latest")
    )
    # Greatest() with a NULL is NULL on SQLite: take the larger by hand.
    own = Coalesce(Subquery(own_latest), F("updated_at"))
    return Case(When(updated_at__gte=own, then=F("updated_at")), default=own)


def _after(queryset: QuerySet, cursor: str | None, since: datetime | None) -> QuerySet:
    if cursor:
        event_at, pk = decode_cursor(cursor)
        queryset = queryset.filter(Q(event_at__gt=event_at) | Q(event_at=event_at, pk__gt=pk))
    if since is not None:
        queryset = queryset.filter(event_at__gte=since)
    return queryset


def _upto(queryset: QuerySet, last: tuple) -> QuerySet:
    event_at, pk = last
    return queryset.filter(Q(event_at__lt=event_at) | Q(event_at=event_at, pk__lte=pk))


def _last(queryset: QuerySet):
    return queryset.order_by("-event_at", "-pk").values_list("event_at", "pk").first()


def pull(current, gone, cursor, since) -> Pull:
    """Rows after the cursor (or since a time), and tombstones when ``gone`` is given."""
    rows = _after(current, cursor, since)
    if gone is not None and (cursor or since is not None):
        gone = _after(gone, cursor, since)
    else:
        gone = None  # a full pull: the mirror starts empty, nothing to delete
    lasts = [last for last in (_last(rows), gone is not None and _last(gone)) if last]
    if not lasts:
        return Pull(rows.none(), None, cursor)
    last = max(lasts)
    rows = _upto(rows, last).order_by("event_at", "pk")
    if gone is not None:
        gone = _upto(gone, last).order_by("event_at", "pk")
    return Pull(rows, gone, encode_cursor(*last))


def annotation_pull(
    user, current: QuerySet, candidates: QuerySet | None, *, cursor=None, since=None
) -> Pull:
    """``current``: the export's rows now; ``candidates``: the same filters, visibility aside."""
    event_at = _annotation_event_at(user)
    current = current.annotate(event_at=event_at)
    gone = None
    if candidates is not None:
        gone = (
            once_visible_annotations(user, candidates)
            .exclude(pk__in=current.values("pk"))
            .annotate(
                event_at=event_at,
                gone_status=Case(
                    When(status=AnnotationStatus.ACTIVE, then=Value(OUT_OF_VIEW)),
                    default=F("status"),
                    output_field=CharField(),
                ),
            )
        )
    return pull(current, gone, cursor, since)


def live_consensus(queryset: QuerySet) -> QuerySet:
    """Consensus rows with at least one counted reviewer: empty and merged-away groups are gone."""
    return queryset.filter(reviewer_count__gt=0, claim__merged_into__isnull=True)


def consensus_pull(
    user, current: QuerySet, candidates: QuerySet | None, *, cursor=None, since=None
) -> Pull:
    current = live_consensus(current).annotate(event_at=F("updated_at"))
    gone = None
    if candidates is not None:
        gone = (
            once_visible_consensus(user, candidates)
            .exclude(pk__in=current.values("pk"))
            .annotate(
                event_at=F("updated_at"),
                gone_status=Case(
                    When(claim__merged_into__isnull=False, then=Value("merged")),
                    When(reviewer_count=0, then=Value("empty")),
                    default=Value(OUT_OF_VIEW),
                    output_field=CharField(),
                ),
            )
        )
    return pull(current, gone, cursor, since)
