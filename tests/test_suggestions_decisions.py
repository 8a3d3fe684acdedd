"""Accepting and dismissing suggestions, per reviewer, and the per-detector figures."""

import pytest

from annotator.errors import AnnotationInputError, NotAllowedError
from annotator.models import Annotation, AnnotationRevision, Claim, Suggestion, SuggestionDecision
from annotator.suggestions.decisions import (
    accept_suggestion,
    detector_stats,
    dismiss_suggestion,
    suggestions_for_reviewer,
)


@pytest.fixture
def quote(seeded) -> Suggestion:
    return Suggestion.objects.get(document=seeded["000"], detector="attributed-quotation")


@pytest.fixture
def redaction(seeded) -> Suggestion:
    return Suggestion.objects.filter(document=seeded["000"], detector="redacted-name").first()


def test_accept_creates_the_reviewers_own_prefilled_annotation(quote, reviewer):
    annotation = accept_suggestion(quote, reviewer)
    assert (annotation.start, annotation.end, annotation.exact) == (
        quote.start,
        quote.end,
        quote.exact,
    )
    assert annotation.reviewer == reviewer
    assert [flag.slug for flag in annotation.flags.all()] == ["misattributed-quote"]
    assert annotation.note == quote.reason
    assert annotation.suggestion == quote
    assert annotation.reliability is None
    decision = SuggestionDecision.objects.get(suggestion=quote, reviewer=reviewer)
    assert decision.decision == "accepted" and decision.annotation == annotation
    assert AnnotationRevision.objects.filter(annotation=annotation, action="created").exists()


def test_accept_with_overrides(quote, reviewer):
    claim = Claim.objects.create(text="Mao said 'a wonderful drama is about to be staged'")
    annotation = accept_suggestion(
        quote,
        reviewer,
        reliability=2,
        flags=["misattributed-quote", "unsupported-claim"],
        note="No source for this quote.",
        evidence=["https://example.org/archive"],
        claim=claim,
    )
    assert annotation.reliability == 2
    assert sorted(f.slug for f in annotation.flags.all()) == [
        "misattributed-quote",
        "unsupported-claim",
    ]
    assert annotation.note == "No source for this quote."
    assert annotation.evidence == ["https://example.org/archive"]
    assert annotation.claim == claim


def test_bad_input_records_nothing(quote, reviewer):
    with pytest.raises(AnnotationInputError) as error:
        accept_suggestion(quote, reviewer, reliability=9)
    assert "reliability" in error.value.errors
    with pytest.raises(AnnotationInputError) as error:
        accept_suggestion(quote, reviewer, start=0)
    assert "start" in error.value.errors
    assert not Annotation.objects.exists()
    assert not SuggestionDecision.objects.exists()


def test_second_decision_by_the_same_reviewer_is_refused(quote, reviewer):
    accept_suggestion(quote, reviewer)
    with pytest.raises(AnnotationInputError) as error:
        accept_suggestion(quote, reviewer)
    assert "suggestion" in error.value.errors
    with pytest.raises(AnnotationInputError) as error:
        dismiss_suggestion(quote, reviewer)
    assert "suggestion" in error.value.errors
    assert Annotation.objects.count() == 1


def test_dismiss_is_idempotent_and_blocks_a_later_accept(redaction, reviewer):
    first = dismiss_suggestion(redaction, reviewer)
    again = dismiss_suggestion(redaction, reviewer)
    assert first.pk == again.pk and first.decision == "dismissed"
    with pytest.raises(AnnotationInputError, match="already dismissed"):
        accept_suggestion(redaction, reviewer)
    assert not Annotation.objects.exists()


def test_decisions_are_per_reviewer(quote, reviewer, other_reviewer):
    dismiss_suggestion(quote, reviewer)
    annotation = accept_suggestion(quote, other_reviewer)
    assert annotation.reviewer == other_reviewer
    assert quote not in suggestions_for_reviewer(quote.document, reviewer)
    assert quote not in suggestions_for_reviewer(quote.document, other_reviewer)


def test_suggestions_for_reviewer_lists_only_undecided_ones_on_that_document(
    seeded, quote, redaction, reviewer, other_reviewer
):
    pending = suggestions_for_reviewer(seeded["000"], reviewer)
    total = Suggestion.objects.filter(document=seeded["000"]).count()
    assert pending.count() == total
    assert all(s.document_id == seeded["000"].pk for s in pending)
    dismiss_suggestion(redaction, reviewer)
    accept_suggestion(quote, reviewer)
    assert suggestions_for_reviewer(seeded["000"], reviewer).count() == total - 2
    assert suggestions_for_reviewer(seeded["000"], other_reviewer).count() == total


def test_suspended_reviewer_cannot_decide(quote, reviewer):
    reviewer.is_active = False
    reviewer.save()
    with pytest.raises(NotAllowedError):
        accept_suggestion(quote, reviewer)
    with pytest.raises(AnnotationInputError):
        dismiss_suggestion(quote, reviewer)
    assert not SuggestionDecision.objects.exists()


def test_accept_on_an_old_revision_is_refused(quote, reviewer):
    document = quote.document
    document.is_current = False
    document.save(update_fields=["is_current"])
    with pytest.raises(AnnotationInputError) as error:
        accept_suggestion(quote, reviewer)
    assert "document" in error.value.errors
    assert not SuggestionDecision.objects.exists()


def test_detector_stats_show_acceptance_and_dismissal_rates(
    seeded, quote, reviewer, other_reviewer, third_reviewer
):
    redactions = list(Suggestion.objects.filter(detector="redacted-name")[:2])
    accept_suggestion(quote, reviewer)
    dismiss_suggestion(quote, other_reviewer)
    dismiss_suggestion(redactions[0], reviewer)
    dismiss_suggestion(redactions[1], reviewer)
    dismiss_suggestion(redactions[1], other_reviewer)
    accept_suggestion(redactions[1], third_reviewer)
    stats = {row["detector"]: row for row in detector_stats()}
    assert stats["attributed-quotation"] == {
        "detector": "attributed-quotation",
        "suggestions": Suggestion.objects.filter(detector="attributed-quotation").count(),
        "decided": 2,
        "accepted": 1,
        "dismissed": 1,
        "acceptance_rate": 0.5,
        "dismissal_rate": 0.5,
    }
    redaction_row = stats["redacted-name"]
    assert redaction_row["suggestions"] == 19
    assert (redaction_row["accepted"], redaction_row["dismissed"]) == (1, 3)
    assert redaction_row["dismissal_rate"] == 0.75
    assert stats["unsourced-number"]["acceptance_rate"] is None
