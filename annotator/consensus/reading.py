"""Looking up the row of one group (callers narrow what a user may see through the policy)."""

from __future__ import annotations

from annotator.models import Claim, Consensus, Document, Passage

from .groups import claim_key, passage_key, span_key


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
