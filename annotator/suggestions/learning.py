"""Which suggestions reviewers are shown: the one rule, learned from their decisions.

Three things hide a stored suggestion from a reviewer (none deletes it):

- **Weak:** its calibrated confidence is below ``SUGGESTION_MIN_CONFIDENCE``.
- **Muted detector:** per detector and document language, the live acceptance rate (accepted /
  decided) has fallen below ``SUGGESTION_MUTE_BELOW`` after at least
  ``SUGGESTION_MUTE_MIN_DECISIONS`` decisions. Muted pairs are listed on the moderation queue.
- **Suppressed:** at least ``SUGGESTION_SUPPRESS_DISMISSALS`` other reviewers dismissed this
  very suggestion (and nobody accepted it).

A reviewer always still sees the suggestions they decided themselves (the API shows their
decision). ``shown_suggestions`` is the only place these rules are applied.
"""

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from ..models import Suggestion, SuggestionDecision

ACCEPTED = SuggestionDecision.Decision.ACCEPTED
DISMISSED = SuggestionDecision.Decision.DISMISSED


def _setting(name: str):
    return settings.ANNOTATOR[name]


def acceptance_by_detector_and_language() -> list[dict]:
    """Per (detector, language): decisions, acceptances, the acceptance rate, and muted or not."""
    rows = (
        SuggestionDecision.objects.values("suggestion__detector", "suggestion__document__language")
        .annotate(
            decided=Count("id"),
            accepted=Count("id", filter=Q(decision=ACCEPTED)),
        )
        .order_by("suggestion__detector", "suggestion__document__language")
    )
    mute_below = _setting("SUGGESTION_MUTE_BELOW")
    minimum = _setting("SUGGESTION_MUTE_MIN_DECISIONS")
    out = []
    for row in rows:
        rate = row["accepted"] / row["decided"]
        out.append(
            {
                "detector": row["suggestion__detector"],
                "language": row["suggestion__document__language"],
                "decided": row["decided"],
                "accepted": row["accepted"],
                "acceptance_rate": round(rate, 4),
                "muted": row["decided"] >= minimum and rate < mute_below,
            }
        )
    return out


def muted_detectors() -> list[dict]:
    """The (detector, language) pairs currently muted, for the moderation queue."""
    return [row for row in acceptance_by_detector_and_language() if row["muted"]]


def shown_suggestions(queryset: QuerySet, reviewer) -> QuerySet:
    """``queryset`` (of Suggestion) less what ``reviewer`` should not be shown (see module)."""
    mine = SuggestionDecision.objects.filter(reviewer=reviewer).values("suggestion_id")
    keep_mine = Q(pk__in=mine)
    rules = Q(confidence__gte=_setting("SUGGESTION_MIN_CONFIDENCE"))
    for row in muted_detectors():
        rules &= ~Q(detector=row["detector"], document__language=row["language"])
    suppressed = (
        SuggestionDecision.objects.exclude(reviewer=reviewer)
        .values("suggestion_id")
        .annotate(
            dismissed=Count("id", filter=Q(decision=DISMISSED)),
            accepted=Count("id", filter=Q(decision=ACCEPTED)),
        )
        .filter(dismissed__gte=_setting("SUGGESTION_SUPPRESS_DISMISSALS"), accepted=0)
        .values("suggestion_id")
    )
    rules &= ~Q(pk__in=suppressed)
    return queryset.filter(keep_mine | rules)


def suggestion_is_shown(suggestion: Suggestion, reviewer) -> bool:
    return shown_suggestions(Suggestion.objects.filter(pk=suggestion.pk), reviewer).exists()
