"""Summarising one group: reviewers' voices, the median and spread, flag support, the status.

Pure functions over :class:`Judgment` tuples (plus ``load_judgments``, which reads them), shared
by the incremental upkeep and the rebuild so both give bit-identical rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

from django.conf import settings

from annotator.models import Annotation, Consensus, ConsensusStatus

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
SAVED_FIELDS = [name.removesuffix("_id") for name in CONTENT_FIELDS if name != "key"] + [
    "updated_at"
]


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


JUDGMENT_COLUMNS = (
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
    rows = list(queryset.counted().order_by().values_list(*JUDGMENT_COLUMNS))
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


def _computed_status(
    reviewer_count: int, content: dict, raised: dict[str, int], quorum: int | None = None
) -> str:
    quorum = _setting("QUORUM") if quorum is None else quorum
    if reviewer_count == 0 or reviewer_count < quorum:
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


def status_under_quorum(row: Consensus, quorum: int) -> str:
    """The status ``row`` has under another quorum (a campaign's): the same rule, re-applied.

    Flag counts come back from the stored shares exactly (shares keep four decimals, and
    groups have far fewer than 5,000 reviewers). An adjudication that is not stale stands.
    """
    if row.adjudicated_at is not None and not row.adjudication_stale:
        return ConsensusStatus.ADJUDICATED
    count = row.reviewer_count
    raised = {slug: round(share * count) for slug, share in (row.flag_support or {}).items()}
    content = {
        "rating_count": row.rating_count,
        "q1_reliability": row.q1_reliability,
        "q3_reliability": row.q3_reliability,
    }
    return _computed_status(count, content, raised, quorum)


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


def flags_decided(status: str, adjudicated: list, support: dict, upper: float) -> list[str]:
    """Flags a group stands behind: the adjudicated ones (as stored), or those with support ≥
    the upper bound, sorted. The one rule: the exports' SQL (``annotator_decided_flags``,
    ``exports.pgrows``) is checked against it byte for byte."""
    if status == ConsensusStatus.ADJUDICATED:
        return list(adjudicated)
    return sorted(slug for slug, share in support.items() if share >= upper)


def reliability_decided(status: str, adjudicated: int | None, median: float | None):
    """The adjudicated rating when adjudicated, the median otherwise."""
    return adjudicated if status == ConsensusStatus.ADJUDICATED else median


def decided_flags(row: Consensus) -> list[str]:
    return flags_decided(
        row.status, row.adjudicated_flags, row.flag_support, _setting("FLAG_DISPUTE_UPPER")
    )


def decided_reliability(row: Consensus) -> float | None:
    return reliability_decided(row.status, row.adjudicated_reliability, row.median_reliability)


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
