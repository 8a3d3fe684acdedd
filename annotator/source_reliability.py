"""A source's reliability, derived from the consensus of its current documents' passages.

Always reported with the counts behind it: a bare score would hide whether three passages or
three thousand were judged, and by how many people.
"""

from __future__ import annotations

from collections import Counter
from statistics import median

from django.conf import settings

from .agreement import source_agreement
from .consensus import decided_flags, decided_reliability
from .models import Annotation, Consensus, ConsensusStatus, Passage, Source
from .visibility import countable_annotations, visible_consensus

# Passage medians fall on half steps (the median of an even number of ratings).
MEDIAN_BUCKETS = tuple(str(value / 2).removesuffix(".0") for value in range(2, 11))


def _bucket(value: float) -> str:
    return str(round(value * 2) / 2).removesuffix(".0")


def source_summary(source: Source, *, with_agreement: bool = True, viewer=None) -> dict:
    """Summary of a source over its current documents. Shape::

        {"source_id": 1, "name": "Mondo Military",
         "documents": 3, "passages": 40, "passages_judged": 12,    # with ≥ 1 counted reviewer
         "annotations": 57, "reviewers": 5,                        # counted only
         "status_counts": {"pending": 4, "agreed": 6, "disputed": 1, "adjudicated": 1},
         "median_distribution": {"1": 0, "1.5": 0, ..., "5": 1},   # decided passages only
         "median_of_passage_medians": 2.5 | None,                   # decided passages only
         "decided_passages": 8,                                     # judged and not pending
         "passages_with_any_flag": 9,      # some reviewer raised some flag
         "passages_with_agreed_flag": 5,   # a decided passage stands behind some flag
         "share_with_agreed_flag": 0.625 | None,                    # of decided passages
         "flag_passages": {"unsupported-claim": 4, ...},            # decided passages per flag
         "agreement": {... see agreement.agreement ...}}

    A *decided* passage has reached the quorum (agreed or disputed) or was adjudicated; its
    rating is the adjudicated one where a moderator decided, the median otherwise.

    ``viewer``: the user the summary is for; every figure then comes only from the groups they
    may see (blind review: a reviewer who judged nothing sees zeros). ``None`` (moderation
    tools, commands): everything.
    """
    documents = source.documents.filter(is_current=True)
    rows = list(
        visible_consensus(
            viewer,
            Consensus.objects.filter(
                kind=Consensus.Kind.PASSAGE, passage__document__in=documents, reviewer_count__gt=0
            ),
        )
    )
    counted = countable_annotations(viewer, Annotation.objects.filter(document__in=documents))
    status_counts = Counter(row.status for row in rows)
    decided = [row for row in rows if row.status != ConsensusStatus.PENDING]
    medians = [value for row in decided if (value := decided_reliability(row)) is not None]
    distribution = dict.fromkeys(MEDIAN_BUCKETS, 0)
    for value in medians:
        distribution[_bucket(value)] += 1
    flag_passages: Counter[str] = Counter()
    for row in decided:
        flag_passages.update(decided_flags(row))
    with_agreed_flag = sum(1 for row in decided if decided_flags(row))
    summary = {
        "source_id": source.pk,
        "name": source.name,
        "documents": documents.count(),
        "passages": Passage.objects.filter(document__in=documents).count(),
        "passages_judged": len(rows),
        "annotations": counted.count(),
        "reviewers": counted.values("reviewer_id").distinct().count(),
        "status_counts": {
            status: status_counts.get(status, 0) for status in ConsensusStatus.values
        },
        "quorum": settings.ANNOTATOR["QUORUM"],
        "decided_passages": len(decided),
        "median_distribution": distribution,
        "median_of_passage_medians": float(median(medians)) if medians else None,
        "passages_with_any_flag": sum(1 for row in rows if row.flag_support),
        "passages_with_agreed_flag": with_agreed_flag,
        "share_with_agreed_flag": round(with_agreed_flag / len(decided), 4) if decided else None,
        "flag_passages": dict(sorted(flag_passages.items())),
    }
    if with_agreement:
        summary["agreement"] = source_agreement(source, viewer=viewer)
    return summary


def all_source_summaries(*, with_agreement: bool = False, viewer=None) -> list[dict]:
    return [
        source_summary(source, with_agreement=with_agreement, viewer=viewer)
        for source in Source.objects.all()
    ]
