"""What a moderator needs in front of them to adjudicate one consensus group.

Moderators see everything (the visibility policy gives them every annotation), so the
workbench gathers the whole case: the text with each judged span marked, every judgment side by
side with its history, the group's agreement, the reviewers' calibration, machine suggestions on
the same text and the claim's other appearances. Plain data for the admin template.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F, Q
from django.db.models.functions import Substr
from django.utils.text import Truncator

from .agreement import agreement, reviewer_calibration
from .consensus import decided_flags, load_judgments
from .models import Annotation, AnnotationStatus, Consensus, Document, Reliability, Suggestion
from .text import words_after, words_before

# Characters of surrounding text shown around a span group (a passage shows itself whole).
CONTEXT_CHARS = 240


@dataclass
class TextPiece:
    """A run of text with the number of judged spans covering it (0: plain text)."""

    text: str
    depth: int = 0


@dataclass
class Excerpt:
    document_id: int
    document_title: str
    language: str
    url: str
    start: int
    end: int
    pieces: list[TextPiece] = field(default_factory=list)
    cut_before: bool = False
    cut_after: bool = False


def group_annotations(row: Consensus):
    """Every annotation of the group, whatever its status (moderators see them all)."""
    if row.kind == Consensus.Kind.PASSAGE:
        condition = Q(passage_id=row.passage_id)
    elif row.kind == Consensus.Kind.SPAN:
        condition = Q(document_id=row.document_id, start=row.start, end=row.end)
    else:
        condition = Q(claim_id=row.claim_id)
    return (
        Annotation.objects.filter(condition)
        .select_related("reviewer", "document", "claim")
        .defer("document__body")
        .prefetch_related("flags", "revisions__changed_by")
        .order_by("document_id", "start", "end", "reviewer__username", "pk")
    )


def marked_excerpt(document, start: int, end: int, spans: list[tuple[int, int]]) -> Excerpt:
    """``document.body[start:end]`` split into pieces, each with how many ``spans`` cover it."""
    body = document.body
    cuts = {start, end}
    for span_start, span_end in spans:
        cuts.update(min(max(offset, start), end) for offset in (span_start, span_end))
    ordered = sorted(cuts)
    pieces = []
    for left, right in zip(ordered, ordered[1:], strict=False):
        if left == right:
            continue
        depth = sum(1 for s, e in spans if s <= left and right <= e)
        pieces.append(TextPiece(body[left:right], depth))
    return Excerpt(
        document_id=document.pk,
        document_title=document.title,
        language=document.language,
        url=document.url,
        start=start,
        end=end,
        pieces=pieces,
        cut_before=start > 0,
        cut_after=end < len(body),
    )


def _excerpts(row: Consensus, annotations: list[Annotation]) -> list[Excerpt]:
    if row.kind == Consensus.Kind.PASSAGE and row.passage_id is not None:
        passage = row.passage
        spans = [(a.start, a.end) for a in annotations]
        return [marked_excerpt(_document(passage.document_id), passage.start, passage.end, spans)]
    by_document: dict[int, list[Annotation]] = {}
    for annotation in annotations:
        by_document.setdefault(annotation.document_id, []).append(annotation)
    excerpts = []
    for members in by_document.values():
        document = _document(members[0].document_id)
        first, last = min(a.start for a in members), max(a.end for a in members)
        body = document.body
        start = first - len(words_before(body[:first], CONTEXT_CHARS))
        end = last + len(words_after(body[last:], CONTEXT_CHARS))
        excerpts.append(marked_excerpt(document, start, end, [(a.start, a.end) for a in members]))
    return excerpts


def _document(pk: int) -> Document:
    return Document.objects.only("id", "title", "language", "url", "body").get(pk=pk)


def _judgment(annotation: Annotation) -> dict:
    revisions = sorted(annotation.revisions.all(), key=lambda revision: revision.version)
    return {
        "annotation": annotation,
        "reviewer": annotation.reviewer.username,
        "suspended": not annotation.reviewer.is_active,
        "counted": annotation.status == AnnotationStatus.ACTIVE and annotation.reviewer.is_active,
        "rating": annotation.reliability,
        "rating_label": Reliability(annotation.reliability).label
        if annotation.reliability is not None
        else None,
        "flags": [flag.slug for flag in annotation.flags.all()],
        "note": annotation.note,
        "evidence": [
            {"text": item, "is_link": item.startswith(("http://", "https://"))}
            for item in annotation.evidence
        ],
        "exact": annotation.exact,
        "document": annotation.document.title,
        "revisions": revisions,
    }


def adjudication_case(row: Consensus) -> dict:
    """Everything the workbench shows for ``row``."""
    annotations = list(group_annotations(row))
    counted_ids = [a.pk for a in annotations]
    judgments = load_judgments(Annotation.objects.filter(pk__in=counted_ids))
    reviewer_ids = {judgment.reviewer_id for judgment in judgments}
    documents = {a.document_id for a in annotations}
    calibration = [
        item
        for item in reviewer_calibration(documents=documents or None)
        if item["reviewer_id"] in reviewer_ids
    ]
    suggestions = []
    if row.document_id is not None and row.start is not None:
        suggestions = list(
            Suggestion.objects.filter(
                document_id=row.document_id, start__lt=row.end, end__gt=row.start
            ).select_related("flag")
        )
    appearances = []
    claim = row.claim if row.claim_id is not None else None
    if claim is None:
        claims = {a.claim for a in annotations if a.claim_id is not None}
        claim = next(iter(claims)) if len(claims) == 1 else None
    if claim is not None:
        appearances = list(
            Annotation.objects.filter(claim=claim, status=AnnotationStatus.ACTIVE)
            .select_related("document", "reviewer")
            .defer("document__body")
            .order_by("document__language", "document_id", "start")
        )
    return {
        "row": row,
        "excerpts": _excerpts(row, annotations),
        "judgments": [_judgment(a) for a in annotations],
        "agreement": agreement(judgments, unit="span"),
        "calibration": calibration,
        "suggestions": suggestions,
        "claim": claim,
        "appearances": appearances,
        "decided_flags": decided_flags(row),
    }


EXCERPT_CHARS = 80


def with_excerpts(queryset):
    """Annotate consensus rows with ``excerpt``: the start of their text, read by the database
    (the document bodies themselves stay unread)."""
    return queryset.annotate(
        excerpt=Substr("document__body", F("start") + 1, EXCERPT_CHARS + 1),
    )


def group_label(row: Consensus) -> str:
    """A human label for a group: where it is and how it starts, never an internal key."""
    if row.kind == Consensus.Kind.CLAIM:
        text = row.claim.text if row.claim_id is not None else ""
        return f"Claim “{Truncator(text).chars(EXCERPT_CHARS)}”"
    excerpt = getattr(row, "excerpt", None)
    if excerpt is None and row.document_id is not None and row.start is not None:
        excerpt = (
            Document.objects.filter(pk=row.document_id)
            .annotate(piece=Substr("body", row.start + 1, EXCERPT_CHARS + 1))
            .values_list("piece", flat=True)
            .first()
        )
    if row.kind == Consensus.Kind.SPAN and row.end is not None:
        excerpt = (excerpt or "")[: row.end - row.start]
    excerpt = Truncator(" ".join((excerpt or "").split())).chars(EXCERPT_CHARS)
    document = row.document
    where = f"“{document.title}” ({document.language})" if document is not None else ""
    if row.kind == Consensus.Kind.PASSAGE:
        return f"Passage in {where}: “{excerpt}”"
    return f"Span “{excerpt}” in {where}"
