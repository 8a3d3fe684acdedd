"""Groups: which annotations are judged together, and the key of each group's row."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from annotator.models import Consensus, Passage

from .summary import Judgment, empty_content


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


def groups_of(document_id, passage_id, start, end, claim_id, passage_bounds=None) -> list[GroupRef]:
    groups = [span_group(document_id, start, end, passage_id)]
    if passage_id is not None:
        groups.append(passage_group(passage_id, passage_bounds))
    if claim_id is not None:
        groups.append(claim_group(claim_id))
    return groups


def group_keys(judgment: Judgment) -> list[str]:
    """The keys of every group the judgment belongs to."""
    keys = [span_key(judgment.document_id, judgment.start, judgment.end)]
    if judgment.passage_id is not None:
        keys.append(passage_key(judgment.passage_id))
    if judgment.claim_id is not None:
        keys.append(claim_key(judgment.claim_id))
    return keys


def with_passage_bounds(groups: Iterable[GroupRef]) -> list[GroupRef]:
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
