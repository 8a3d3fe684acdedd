"""Incremental upkeep: refresh the rows a write affects, under row locks, in its transaction."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from annotator.models import Annotation, AnnotationStatus, Consensus, FlagType, User
from annotator.outbox import events as outbox_events
from annotator.quotes import add_quotes
from annotator.sqlrows import ModelSQL

from .groups import GroupRef, claim_group, group_keys, groups_of, span_group, with_passage_bounds
from .summary import (
    COMPUTED_FIELDS,
    JUDGMENT_COLUMNS,
    Judgment,
    apply_content,
    load_judgments,
    reviewer_voices,
    summarise,
)


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
    # A row made just now has no quote yet: the document body is read only then, not on
    # every write (annotator/quotes.py).
    unquoted = [row for row in rows.values() if row.start is not None and row.exact is None]
    if unquoted:
        add_quotes(unquoted)
        Consensus.objects.bulk_update(unquoted, ["exact", "prefix", "suffix"])
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
        for key in group_keys(judgment):
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
    columns = ", ".join(a.column(name.removesuffix("_id")) for name in JUDGMENT_COLUMNS)
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
    groups = with_passage_bounds(groups)
    with transaction.atomic(savepoint=False):
        locked = _lock_rows(groups)
        # Read after locking: a writer that held a lock before us has committed by now.
        members = _group_members(groups)
        status_changes = []
        for group, row in locked:
            old_status = row.status
            if apply_content(row, summarise(reviewer_voices(members[group.key]))):
                if row.status != old_status:
                    status_changes.append((row, old_status))
                row.updated_at = timezone.now()
                ModelSQL.for_model(Consensus, "c").update(row, _REFRESHED_FIELDS)
            refreshed.append(row)
        outbox_events.consensus_statuses_changed(status_changes)
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
    groups = groups_of(
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
        groups.update(groups_of(document_id, passage_id, start, end, claim_id))
    return refresh_groups(groups)
