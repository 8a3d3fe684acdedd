"""Writing annotations: validation of anchors and content, history, and consensus upkeep.

Every function here runs in one transaction: the annotation, its revision record and the
affected consensus rows change together or not at all. Views and serializers call these
functions and translate ``AnnotationInputError`` into a 400 that names the field.
"""

from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import consensus
from .campaigns.tiebreakers import route_disputes
from .errors import AnnotationInputError, NotAllowedError, StaleVersionError
from .judgments import (
    clean_evidence,
    clean_flags,
    clean_note,
    clean_reliability,
    passage_for_offset,
    require_judgment,
    resolve_anchor,
    resolve_claim,
)
from .models import (
    Annotation,
    AnnotationRevision,
    AnnotationStatus,
    Claim,
    Document,
    FlagType,
    Suggestion,
    SuggestionDecision,
)
from .outbox import events as outbox_events


def snapshot(annotation: Annotation, flags: Iterable[str] | None = None) -> dict:
    """The reviewable state of an annotation, as stored in its history.

    ``flags``: the annotation's flag slugs when the caller knows them (saves a query).
    """
    if flags is None:
        flags = (flag.slug for flag in annotation.flags.all())
    return {
        "status": annotation.status,
        "start": annotation.start,
        "end": annotation.end,
        "exact": annotation.exact,
        "reliability": annotation.reliability,
        "flags": sorted(flags),
        "note": annotation.note,
        "evidence": list(annotation.evidence),
        "claim": annotation.claim_id,
        "version": annotation.version,
    }


def _record(
    annotation: Annotation, action: str, by, before: dict | None, flags: Iterable[str]
) -> dict:
    after = snapshot(annotation, flags)
    AnnotationRevision.objects.create(
        annotation=annotation,
        version=annotation.version,
        action=action,
        changed_by=by,
        changed_at=annotation.updated_at,
        before=before,
        after=after,
    )
    outbox_events.annotation_written(annotation, action, after)
    return after


def _add_flags(annotation: Annotation, flags: Iterable[FlagType]) -> None:
    through = Annotation.flags.through
    rows = [through(annotation_id=annotation.pk, flagtype_id=flag.pk) for flag in flags]
    if rows:
        through.objects.bulk_create(rows)


def _remember_flags(annotation: Annotation, flags: Sequence[FlagType]) -> None:
    """Fill ``annotation.flags.all()`` from memory, as ``prefetch_related`` would, so that the
    caller can serialize the annotation it just wrote without reading it back."""
    ordered = sorted(flags, key=lambda flag: (flag.sort_order, flag.slug))  # FlagType.Meta
    queryset = FlagType.objects.filter(pk__in=[flag.pk for flag in ordered])
    queryset._result_cache = ordered
    queryset._prefetch_done = True
    annotation._prefetched_objects_cache = {"flags": queryset}


def _replace_flags(annotation: Annotation, current: list[FlagType], wanted: list[FlagType]) -> None:
    """Like ``annotation.flags.set(wanted)``, without re-reading the current flags."""
    current_ids = {flag.pk for flag in current}
    wanted_ids = {flag.pk for flag in wanted}
    removed = current_ids - wanted_ids
    if removed:
        Annotation.flags.through.objects.filter(
            annotation_id=annotation.pk, flagtype_id__in=removed
        ).delete()
    _add_flags(annotation, [flag for flag in wanted if flag.pk not in current_ids])


def _duplicate_error(existing_id: int) -> AnnotationInputError:
    message = f"You already have an active annotation on this span (#{existing_id}); edit it."
    return AnnotationInputError({"non_field_errors": [message]})


def _check_cited_suggestion(suggestion: Suggestion, document: Document, start: int, end: int):
    """An annotation may confirm only a suggestion on its own document that its span overlaps."""
    if suggestion.document_id != document.pk:
        raise AnnotationInputError(
            {"suggestion": [f"Suggestion #{suggestion.pk} is on another document."]}
        )
    if not (suggestion.start < end and start < suggestion.end):
        raise AnnotationInputError(
            {
                "suggestion": [
                    f"Suggestion #{suggestion.pk} covers {suggestion.start}–{suggestion.end}, "
                    f"which this span ({start}–{end}) does not overlap."
                ]
            }
        )


def _record_acceptance(suggestion: Suggestion, reviewer, annotation: Annotation) -> None:
    """Citing a suggestion is accepting it: one decision per reviewer, as in the decisions API."""
    Suggestion.objects.select_for_update().filter(pk=suggestion.pk).first()
    existing = SuggestionDecision.objects.filter(suggestion=suggestion, reviewer=reviewer).first()
    if existing is not None:
        raise AnnotationInputError(
            {"suggestion": [f"You already {existing.decision} this suggestion."]}
        )
    SuggestionDecision.objects.create(
        suggestion=suggestion,
        reviewer=reviewer,
        decision=SuggestionDecision.Decision.ACCEPTED,
        annotation=annotation,
    )


def create_annotation(
    *,
    reviewer,
    document: Document,
    start,
    end,
    exact: str | None = None,
    prefix: str | None = None,
    suffix: str | None = None,
    reliability=None,
    flags: Iterable = (),
    note: str = "",
    evidence=(),
    claim: Claim | None = None,
    suggestion=None,
) -> Annotation:
    if not reviewer.is_active:
        raise NotAllowedError("Suspended or inactive accounts cannot annotate.")
    if not document.is_current:
        raise AnnotationInputError(
            {"document": ["This is an old revision of the document; annotate the current one."]}
        )
    anchor = resolve_anchor(document, start, end, exact, prefix, suffix)
    reliability = clean_reliability(reliability)
    flag_objects = clean_flags(flags)
    require_judgment(reliability, flag_objects)
    note = clean_note(note)
    evidence = clean_evidence(evidence)
    claim = resolve_claim(claim)
    if suggestion is not None:
        _check_cited_suggestion(suggestion, document, anchor.start, anchor.end)

    # One active annotation per reviewer and span: the database constraint
    # (annotation_one_active_per_reviewer_span) refuses a duplicate, concurrent or not, and
    # the existing annotation is looked up only then.
    now = timezone.now()
    try:
        with transaction.atomic():
            annotation = Annotation.objects.create(
                document=document,
                passage=passage_for_offset(document, anchor.start),
                reviewer=reviewer,
                start=anchor.start,
                end=anchor.end,
                exact=anchor.exact,
                prefix=anchor.prefix,
                suffix=anchor.suffix,
                reliability=reliability,
                note=note,
                evidence=evidence,
                claim=claim,
                suggestion=suggestion,
                updated_at=now,
            )
            _add_flags(annotation, flag_objects)
            slugs = [flag.slug for flag in flag_objects]
            _record(annotation, AnnotationRevision.Action.CREATED, reviewer, None, slugs)
            if suggestion is not None:
                _record_acceptance(suggestion, reviewer, annotation)
            rows = consensus.annotation_changed(annotation, before=None)
            route_disputes(rows, cause=reviewer)
        _remember_flags(annotation, flag_objects)
    except IntegrityError:
        existing = (
            Annotation.objects.filter(
                document=document,
                reviewer=reviewer,
                start=anchor.start,
                end=anchor.end,
                status=AnnotationStatus.ACTIVE,
            )
            .values_list("pk", flat=True)
            .first()
        )
        if existing is None:
            raise  # not the duplicate-span rule: a real integrity problem, not bad input
        raise _duplicate_error(existing) from None
    return annotation


def _lock_annotation(annotation: Annotation) -> Annotation:
    """The annotation row, locked, with its (immutable) passage for the consensus upkeep."""
    return (
        Annotation.objects.select_for_update(of=("self",))
        .select_related("passage")
        .get(pk=annotation.pk)
    )


_UNSET = object()


def update_annotation(
    annotation: Annotation,
    *,
    by,
    expected_version: int | None,
    reliability=_UNSET,
    flags=_UNSET,
    note=_UNSET,
    evidence=_UNSET,
    claim=_UNSET,
) -> Annotation:
    """Change the judgment (not the anchor) of one's own active annotation."""
    with transaction.atomic():
        locked = _lock_annotation(annotation)
        if locked.reviewer_id != by.pk:
            raise NotAllowedError("Only the author can edit an annotation.")
        if locked.status != AnnotationStatus.ACTIVE:
            raise AnnotationInputError(
                {"status": [f"A {locked.status} annotation cannot be edited."]}
            )
        if expected_version is not None and expected_version != locked.version:
            raise StaleVersionError(locked.version)
        current_flags = list(locked.flags.all())
        before = snapshot(locked, [flag.slug for flag in current_flags])
        if reliability is not _UNSET:
            locked.reliability = clean_reliability(reliability)
        flag_objects = clean_flags(flags) if flags is not _UNSET else current_flags
        require_judgment(locked.reliability, flag_objects)
        if note is not _UNSET:
            locked.note = clean_note(note)
        if evidence is not _UNSET:
            locked.evidence = clean_evidence(evidence)
        if claim is not _UNSET:
            locked.claim = resolve_claim(claim)
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save()
        if flags is not _UNSET:
            _replace_flags(locked, current_flags, flag_objects)
        slugs = [flag.slug for flag in flag_objects]
        _record(locked, AnnotationRevision.Action.UPDATED, by, before, slugs)
        rows = consensus.annotation_changed(locked, before=before)
        route_disputes(rows, cause=by)
    return locked


def change_status(
    annotation: Annotation, *, status: str, by, action: str, expected_version: int | None = None
) -> Annotation:
    """Move an annotation between active / withdrawn / hidden, keeping history and consensus."""
    with transaction.atomic():
        locked = _lock_annotation(annotation)
        if expected_version is not None and expected_version != locked.version:
            raise StaleVersionError(locked.version)
        if locked.status == status:
            return locked
        if status == AnnotationStatus.ACTIVE and (
            Annotation.objects.filter(
                document_id=locked.document_id,
                reviewer_id=locked.reviewer_id,
                start=locked.start,
                end=locked.end,
                status=AnnotationStatus.ACTIVE,
            )
            .exclude(pk=locked.pk)
            .exists()
        ):
            raise AnnotationInputError(
                {"status": ["The reviewer has another active annotation on this span."]}
            )
        slugs = list(locked.flags.values_list("slug", flat=True))
        before = snapshot(locked, slugs)
        locked.status = status
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "version", "updated_at"])
        _record(locked, action, by, before, slugs)
        rows = consensus.annotation_changed(locked, before=before)
        route_disputes(rows, cause=by)
    return locked


def withdraw_annotation(annotation: Annotation, *, by, expected_version: int | None = None):
    """The author takes back their own annotation. It stays stored, out of consensus."""
    if annotation.reviewer_id != by.pk:
        raise NotAllowedError("Only the author can withdraw an annotation.")
    if annotation.status == AnnotationStatus.HIDDEN:
        raise AnnotationInputError({"status": ["A hidden annotation cannot be withdrawn."]})
    return change_status(
        annotation,
        status=AnnotationStatus.WITHDRAWN,
        by=by,
        action=AnnotationRevision.Action.WITHDRAWN,
        expected_version=expected_version,
    )
