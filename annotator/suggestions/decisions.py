"""Reviewers' decisions on machine suggestions, and per-detector acceptance figures.

A suggestion is not an annotation: it never counts toward consensus. Accepting one creates the
reviewer's own annotation through the normal write path (``create_annotation``), pre-filled from
the suggestion, and records the decision in the same transaction. Each reviewer decides a
suggestion at most once; dismissing twice is idempotent, any other second decision is refused.
"""

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet

from ..annotations import create_annotation
from ..errors import AnnotationInputError, ConflictError
from ..models import Annotation, Document, Suggestion, SuggestionDecision

ACCEPT_OVERRIDABLE_FIELDS = frozenset({"reliability", "flags", "note", "evidence", "claim"})


def _existing_decision(suggestion: Suggestion, reviewer) -> SuggestionDecision | None:
    return SuggestionDecision.objects.filter(suggestion=suggestion, reviewer=reviewer).first()


def _already_decided_error(decision: SuggestionDecision) -> ConflictError:
    return ConflictError({"suggestion": [f"You already {decision.decision} this suggestion."]})


def accept_suggestion(suggestion: Suggestion, reviewer, **annotation_fields) -> Annotation:
    """Make the suggestion the reviewer's own annotation, pre-filled from it.

    Defaults: the suggestion's span and flag, no rating, the reason as the note. The caller may
    override ``reliability``, ``flags``, ``note``, ``evidence`` and ``claim``.
    """
    unknown = sorted(set(annotation_fields) - ACCEPT_OVERRIDABLE_FIELDS)
    if unknown:
        raise AnnotationInputError(
            {name: ["Cannot be set when accepting a suggestion."] for name in unknown}
        )
    fields = {"flags": [suggestion.flag.slug], "note": suggestion.reason, **annotation_fields}
    if fields.get("note") in (None, ""):
        fields["note"] = suggestion.reason
    try:
        with transaction.atomic():
            # Lock the suggestion so that two concurrent decisions by one reviewer serialise.
            Suggestion.objects.select_for_update().filter(pk=suggestion.pk).first()
            existing = _existing_decision(suggestion, reviewer)
            if existing is not None:
                raise _already_decided_error(existing)
            # Records the acceptance in the same transaction (annotations._record_acceptance).
            annotation = create_annotation(
                reviewer=reviewer,
                document=suggestion.document,
                start=suggestion.start,
                end=suggestion.end,
                exact=suggestion.exact,
                suggestion=suggestion,
                **fields,
            )
    except IntegrityError:
        raise ConflictError({"suggestion": ["You already decided this suggestion."]}) from None
    return annotation


def dismiss_suggestion(suggestion: Suggestion, reviewer) -> SuggestionDecision:
    """Record that the reviewer dismissed the suggestion.

    Idempotent: dismissing again returns the existing dismissal. Dismissing a suggestion the
    reviewer already accepted raises ``AnnotationInputError`` (withdraw the annotation instead).
    """
    if not reviewer.is_active:
        raise AnnotationInputError({"reviewer": ["Suspended or inactive accounts cannot decide."]})
    try:
        with transaction.atomic():
            Suggestion.objects.select_for_update().filter(pk=suggestion.pk).first()
            existing = _existing_decision(suggestion, reviewer)
            if existing is not None:
                if existing.decision == SuggestionDecision.Decision.DISMISSED:
                    return existing
                raise _already_decided_error(existing)
            return SuggestionDecision.objects.create(
                suggestion=suggestion,
                reviewer=reviewer,
                decision=SuggestionDecision.Decision.DISMISSED,
            )
    except IntegrityError:
        existing = _existing_decision(suggestion, reviewer)
        if existing is not None and existing.decision == SuggestionDecision.Decision.DISMISSED:
            return existing
        raise ConflictError({"suggestion": ["You already decided this suggestion."]}) from None


def suggestions_for_reviewer(document: Document, reviewer) -> QuerySet:
    """Suggestions on ``document`` shown to ``reviewer`` (``learning``) and not yet decided."""
    from .learning import shown_suggestions  # learning imports the models this module uses

    decided = SuggestionDecision.objects.filter(reviewer=reviewer).values("suggestion_id")
    return (
        shown_suggestions(Suggestion.objects.filter(document=document), reviewer)
        .exclude(pk__in=decided)
        .select_related("flag")
        .order_by("start", "end", "id")
    )


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def detector_stats() -> list[dict]:
    """Per detector: suggestions, decisions, accepted, dismissed and their rates.

    Rates are shares of decisions (accepted / decided, dismissed / decided), ``None`` before any
    decision. A high dismissal rate marks a noisy detector.
    """
    accepted = SuggestionDecision.Decision.ACCEPTED
    dismissed = SuggestionDecision.Decision.DISMISSED
    rows = (
        Suggestion.objects.values("detector")
        .annotate(
            suggestions=Count("id", distinct=True),
            accepted=Count("decisions", filter=Q(decisions__decision=accepted)),
            dismissed=Count("decisions", filter=Q(decisions__decision=dismissed)),
        )
        .order_by("detector")
    )
    stats = []
    for row in rows:
        decided = row["accepted"] + row["dismissed"]
        stats.append(
            {
                "detector": row["detector"],
                "suggestions": row["suggestions"],
                "decided": decided,
                "accepted": row["accepted"],
                "dismissed": row["dismissed"],
                "acceptance_rate": _rate(row["accepted"], decided),
                "dismissal_rate": _rate(row["dismissed"], decided),
            }
        )
    return stats
