"""Run the detectors over a text, and store their candidates as Suggestion rows."""

import logging

from django.db import transaction
from django.db.models import Count

from ..models import Document, FlagType, Suggestion
from .calibration import calibrate
from .detectors import DETECTORS, Candidate

logger = logging.getLogger(__name__)


def suggest(text: str) -> list[Candidate]:
    """All detectors' candidates for ``text`` with calibrated confidence, ordered by position."""
    return calibrate(raw_suggest(text))


def raw_suggest(text: str) -> list[Candidate]:
    """All detectors' candidates with their raw scores; exact duplicates dropped."""
    seen: set[tuple] = set()
    candidates: list[Candidate] = []
    for detector in DETECTORS:
        for candidate in detector(text):
            key = candidate.key
            if key not in seen:
                seen.add(key)
                candidates.append(candidate)
    candidates.sort(key=lambda c: (c.start, c.end, c.detector, c.flag))
    return candidates


def store_suggestions(document: Document) -> int:
    """Store the detectors' suggestions for ``document``; return how many rows were created.

    Idempotent: a span already suggested (same document, start, end, flag, detector) is not
    stored again. Undecided suggestions that the current detectors no longer produce are
    removed, so that improving a detector and re-running ``manage.py suggest`` leaves no stale
    rows; a suggestion a reviewer has accepted or dismissed is always kept.
    """
    body = document.body
    candidates = suggest(body)
    flags = {flag.slug: flag for flag in FlagType.objects.filter(is_active=True)}
    wanted: dict[tuple, Candidate] = {}
    for candidate in candidates:
        if candidate.flag not in flags:
            logger.warning("No active flag %r: skipping %s suggestion", candidate.flag, candidate)
            continue
        wanted[(candidate.start, candidate.end, candidate.flag, candidate.detector)] = candidate
    with transaction.atomic():
        rows = (
            Suggestion.objects.filter(document=document)
            .annotate(decided=Count("decisions"), linked=Count("annotations"))
            .values("id", "start", "end", "flag__slug", "detector", "decided", "linked")
        )
        existing = {(r["start"], r["end"], r["flag__slug"], r["detector"]): r for r in rows}
        stale = [
            row["id"]
            for key, row in existing.items()
            if key not in wanted and not row["decided"] and not row["linked"]
        ]
        if stale:
            Suggestion.objects.filter(pk__in=stale, decisions__isnull=True).delete()
        new = [
            Suggestion(
                document=document,
                start=c.start,
                end=c.end,
                exact=body[c.start : c.end],
                flag=flags[c.flag],
                detector=c.detector,
                reason=c.reason,
                confidence=c.confidence,
            )
            for key, c in wanted.items()
            if key not in existing
        ]
        # ignore_conflicts: a concurrent run may have stored the same rows meanwhile.
        Suggestion.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
