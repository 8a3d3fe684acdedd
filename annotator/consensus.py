"""Consensus: several reviewers' judgments turned into one summary per group, kept current.

A *group* is a set of annotations judged together:

* ``passage:<passage_id>`` – every annotation whose span starts in the passage;
* ``span:<document_id>:<start>:<end>`` – every annotation on exactly that span;
* ``claim:<claim_id>`` – every annotation linked to the claim, across documents and languages.

Only *counted* annotations take part (active, by a reviewer who is not suspended). Within a group
each reviewer has one voice: their rating is the lower median of their ratings in the group (one
reviewer may rate several spans of a passage, or the same claim in several documents) and they
support a flag if any of their annotations in the group raises it.

Status rule (see docs/consensus.md for the reasoning):

* ``pending`` – fewer distinct reviewers than ``ANNOTATOR["QUORUM"]``;
* ``disputed`` – the interquartile range of the reviewers' ratings is greater than
  ``MAX_AGREED_SPREAD`` steps, or some flag is raised by a share of reviewers strictly between
  ``FLAG_DISPUTE_LOWER`` and ``FLAG_DISPUTE_UPPER``;
* ``agreed`` – otherwise;
* ``adjudicated`` – a moderator decided. The decision overrides the computed status until the
  group's content changes; then the status falls back to the computed one and
  ``adjudication_stale`` is set (the decision stays stored) until a moderator adjudicates again.

Upkeep: :func:`annotation_changed` runs inside every annotation write's transaction; it locks
the affected rows (creating them first if needed) in key order, so concurrent writers on one
group serialise and never deadlock, and recomputes each group from its own annotations, so the
cost follows the group size, not the corpus. :func:`recompute_all` rebuilds everything from
scratch with the same summarising function. Rows are never deleted; a group that empties keeps
its row with ``reviewer_count`` 0 and status ``pending``. ``updated_at`` moves only when a row's
content changes.
"""

from __future__ import annotations

import functools
import importlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from . import annotations as annotation_writes
from .audit import record_action
from .models import (
    Annotation,
    AnnotationStatus,
    Claim,
    Consensus,
    ConsensusStatus,
    Document,
    FlagType,
    Passage,
    User,
)
from .sqlrows import ModelSQL

RATING_SCALE = (1, 2, 3, 4, 5)

# Fields derived from the group's annotations.
COMPUTED_FIELDS = (
    "reviewer_count",
    "rating_count",
    "median_reliability",
    "q1_reliability",
    "q3_reliability",
    "rating_distribution",
    "flag_support",
    "computed_status",
)
# Everything that makes up a row's content (``updated_at`` moves when one of these changes).
CONTENT_FIELDS = (
    "kind",
    "key",
    "document_id",
    "passage_id",
    "start",
    "end",
    "claim_id",
    *COMPUTED_FIELDS,
    "status",
    "adjudicated_reliability",
    "adjudicated_flags",
    "adjudication_reason",
    "adjudicated_by_id",
    "adjudicated_at",
    "adjudication_stale",
)
_SAVED_FIELDS = [name.removesuffix("_id") for name in CONTENT_FIELDS if name != "key"] + [
    "updated_at"
]


# ---------------------------------------------------------------------------------------------
# Groups


def passage_key(passage_id: int) -> str:
    return f"passage:{passage_id}"


def span_key(document_id: int, start: int, end: int) -> str:
    return f"span:{document_id}:{start}:{end}"


def claim_key(claim_id: int) -> str:
    return f"claim:{claim_id}"


@dataclass(frozen=True, order=True)
class GroupRef:
    """Identifies one group and the fields its Consensus row is created with."""

    key: str
    kind: str = field(compare=False)
    document_id: int | None = field(default=None, compare=False)
    passage_id: int | None = field(default=None, compare=False)
    start: int | None = field(default=None, compare=False)
    end: int | None = field(default=None, compare=False)
    claim_id: int | None = field(default=None, compare=False)

    def annotation_filter(self) -> Q:
        if self.kind == Consensus.Kind.PASSAGE:
            return Q(passage_id=self.passage_id)
        if self.kind == Consensus.Kind.SPAN:
            return Q(document_id=self.document_id, start=self.start, end=self.end)
        return Q(claim_id=self.claim_id)

    def new_row(self) -> Consensus:
        document_id, start, end = self.document_id, self.start, self.end
        if self.kind == Consensus.Kind.PASSAGE and start is None:
            document_id, start, end = Passage.objects.values_list(
                "document_id", "start", "end"
            ).get(pk=self.passage_id)
        return Consensus(
            kind=self.kind,
            key=self.key,
            document_id=document_id,
            passage_id=self.passage_id,
            start=start,
            end=end,
            claim_id=self.claim_id,
            **empty_content(),
            updated_at=timezone.now(),
        )


def passage_group(passage_id: int, bounds: tuple[int, int, int] | None = None) -> GroupRef:
    """``bounds`` is (document_id, start, end) of the passage; looked up if not given."""
    document_id, start, end = bounds if bounds is not None else (None, None, None)
    return GroupRef(
        passage_key(passage_id),
        Consensus.Kind.PASSAGE,
        document_id=document_id,
        passage_id=passage_id,
        start=start,
        end=end,
    )


def span_group(document_id: int, start: int, end: int, passage_id: int | None) -> GroupRef:
    return GroupRef(
        span_key(document_id, start, end),
        Consensus.Kind.SPAN,
        document_id=document_id,
        passage_id=passage_id,
        start=start,
        end=end,
    )


def claim_group(claim_id: int) -> GroupRef:
    return GroupRef(claim_key(claim_id), Consensus.Kind.CLAIM, claim_id=claim_id)


def _groups_of(
    document_id, passage_id, start, end, claim_id, passage_bounds=None
) -> list[GroupRef]:
    groups = [span_group(document_id, start, end, passage_id)]
    if passage_id is not None:
        groups.append(passage_group(passage_id, passage_bounds))
    if claim_id is not None:
        groups.append(claim_group(claim_id))
    return groups


def _group_keys(judgment: Judgment) -> list[str]:
    """The keys of every group the judgment belongs to."""
    keys = [span_key(judgment.document_id, judgment.start, judgment.end)]
    if judgment.passage_id is not None:
        keys.append(passage_key(judgment.passage_id))
    if judgment.claim_id is not None:
        keys.append(claim_key(judgment.claim_id))
    return keys


def _with_passage_bounds(groups: Iterable[GroupRef]) -> list[GroupRef]:
    """One group per key, passage groups completed with their bounds (one query for all).

    Every row is offered for insertion on each refresh, so each needs its creation fields.
    """
    unique: dict[str, GroupRef] = {}
    for group in groups:
        known = unique.get(group.key)
        if known is None or (known.start is None and group.start is not None):
            unique[group.key] = group
    missing = [
        group.passage_id
        for group in unique.values()
        if group.kind == Consensus.Kind.PASSAGE and group.start is None
    ]
    if missing:
        bounds = {
            pk: (document_id, start, end)
            for pk, document_id, start, end in Passage.objects.filter(pk__in=missing)
            .order_by()
            .values_list("id", "document_id", "start", "end")
        }
        for passage_id in missing:
            unique[passage_key(passage_id)] = passage_group(passage_id, bounds[passage_id])
    return sorted(unique.values())


# ---------------------------------------------------------------------------------------------
# Summarising one group


class Judgment(NamedTuple):
    """One counted annotation, reduced to what consensus and agreement need."""

    annotation_id: int
    reviewer_id: int
    reliability: int | None
    flags: frozenset[str]
    document_id: int
    passage_id: int | None
    start: int
    end: int
    claim_id: int | None


_JUDGMENT_COLUMNS = (
    "id",
    "reviewer_id",
    "reliability",
    "document_id",
    "passage_id",
    "start",
    "end",
    "claim_id",
)


def load_judgments(queryset) -> list[Judgment]:
    """The counted annotations of ``queryset`` with their flag slugs (two queries)."""
    rows = list(queryset.counted().order_by().values_list(*_JUDGMENT_COLUMNS))
    if not rows:
        return []
    flags: dict[int, set[str]] = defaultdict(set)
    through = Annotation.flags.through.objects.filter(
        annotation__in=queryset.counted().order_by().values("id")
    )
    for annotation_id, slug in through.values_list("annotation_id", "flagtype__slug"):
        flags[annotation_id].add(slug)
    return [
        Judgment(
            pk, reviewer, rating, frozenset(flags.get(pk, ())), doc, passage, start, end, claim
        )
        for pk, reviewer, rating, doc, passage, start, end, claim in rows
    ]


def lower_median(values: list[int]) -> int:
    """The lower of the two middle values: stays on the scale and errs towards caution."""
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


def quantile(ordered: list[int | float], share: float) -> float:
    """Linear interpolation between closest ranks (Hyndman & Fan type 7, numpy's default).

    Ratings are integers and shares are quarters, so the results are exact binary fractions:
    the incremental path and the rebuild give bit-identical numbers.
    """
    position = (len(ordered) - 1) * share
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return float(ordered[below] + (ordered[above] - ordered[below]) * (position - below))


@dataclass
class ReviewerVoice:
    """One reviewer's say in a group: one rating (or none) and the flags they raise."""

    rating: int | None
    flags: frozenset[str]


def reviewer_voices(judgments: Iterable[Judgment]) -> dict[int, ReviewerVoice]:
    ratings: dict[int, list[int]] = defaultdict(list)
    flags: dict[int, set[str]] = defaultdict(set)
    for judgment in judgments:
        flags[judgment.reviewer_id].update(judgment.flags)
        if judgment.reliability is not None:
            ratings[judgment.reviewer_id].append(judgment.reliability)
    return {
        reviewer: ReviewerVoice(
            lower_median(ratings[reviewer]) if ratings.get(reviewer) else None,
            frozenset(raised),
        )
        for reviewer, raised in flags.items()
    }


def _setting(name: str):
    return settings.ANNOTATOR[name]


def empty_content() -> dict:
    return summarise({})


def summarise(voices: dict[int, ReviewerVoice]) -> dict:
    """The computed fields of a Consensus row for a group with these reviewer voices."""
    reviewer_count = len(voices)
    ratings = sorted(voice.rating for voice in voices.values() if voice.rating is not None)
    raised: dict[str, int] = defaultdict(int)
    for voice in voices.values():
        for slug in voice.flags:
            raised[slug] += 1
    content = {
        "reviewer_count": reviewer_count,
        "rating_count": len(ratings),
        "median_reliability": quantile(ratings, 0.5) if ratings else None,
        "q1_reliability": quantile(ratings, 0.25) if ratings else None,
        "q3_reliability": quantile(ratings, 0.75) if ratings else None,
        "rating_distribution": {str(value): ratings.count(value) for value in RATING_SCALE},
        "flag_support": {slug: round(raised[slug] / reviewer_count, 4) for slug in sorted(raised)},
    }
    content["computed_status"] = _computed_status(reviewer_count, content, raised)
    return content


def _computed_status(reviewer_count: int, content: dict, raised: dict[str, int]) -> str:
    if reviewer_count == 0 or reviewer_count < _setting("QUORUM"):
        return ConsensusStatus.PENDING
    if content["rating_count"] >= 2:
        spread = content["q3_reliability"] - content["q1_reliability"]
        if spread > _setting("MAX_AGREED_SPREAD"):
            return ConsensusStatus.DISPUTED
    lower, upper = _setting("FLAG_DISPUTE_LOWER"), _setting("FLAG_DISPUTE_UPPER")
    for count in raised.values():
        if lower < Fraction(count, reviewer_count) < upper:
            return ConsensusStatus.DISPUTED
    return ConsensusStatus.AGREED


def apply_content(row: Consensus, content: dict) -> bool:
    """Put freshly computed ``content`` on ``row``; return whether the row's content changed.

    A change to the computed fields of an adjudicated row marks the adjudication stale and
    returns the row to its computed status.
    """
    before = content_of(row)
    computed_changed = any(getattr(row, name) != content[name] for name in COMPUTED_FIELDS)
    for name in COMPUTED_FIELDS:
        setattr(row, name, content[name])
    if computed_changed and row.adjudicated_at is not None:
        row.adjudication_stale = True
    row.status = effective_status(row)
    return content_of(row) != before


def effective_status(row: Consensus) -> str:
    if row.adjudicated_at is not None and not row.adjudication_stale:
        return ConsensusStatus.ADJUDICATED
    return row.computed_status


def content_of(row: Consensus) -> dict:
    """The row's content: every field except ``id`` and ``updated_at``."""
    return {name: getattr(row, name) for name in CONTENT_FIELDS}


# ---------------------------------------------------------------------------------------------
# Incremental upkeep


def _lock_rows(groups: list[GroupRef]) -> list[tuple[GroupRef, Consensus]]:
    """Create missing rows (insert-or-ignore), then lock every row with one query, in key order.

    ``groups`` are unique and sorted by key, so the insert waits (on another transaction's
    uncommitted insert of the same key) come in ascending key order, and so do the row locks
    (``ORDER BY key``): writers cannot deadlock.
    """
    if not groups:
        return []
    # Hand-written (annotator.sqlrows): through the ORM these two statements cost about 2 ms
    # of Python per annotation write, twice what the database spent on them.
    table = ModelSQL.for_model(Consensus, "c")
    table.insert_ignoring_conflicts([group.new_row() for group in groups], unique_field="key")
    key = table.column("key")
    lock = connection.ops.for_update_sql() if connection.features.has_select_for_update else ""
    keys = [group.key for group in groups]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {table.columns} FROM {table.table} c"  # noqa: S608
            f" WHERE {key} IN ({', '.join(['%s'] * len(keys))}) ORDER BY {key} {lock}",
            keys,
        )
        rows = {row.key: row for row in map(table.instance, cursor.fetchall())}
    return [(group, rows[group.key]) for group in groups]


def _group_members(groups: list[GroupRef]) -> dict[str, list[Judgment]]:
    """The counted annotations of each group, read together and split by group key."""
    members: dict[str, list[Judgment]] = {group.key: [] for group in groups}
    if connection.vendor == "postgresql":
        judgments = _judgments_in_groups_sql(groups)
    else:
        condition = Q()
        for group in groups:
            condition |= group.annotation_filter()
        judgments = load_judgments(Annotation.objects.filter(condition))
    for judgment in judgments:
        for key in _group_keys(judgment):
            if key in members:
                members[key].append(judgment)
    return members


def _judgments_in_groups_sql(groups: list[GroupRef]) -> list[Judgment]:
    """``load_judgments`` for a few groups on PostgreSQL: one query, flag slugs in an array.

    This runs inside every annotation write. Written with the ORM (an OR of the groups'
    filters, a join to the user, an ``ArrayAgg`` with GROUP BY), compiling it cost about 2 ms
    of Python per write; the SQL below is assembled from fixed pieces and runs as fast.
    """
    sql = _judgment_sql(connection.vendor)
    conditions, params = [], []
    for group in groups:
        if group.kind == Consensus.Kind.PASSAGE:
            conditions.append(sql["passage"])
            params.append(group.passage_id)
        elif group.kind == Consensus.Kind.SPAN:
            conditions.append(sql["span"])
            params += [group.document_id, group.start, group.end]
        else:
            conditions.append(sql["claim"])
            params.append(group.claim_id)
    if not conditions:
        return []
    with connection.cursor() as cursor:
        cursor.execute(f"{sql['select']} AND ({' OR '.join(conditions)})", params)
        return [
            Judgment(pk, reviewer, rating, frozenset(flags), doc, passage, start, end, claim)
            for pk, reviewer, rating, doc, passage, start, end, claim, flags in cursor.fetchall()
        ]


@functools.cache
def _judgment_sql(vendor: str) -> dict[str, str]:
    """The pieces of ``_judgments_in_groups_sql``; identifiers come from the models."""
    a, u = ModelSQL.for_model(Annotation, "a"), ModelSQL.for_model(User, "u")
    af, f = ModelSQL.for_model(Annotation.flags.through, "af"), ModelSQL.for_model(FlagType, "f")
    columns = ", ".join(a.column(name.removesuffix("_id")) for name in _JUDGMENT_COLUMNS)
    slugs = (
        f"ARRAY(SELECT {f.column('slug')} FROM {af.table} af"  # noqa: S608
        f" JOIN {f.table} f ON {f.column('id')} = {af.column('flagtype')}"
        f" WHERE {af.column('annotation')} = {a.column('id')})"
    )
    return {
        "select": (
            f"SELECT {columns}, {slugs} FROM {a.table} a"  # noqa: S608
            f" JOIN {u.table} u ON {u.column('id')} = {a.column('reviewer')}"
            f" WHERE {a.column('status')} = '{AnnotationStatus.ACTIVE}'"
            f" AND {u.column('is_active')}"
        ),
        "passage": f"{a.column('passage')} = %s",
        "span": f"({a.column('document')} = %s AND {a.column('start')} = %s"
        f" AND {a.column('end')} = %s)",
        "claim": f"{a.column('claim')} = %s",
    }


# The only fields a refresh can change (see ``apply_content``).
_REFRESHED_FIELDS = [*COMPUTED_FIELDS, "status", "adjudication_stale", "updated_at"]


def refresh_groups(groups: Iterable[GroupRef]) -> list[Consensus]:
    """Lock and recompute these groups from their annotations.

    Runs in the caller's transaction (no savepoint: a failure must undo the caller's write
    too), or opens one.
    """
    refreshed = []
    groups = _with_passage_bounds(groups)
    with transaction.atomic(savepoint=False):
        locked = _lock_rows(groups)
        # Read after locking: a writer that held a lock before us has committed by now.
        members = _group_members(groups)
        for group, row in locked:
            if apply_content(row, summarise(reviewer_voices(members[group.key]))):
                row.updated_at = timezone.now()
                ModelSQL.for_model(Consensus, "c").update(row, _REFRESHED_FIELDS)
            refreshed.append(row)
    return refreshed


def annotation_changed(annotation: Annotation, before: dict | None) -> list[Consensus]:
    """Refresh the consensus rows an annotation write affects, in the caller's transaction.

    ``before`` is the annotation's snapshot before the change (None on create). The passage,
    exact-span and claim groups are refreshed, plus the old claim (and old span) if they changed.
    """
    passage_bounds = None
    if annotation.passage_id is not None and Annotation.passage.is_cached(annotation):
        passage = annotation.passage
        passage_bounds = (passage.document_id, passage.start, passage.end)
    groups = _groups_of(
        annotation.document_id,
        annotation.passage_id,
        annotation.start,
        annotation.end,
        annotation.claim_id,
        passage_bounds,
    )
    if before is not None:
        if before.get("claim") not in (None, annotation.claim_id):
            groups.append(claim_group(before["claim"]))
        old_span = (before.get("start"), before.get("end"))
        if None not in old_span and old_span != (annotation.start, annotation.end):
            groups.append(span_group(annotation.document_id, *old_span, annotation.passage_id))
    return refresh_groups(groups)


def reviewer_status_changed(user) -> list[Consensus]:
    """After a suspension or reinstatement, refresh every group the user's annotations touch."""
    rows = (
        Annotation.objects.filter(reviewer_id=user.pk, status=AnnotationStatus.ACTIVE)
        .order_by()
        .values_list("document_id", "passage_id", "start", "end", "claim_id")
        .distinct()
    )
    groups: set[GroupRef] = set()
    for document_id, passage_id, start, end, claim_id in rows:
        groups.update(_groups_of(document_id, passage_id, start, end, claim_id))
    return refresh_groups(groups)


# ---------------------------------------------------------------------------------------------
# Adjudication


def adjudicate(
    consensus: Consensus, *, moderator, reliability: int | None, flags: list[str], reason: str
) -> Consensus:
    """A moderator's decision for a group: overrides the computed status until the group changes."""
    if not getattr(moderator, "is_moderator", False) or not moderator.is_active:
        raise annotation_writes.NotAllowedError("Only moderators can adjudicate consensus.")
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        errors["reason"] = ["A reason is required for an adjudication."]
    try:
        reliability = annotation_writes.clean_reliability(reliability)
    except annotation_writes.AnnotationInputError as error:
        errors.update(error.errors)
        reliability = None
    slugs: list[str] = []
    if flags is not None and (isinstance(flags, str) or not isinstance(flags, Iterable)):
        errors["flags"] = ["Must be a list of flag slugs."]
    else:
        try:
            slugs = sorted(flag.slug for flag in annotation_writes.clean_flags(flags or ()))
        except annotation_writes.AnnotationInputError as error:
            errors.update(error.errors)
    if not errors and reliability is None and not slugs:
        errors["reliability"] = ["Give a reliability rating, at least one flag, or both."]
    if errors:
        raise annotation_writes.AnnotationInputError(errors)

    with transaction.atomic():
        row = Consensus.objects.select_for_update().get(pk=consensus.pk)
        previous = {
            "status": row.status,
            "reliability": row.adjudicated_reliability,
            "flags": list(row.adjudicated_flags),
            "stale": row.adjudication_stale,
        }
        row.adjudicated_reliability = reliability
        row.adjudicated_flags = slugs
        row.adjudication_reason = reason
        row.adjudicated_by = moderator
        row.adjudicated_at = timezone.now()
        row.adjudication_stale = False
        row.status = ConsensusStatus.ADJUDICATED
        row.updated_at = row.adjudicated_at
        row.save(update_fields=_SAVED_FIELDS)
        record_action(
            actor=moderator,
            action="adjudicate",
            target=row,
            reason=reason,
            details={
                "key": row.key,
                "reliability": reliability,
                "flags": slugs,
                "previous": previous,
                "computed_status": row.computed_status,
                "reviewer_count": row.reviewer_count,
                "median_reliability": row.median_reliability,
                "flag_support": row.flag_support,
            },
        )
    return row


# ---------------------------------------------------------------------------------------------
# Rebuild from scratch


@dataclass
class RecomputeStats:
    groups: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    annotations: int = 0
    check: bool = False
    differences: dict[str, list[str]] = field(default_factory=dict)  # key -> differing fields

    def summary(self) -> str:
        verb = "would create" if self.check else "created"
        verb2 = "would update" if self.check else "updated"
        return (
            f"{self.groups} consensus groups from {self.annotations} annotations: "
            f"{verb} {self.created}, {verb2} {self.updated}, {self.unchanged} unchanged."
        )


def compute_all_groups(
    progress: Callable[[str], None] | None = None,
) -> tuple[dict[str, GroupRef], dict[str, dict], int]:
    """Every group of every annotation (any status) and the computed content of each, from scratch.

    Returns (groups by key, computed content by key, number of annotations read).
    """
    report = progress or (lambda message: None)
    bounds = {
        pk: (document_id, start, end)
        for pk, document_id, start, end in Passage.objects.filter(annotations__isnull=False)
        .distinct()
        .order_by()
        .values_list("id", "document_id", "start", "end")
    }
    report(f"read {len(bounds)} annotated passages")
    groups: dict[str, GroupRef] = {}
    all_rows = (
        Annotation.objects.order_by()
        .values_list("document_id", "passage_id", "start", "end", "claim_id")
        .distinct()
    )
    for document_id, passage_id, start, end, claim_id in all_rows.iterator(chunk_size=5000):
        passage_bounds = bounds.get(passage_id) if passage_id is not None else None
        for group in _groups_of(document_id, passage_id, start, end, claim_id, passage_bounds):
            groups.setdefault(group.key, group)
    judgments = load_judgments(Annotation.objects.all())
    report(f"read {len(judgments)} counted annotations in {len(groups)} groups")
    members: dict[str, list[Judgment]] = defaultdict(list)
    for judgment in judgments:
        for key in _group_keys(judgment):
            members[key].append(judgment)
    contents = {key: summarise(reviewer_voices(members.get(key, ()))) for key in groups}
    return groups, contents, len(judgments)


def _lock_consensus_table() -> None:
    """Keep writers out while rebuilding: they wait and then refresh on top of the rebuild."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(Consensus._meta.db_table)
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")  # noqa: S608


def recompute_all(
    progress: Callable[[str], None] | None = None, *, check: bool = False
) -> RecomputeStats:
    """Rebuild every consensus row from the annotations (``check``: compare only, write nothing).

    The computed fields are recomputed from scratch; adjudications are moderators' decisions
    and are kept, becoming stale where the recomputed content differs from the stored one
    (exactly what the incremental path does). Rows of groups with no annotation left are
    kept and recomputed as empty.
    """
    report = progress or (lambda message: None)
    stats = RecomputeStats(check=check)
    with transaction.atomic():
        if not check:
            _lock_consensus_table()
        groups, contents, stats.annotations = compute_all_groups(report)
        stored = {row.key: row for row in Consensus.objects.all().iterator(chunk_size=5000)}
        empty = empty_content()
        to_create, to_update = [], []
        now = timezone.now()
        keys = sorted(set(groups) | set(stored))
        for done, key in enumerate(keys, start=1):
            content = contents.get(key, empty)
            row = stored.get(key)
            if row is None:
                row = groups[key].new_row()
                apply_content(row, content)
                row.updated_at = now
                to_create.append(row)
                stats.differences[key] = ["missing row"]
            else:
                before = content_of(row)
                if apply_content(row, content):
                    row.updated_at = now
                    to_update.append(row)
                    after = content_of(row)
                    stats.differences[key] = sorted(
                        name for name in CONTENT_FIELDS if before[name] != after[name]
                    )
            if done % 10000 == 0:
                report(f"compared {done}/{len(keys)} groups")
        stats.groups = len(keys)
        stats.created, stats.updated = len(to_create), len(to_update)
        stats.unchanged = stats.groups - stats.created - stats.updated
        if not check:
            Consensus.objects.bulk_create(to_create, batch_size=1000)
            Consensus.objects.bulk_update(to_update, _SAVED_FIELDS, batch_size=1000)
    return stats


# ---------------------------------------------------------------------------------------------
# Reading


def consensus_for_passage(passage: Passage) -> Consensus | None:
    """The row of the passage group (annotations starting in the passage), or None if unjudged."""
    return Consensus.objects.filter(key=passage_key(passage.pk)).first()


def consensus_for_span(document: Document, start: int, end: int) -> Consensus | None:
    return Consensus.objects.filter(key=span_key(document.pk, start, end)).first()


def consensus_for_document(document: Document):
    """Passage and span rows of a document, in reading order (passage row before its spans)."""
    return Consensus.objects.filter(
        kind__in=[Consensus.Kind.PASSAGE, Consensus.Kind.SPAN], document=document
    ).order_by("start", "kind", "end", "id")


def consensus_for_claim(claim: Claim) -> Consensus | None:
    """The claim's row, following merges to the surviving claim. None if never judged."""
    seen = set()
    while claim.merged_into_id is not None and claim.pk not in seen:
        seen.add(claim.pk)
        claim = claim.merged_into
    return Consensus.objects.filter(key=claim_key(claim.pk)).first()


def decided_flags(row: Consensus) -> list[str]:
    """Flags the group stands behind: the adjudicated ones, or those with support ≥ upper bound."""
    if row.status == ConsensusStatus.ADJUDICATED:
        return list(row.adjudicated_flags)
    upper = _setting("FLAG_DISPUTE_UPPER")
    return [slug for slug, share in row.flag_support.items() if share >= upper]


def decided_reliability(row: Consensus) -> float | None:
    """The adjudicated rating when adjudicated, the median otherwise."""
    if row.status == ConsensusStatus.ADJUDICATED:
        return row.adjudicated_reliability
    return row.median_reliability


def as_dict(row: Consensus) -> dict:
    """A JSON-ready view of a row for APIs, exports and templates."""
    return {
        "key": row.key,
        "kind": row.kind,
        "document": row.document_id,
        "passage": row.passage_id,
        "start": row.start,
        "end": row.end,
        "claim": row.claim_id,
        "reviewer_count": row.reviewer_count,
        "rating_count": row.rating_count,
        "median_reliability": row.median_reliability,
        "q1_reliability": row.q1_reliability,
        "q3_reliability": row.q3_reliability,
        "rating_distribution": row.rating_distribution,
        "flag_support": row.flag_support,
        "computed_status": row.computed_status,
        "status": row.status,
        "decided_reliability": decided_reliability(row),
        "decided_flags": decided_flags(row),
        "adjudication": None
        if row.adjudicated_at is None
        else {
            "reliability": row.adjudicated_reliability,
            "flags": row.adjudicated_flags,
            "reason": row.adjudication_reason,
            "by": row.adjudicated_by_id,
            "at": row.adjudicated_at.isoformat(),
            "stale": row.adjudication_stale,
        },
        "updated_at": row.updated_at.isoformat(),
    }


# The agreement and source read functions live in their own modules; they are reachable from
# here too, so callers can treat ``annotator.consensus`` as the one entry point.
_ELSEWHERE = {
    "document_agreement": "agreement",
    "source_agreement": "agreement",
    "corpus_agreement": "agreement",
    "reviewer_calibration": "agreement",
    "source_summary": "source_reliability",
    "all_source_summaries": "source_reliability",
}


def __getattr__(name: str):
    if name in _ELSEWHERE:
        module = importlib.import_module(f"{__package__}.{_ELSEWHERE[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
