"""Rebuild every consensus row from scratch (``recompute_consensus``), with the same summary."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from annotator.models import Annotation, Consensus, Passage
from annotator.quotes import add_quotes

from .groups import GroupRef, group_keys, groups_of
from .summary import (
    CONTENT_FIELDS,
    SAVED_FIELDS,
    Judgment,
    apply_content,
    content_of,
    empty_content,
    load_judgments,
    reviewer_voices,
    summarise,
)


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
        for group in groups_of(document_id, passage_id, start, end, claim_id, passage_bounds):
            groups.setdefault(group.key, group)
    judgments = load_judgments(Annotation.objects.all())
    report(f"read {len(judgments)} counted annotations in {len(groups)} groups")
    members: dict[str, list[Judgment]] = defaultdict(list)
    for judgment in judgments:
        for key in group_keys(judgment):
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
            add_quotes(to_create)
            Consensus.objects.bulk_create(to_create, batch_size=1000)
            Consensus.objects.bulk_update(to_update, SAVED_FIELDS, batch_size=1000)
    return stats
