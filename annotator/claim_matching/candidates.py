"""Spans that probably state a claim, ranked for one reviewer; their accept and dismiss.

The query is the claim's text plus every span linked to it (or to a claim merged into it) that
the reviewer may see (``visibility.visible_annotations``): what a reviewer is shown is computed
only from what that reviewer may see. Each stored sentence of a current document is scored by
its best cosine to the query vectors (multilingual, so English finds Chinese) plus a small
bonus for shared years, numbers, Latin-script names and quoting (``signals``). Sentences
overlapping a visible linked span, and candidates this reviewer already decided, are left out.
"""

from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from ..annotations import AnnotationInputError, create_annotation
from ..models import Annotation, AnnotationStatus, Claim, ClaimCandidateDecision, Document
from ..visibility import visible_annotations
from . import encoder, signals
from .index import current_index

ACCEPTED = ClaimCandidateDecision.Decision.ACCEPTED
DISMISSED = ClaimCandidateDecision.Decision.DISMISSED
MAX_QUERY_SPANS = 50
MERGE_PROPOSAL_MIN_SCORE = 0.35
# The span -> claims direction compares with the most recent claims and linked spans only.
MAX_PICKER_CLAIMS = 2000
MAX_PICKER_SPANS = 4000
PICKER_CANDIDATES = 5


@dataclass
class Candidate:
    document: int
    start: int
    end: int
    exact: str
    language: str
    score: float
    cosine: float
    shared: list[str]


def _linked_spans(claim: Claim, user):
    linked = Annotation.objects.filter(
        Q(claim=claim) | Q(claim__merged_into=claim), status=AnnotationStatus.ACTIVE
    )
    return visible_annotations(user, linked).order_by("-id")[:MAX_QUERY_SPANS]


def _query(claim: Claim, user) -> tuple[list[str], list[tuple[int, int, int]]]:
    spans = list(_linked_spans(claim, user).values_list("document_id", "start", "end", "exact"))
    texts = [claim.text] + [exact for *_, exact in spans]
    return texts, [(d, s, e) for d, s, e, _ in spans]


def candidates_for_claim(claim: Claim, user, limit: int | None = None) -> list[Candidate]:
    """The best ``limit`` spans in each language for ``claim`` and ``user``, by score."""
    limit = limit or settings.ANNOTATOR["CLAIM_CANDIDATES"]
    texts, linked = _query(claim, user)
    index = current_index()
    if not len(index):
        return []
    queries = encoder.embed(texts)
    query_signals = _merged_signals(texts)
    decided = set(
        ClaimCandidateDecision.objects.filter(claim=claim, reviewer=user).values_list(
            "document_id", "start", "end"
        )
    )
    linked_by_document: dict[int, list[tuple[int, int]]] = {}
    for document_id, start, end in linked:
        linked_by_document.setdefault(document_id, []).append((start, end))

    def allowed(row: int) -> bool:
        document_id = int(index.documents[row])
        start, end = int(index.starts[row]), int(index.ends[row])
        if (document_id, start, end) in decided:
            return False
        return not any(s < end and start < e for s, e in linked_by_document.get(document_id, ()))

    hits = index.top(queries, limit * 2, allowed)
    bodies = dict(
        Document.objects.filter(pk__in={int(index.documents[h.row]) for h in hits}).values_list(
            "pk", "body"
        )
    )
    ranked = []
    for hit in hits:
        row_signals = index.signals[hit.row]
        bonus = signals.bonus(query_signals, row_signals)
        shared = [
            key
            for key in ("years", "numbers", "names")
            if set(query_signals[key]) & set(row_signals.get(key, ()))
        ]
        document_id = int(index.documents[hit.row])
        start, end = int(index.starts[hit.row]), int(index.ends[hit.row])
        ranked.append(
            Candidate(
                document=document_id,
                start=start,
                end=end,
                exact=bodies[document_id][start:end],
                language=index.languages[hit.row],
                score=round(min(1.0, max(0.0, hit.cosine + bonus)), 4),
                cosine=round(hit.cosine, 4),
                shared=shared,
            )
        )
    ranked.sort(key=lambda c: -c.score)
    kept: dict[str, int] = {}
    out = []
    for candidate in ranked:
        kept[candidate.language] = kept.get(candidate.language, 0) + 1
        if kept[candidate.language] <= limit:
            out.append(candidate)
    return out


@dataclass
class ClaimCandidate:
    claim: int
    text: str
    language: str
    score: float
    cosine: float
    shared: list[str]


def claims_for_span(
    document: Document, start: int, end: int, user, limit: int = PICKER_CANDIDATES
) -> list[ClaimCandidate]:
    """The claims that the span ``document[start:end]`` probably states, best first.

    The reverse of ``candidates_for_claim``, for the annotation panel's claim picker. Each
    claim is represented, as there, by its text and the spans linked to it (or to a claim
    merged into it) that ``user`` may see; its score is the best cosine between the span and
    any of those, plus the shared-signal bonus. No threshold: the picker shows a ranking.
    """
    span_text = document.body[start:end]
    claims = {
        pk: (text, language)
        for pk, text, language in Claim.objects.filter(merged_into__isnull=True)
        .order_by("-id")
        .values_list("pk", "text", "language")[:MAX_PICKER_CLAIMS]
    }
    if not claims or not span_text.strip():
        return []
    texts_of: dict[int, list[str]] = {pk: [text] for pk, (text, _) in claims.items()}
    linked = visible_annotations(
        user, Annotation.objects.filter(status=AnnotationStatus.ACTIVE, claim__isnull=False)
    )
    rows = linked.order_by("-id").values_list("claim_id", "claim__merged_into_id", "exact")
    for claim_id, merged_into, exact in rows[:MAX_PICKER_SPANS]:
        target = merged_into or claim_id
        if target in texts_of and len(texts_of[target]) <= MAX_QUERY_SPANS:
            texts_of[target].append(exact)
    order = list(texts_of)
    flat = [text for pk in order for text in texts_of[pk]]
    vectors = encoder.embed([span_text, *flat], shared=True)
    cosines = vectors[1:] @ vectors[0]
    span_signals = signals.extract(span_text)
    ranked, offset = [], 0
    for pk in order:
        count = len(texts_of[pk])
        cosine = float(cosines[offset : offset + count].max())
        offset += count
        claim_signals = _merged_signals(texts_of[pk])
        shared = [
            key
            for key in ("years", "numbers", "names")
            if set(claim_signals[key]) & set(span_signals[key])
        ]
        score = min(1.0, max(0.0, cosine + signals.bonus(claim_signals, span_signals)))
        text, language = claims[pk]
        ranked.append(ClaimCandidate(pk, text, language, round(score, 4), round(cosine, 4), shared))
    ranked.sort(key=lambda c: (-c.score, -c.claim))
    return ranked[:limit]


def _merged_signals(texts: list[str]) -> dict:
    merged = {"numbers": set(), "years": set(), "names": set(), "quote": False}
    for text in texts:
        features = signals.extract(text)
        for key in ("numbers", "years", "names"):
            merged[key] |= set(features[key])
        merged["quote"] = merged["quote"] or features["quote"]
    return merged


def decide_candidate(
    claim: Claim, user, *, document: Document, start: int, end: int, decision: str, **fields
) -> ClaimCandidateDecision:
    """Record ``user``'s decision on a proposed span; accepting links it to the claim.

    Accepting creates the reviewer's own annotation on the span with ``claim`` set (through
    ``create_annotation``: ``reliability``, ``flags``, ``note`` may be given), in the same
    transaction as the decision. Dismissing again is idempotent.
    """
    if decision not in (ACCEPTED, DISMISSED):
        raise AnnotationInputError({"decision": ["Must be 'accepted' or 'dismissed'."]})
    if claim.merged_into_id:
        raise AnnotationInputError({"claim": ["This claim was merged; use the claim it became."]})
    try:
        with transaction.atomic():
            existing = ClaimCandidateDecision.objects.filter(
                claim=claim, reviewer=user, document=document, start=start, end=end
            ).first()
            if existing is not None:
                if existing.decision == decision == DISMISSED:
                    return existing
                raise AnnotationInputError(
                    {"decision": [f"You already {existing.decision} this candidate."]}
                )
            annotation = None
            if decision == ACCEPTED:
                annotation = create_annotation(
                    reviewer=user, document=document, start=start, end=end, claim=claim, **fields
                )
            elif not user.is_active:
                raise AnnotationInputError({"reviewer": ["Suspended accounts cannot decide."]})
            return ClaimCandidateDecision.objects.create(
                claim=claim,
                reviewer=user,
                document=document,
                start=start,
                end=end,
                decision=decision,
                annotation=annotation,
            )
    except IntegrityError:
        raise AnnotationInputError({"decision": ["You already decided this candidate."]}) from None


def propose_merges(claim: Claim, user, limit: int = 5) -> list[dict]:
    """Other claims that probably state the same thing, highest score first.

    The score is the best cosine between this claim's query (its text and the linked spans
    ``user`` may see) and the other claim's text, as for candidates.
    """
    texts, _ = _query(claim, user)
    others = list(
        Claim.objects.filter(merged_into__isnull=True)
        .exclude(pk=claim.pk)
        .order_by("-id")
        .values_list("pk", "text")[:2000]
    )
    if not others:
        return []
    queries = encoder.embed(texts)
    vectors = encoder.embed([text for _, text in others], shared=True)
    scores = (vectors @ queries.T).max(axis=1)
    order = np.argsort(-scores)[:limit]
    return [
        {"claim": others[i][0], "text": others[i][1], "score": round(float(scores[i]), 4)}
        for i in order
        if scores[i] >= MERGE_PROPOSAL_MIN_SCORE
    ]
