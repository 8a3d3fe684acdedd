"""The reading view of one document: passages, highlight segments and what the reviewer may see.

Everything is loaded in a fixed number of queries whatever the size of the document, and the
passage HTML is built here rather than in a template loop because it is the hot path
(thousands of segments for a long, busy document).
"""

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ..models import (
    Annotation,
    AnnotationStatus,
    Consensus,
    Document,
    FlagType,
    Passage,
    Reliability,
    Suggestion,
    SuggestionDecision,
)
from ..visibility import blind_review_enabled, visible_annotations

RELIABILITY_LABELS = dict(Reliability.choices)


@dataclass(frozen=True)
class Span:
    """A highlighted range (code points into the document body) and what it stands for."""

    start: int
    end: int
    key: str  # "a<id>" for an annotation, "s<id>" for a suggestion


def split_segments(start: int, end: int, spans: Iterable[Span]) -> list[tuple[int, int, list[str]]]:
    """Cut ``[start, end)`` at every span boundary; each piece lists the spans covering it.

    Overlapping and nested spans become a flat run of non-overlapping segments, so the text can
    be rendered as a sequence of ``<mark>`` elements with no nesting.
    """
    clipped = [
        (max(span.start, start), min(span.end, end), span.key)
        for span in spans
        if span.start < end and span.end > start
    ]
    points = sorted({start, end, *(s for s, _, _ in clipped), *(e for _, e, _ in clipped)})
    segments = []
    for left, right in zip(points, points[1:], strict=False):
        keys = [key for s, e, key in clipped if s <= left and e >= right]
        segments.append((left, right, keys))
    return segments


@dataclass
class PassageRow:
    id: int
    index: int
    start: int
    end: int
    gap_after: str
    html: SafeString = mark_safe("")
    own_count: int = 0
    others_count: int = 0
    unlocked: bool = False
    consensus: dict | None = None


@dataclass
class ReadingView:
    document: Document
    passages: list[PassageRow]
    annotations: list[dict]
    suggestions: list[dict]
    flag_types: list[FlagType]
    blind_review: bool
    own_passage_count: int = 0
    extra: dict = field(default_factory=dict)


def _annotation_data(annotation: Annotation, user, flags: list[str]) -> dict:
    return {
        "id": annotation.pk,
        "passage": annotation.passage_id,
        "start": annotation.start,
        "end": annotation.end,
        "exact": annotation.exact,
        "reviewer": {"id": annotation.reviewer_id, "username": annotation.reviewer.username},
        "is_own": annotation.reviewer_id == user.pk,
        "reliability": annotation.reliability,
        "reliability_label": RELIABILITY_LABELS.get(annotation.reliability, ""),
        "flags": flags,
        "note": annotation.note,
        "evidence": list(annotation.evidence or []),
        "claim": (
            {"id": annotation.claim_id, "text": annotation.claim.text}
            if annotation.claim_id
            else None
        ),
        "version": annotation.version,
        "updated_at": annotation.updated_at.isoformat(),
    }


def _suggestions_for(document: Document, user) -> list[Suggestion]:
    """Machine suggestions this reviewer has not yet accepted or dismissed."""
    decided = SuggestionDecision.objects.filter(reviewer_id=user.pk).values("suggestion_id")
    return list(
        Suggestion.objects.filter(document=document)
        .exclude(pk__in=decided)
        .select_related("flag")
        .order_by("start", "end", "id")
    )


def _consensus_data(row: Consensus) -> dict:
    return {
        "status": row.status,
        "status_label": row.get_status_display(),
        "reviewer_count": row.reviewer_count,
        "median": row.median_reliability,
        "flag_support": row.flag_support or {},
    }


def _render_passage(body: str, row: PassageRow, spans: list[Span], own_keys: set[str]) -> str:
    parts = []
    for left, right, keys in split_segments(row.start, row.end, spans):
        text = escape(body[left:right])
        if not keys:
            parts.append(text)
            continue
        annotation_ids = [key[1:] for key in keys if key[0] == "a"]
        suggestion_ids = [key[1:] for key in keys if key[0] == "s"]
        classes = ["hl"]
        if any(key in own_keys for key in keys):
            classes.append("hl-own")
        if any(key[0] == "a" and key not in own_keys for key in keys):
            classes.append("hl-other")
        if suggestion_ids:
            classes.append("hl-suggestion")
        attributes = f' class="{" ".join(classes)}"'
        if annotation_ids:
            attributes += f' data-ann="{" ".join(annotation_ids)}"'
        if suggestion_ids:
            attributes += f' data-sugg="{" ".join(suggestion_ids)}"'
        parts.append(f"<mark{attributes}>{text}</mark>")
    return "".join(parts)


def build_reading_view(document: Document, user) -> ReadingView:
    """Everything the reading view shows, for ``user``, in a constant number of queries."""
    body = document.body
    passage_rows = list(
        Passage.objects.filter(document=document)
        .order_by("index")
        .values_list("id", "index", "start", "end")
    )
    rows = []
    for position, (pk, index, start, end) in enumerate(passage_rows):
        next_start = passage_rows[position + 1][2] if position + 1 < len(passage_rows) else end
        rows.append(PassageRow(pk, index, start, end, gap_after=body[end:next_start]))
    starts = [row.start for row in rows]

    annotations = list(
        visible_annotations(
            user, Annotation.objects.filter(document=document, status=AnnotationStatus.ACTIVE)
        )
        .select_related("reviewer", "claim")
        .order_by("start", "end", "id")
    )
    flags_by_annotation: dict[int, list[str]] = defaultdict(list)
    for annotation_id, slug in (
        Annotation.flags.through.objects.filter(
            annotation__document=document, annotation__status=AnnotationStatus.ACTIVE
        )
        .order_by("flagtype__sort_order", "flagtype__slug")
        .values_list("annotation_id", "flagtype__slug")
    ):
        flags_by_annotation[annotation_id].append(slug)

    suggestions = _suggestions_for(document, user)

    consensus_by_passage = {
        row.passage_id: row
        for row in Consensus.objects.filter(
            kind=Consensus.Kind.PASSAGE, passage__document_id=document.pk
        )
    }

    spans_by_row: dict[int, list[Span]] = defaultdict(list)

    def attach(span: Span) -> None:
        first = max(bisect_right(starts, span.start) - 1, 0)
        last = bisect_left(starts, span.end)
        for position in range(first, last):
            if rows[position].end > span.start:
                spans_by_row[position].append(span)

    own_keys: set[str] = set()
    row_of_passage = {row.id: row for row in rows}
    annotation_data = []
    for annotation in annotations:
        key = f"a{annotation.pk}"
        own = annotation.reviewer_id == user.pk
        if own:
            own_keys.add(key)
        attach(Span(annotation.start, annotation.end, key))
        row = row_of_passage.get(annotation.passage_id)
        if row is not None:
            if own:
                row.own_count += 1
            else:
                row.others_count += 1
        annotation_data.append(
            _annotation_data(annotation, user, flags_by_annotation.get(annotation.pk, []))
        )
    for suggestion in suggestions:
        attach(Span(suggestion.start, suggestion.end, f"s{suggestion.pk}"))

    blind = blind_review_enabled() and not user.is_moderator
    for position, row in enumerate(rows):
        row.unlocked = not blind or row.own_count > 0
        consensus = consensus_by_passage.get(row.id)
        if consensus is not None and row.unlocked:
            row.consensus = _consensus_data(consensus)
        row.html = mark_safe(_render_passage(body, row, spans_by_row.get(position, []), own_keys))  # noqa: S308 - built from escaped text

    return ReadingView(
        document=document,
        passages=rows,
        annotations=annotation_data,
        suggestions=[
            {
                "id": suggestion.pk,
                "start": suggestion.start,
                "end": suggestion.end,
                "exact": suggestion.exact,
                "flag": suggestion.flag.slug,
                "flag_label": suggestion.flag.label,
                "reason": suggestion.reason,
                "confidence": suggestion.confidence,
                "detector": suggestion.detector,
            }
            for suggestion in suggestions
        ],
        flag_types=list(FlagType.objects.active()),
        blind_review=blind,
        own_passage_count=sum(1 for row in rows if row.own_count),
        extra={"quorum": settings.ANNOTATOR["QUORUM"]},
    )
