"""Moderation actions: the only way a moderator changes annotations, reviewers, claims and flags.

Each function checks the acting user's permission, requires a reason, runs in one transaction
and writes one append-only ModerationAction per target through ``audit.record_action``.
Nothing is deleted: annotations are hidden, reviewers suspended, duplicate claims merged and
flag types retired, and every one of these can be undone except a merge.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import consensus
from .agreement import reviewer_calibration
from .annotations import change_status, snapshot
from .audit import record_action
from .campaigns.lifecycle import reassign_suspended
from .campaigns.tiebreakers import awaiting_tie_breaker, route_disputes
from .consensus import SAVED_FIELDS as CONSENSUS_FIELDS
from .errors import AnnotationInputError, NotAllowedError
from .judgments import clean_flags, clean_reliability
from .models import (
    Annotation,
    AnnotationRevision,
    AnnotationStatus,
    Claim,
    Consensus,
    ConsensusStatus,
    FlagType,
    User,
)
from .outbox import events as outbox_events

PERMISSION_HIDE = "annotator.hide_annotation"
PERMISSION_SUSPEND = "annotator.suspend_user"
PERMISSION_MERGE = "annotator.merge_claim"
PERMISSION_RETIRE = "annotator.retire_flagtype"
PERMISSION_ADJUDICATE = "annotator.adjudicate_consensus"


class ModerationError(Exception):
    """The moderation action cannot be applied as asked (the message says why)."""


def _check(moderator, permission: str, reason: str) -> str:
    if not (moderator.is_active and moderator.has_perm(permission)):
        raise PermissionDenied(f"{moderator} lacks the permission {permission}.")
    reason = (reason or "").strip()
    if not reason:
        raise ModerationError("A moderation action needs a reason.")
    return reason


def _locked(annotations: Iterable[Annotation]) -> list[Annotation]:
    """The current rows of ``annotations``, locked for the rest of the transaction."""
    pks = [annotation.pk for annotation in annotations]
    return list(Annotation.objects.select_for_update().filter(pk__in=pks).order_by("pk"))


def hide_annotations(
    annotations: Iterable[Annotation], *, moderator, reason: str
) -> list[Annotation]:
    """Hide active annotations: they leave consensus and exports but stay stored.

    Annotations that are already hidden, or withdrawn by their author, are left alone;
    the returned list holds the ones that were hidden.
    """
    reason = _check(moderator, PERMISSION_HIDE, reason)
    hidden = []
    with transaction.atomic():
        for annotation in _locked(annotations):
            if annotation.status != AnnotationStatus.ACTIVE:
                continue
            changed = change_status(
                annotation,
                status=AnnotationStatus.HIDDEN,
                by=moderator,
                action=AnnotationRevision.Action.HIDDEN,
            )
            record_action(
                actor=moderator,
                action="annotation.hide",
                target=changed,
                reason=reason,
                details={"version": changed.version},
            )
            hidden.append(changed)
    return hidden


def unhide_annotations(
    annotations: Iterable[Annotation], *, moderator, reason: str
) -> list[Annotation]:
    """Make hidden annotations active again (they rejoin consensus and exports).

    Refuses, changing nothing, when a reviewer has since made another active annotation
    on the same span: the two would break the one-active-annotation-per-span rule.
    """
    reason = _check(moderator, PERMISSION_HIDE, reason)
    restored = []
    with transaction.atomic():
        for annotation in _locked(annotations):
            if annotation.status != AnnotationStatus.HIDDEN:
                continue
            try:
                changed = change_status(
                    annotation,
                    status=AnnotationStatus.ACTIVE,
                    by=moderator,
                    action=AnnotationRevision.Action.UNHIDDEN,
                )
            except AnnotationInputError as error:
                raise ModerationError(
                    f"Annotation #{annotation.pk} cannot be unhidden: "
                    + " ".join(error.errors.get("status", [str(error)]))
                ) from None
            record_action(
                actor=moderator,
                action="annotation.unhide",
                target=changed,
                reason=reason,
                details={"version": changed.version},
            )
            restored.append(changed)
    return restored


def _lock_user(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _check_may_change_account(locked: User, moderator) -> None:
    """One rule for suspending and reinstating: staff and admin accounts are an admin's call."""
    if (locked.is_superuser or locked.is_staff) and not moderator.is_superuser:
        raise ModerationError(
            "Only an administrator can suspend or reinstate staff or administrators."
        )


def suspend_reviewer(user: User, *, moderator, reason: str) -> User:
    """Deactivate an account at once: its sessions and tokens stop working and its
    annotations leave consensus (they are kept, and come back on reinstatement)."""
    reason = _check(moderator, PERMISSION_SUSPEND, reason)
    if user.pk == moderator.pk:
        raise ModerationError("You cannot suspend yourself.")
    with transaction.atomic():
        locked = _lock_user(user)
        _check_may_change_account(locked, moderator)
        if locked.is_suspended:
            raise ModerationError(f"{locked.username} is already suspended.")
        locked.is_active = False
        locked.suspended_at = timezone.now()
        locked.suspension_reason = reason
        locked.save(update_fields=["is_active", "suspended_at", "suspension_reason"])
        rows = consensus.reviewer_status_changed(locked)
        reassign_suspended(locked, moderator=moderator, reason=reason)
        route_disputes(rows, cause=moderator)
        record_action(actor=moderator, action="user.suspend", target=locked, reason=reason)
    return locked


def reinstate_reviewer(user: User, *, moderator, reason: str) -> User:
    """Undo a suspension: the account works again and its active annotations count again."""
    reason = _check(moderator, PERMISSION_SUSPEND, reason)
    with transaction.atomic():
        locked = _lock_user(user)
        _check_may_change_account(locked, moderator)
        if not locked.is_suspended:
            raise ModerationError(f"{locked.username} is not suspended.")
        previous = {
            "suspended_at": locked.suspended_at.isoformat(),
            "reason": locked.suspension_reason,
        }
        locked.is_active = True
        locked.suspended_at = None
        locked.suspension_reason = ""
        locked.save(update_fields=["is_active", "suspended_at", "suspension_reason"])
        consensus.reviewer_status_changed(locked)
        record_action(
            actor=moderator,
            action="user.reinstate",
            target=locked,
            reason=reason,
            details={"suspension": previous},
        )
    return locked


def merge_claims(duplicate: Claim, *, into: Claim, moderator, reason: str) -> Claim:
    """Fold a duplicate claim into the surviving one.

    Every annotation of the duplicate (whatever its status) moves to the survivor, with a
    ``claim_merged`` revision and a version bump; claims merged earlier into the duplicate
    are re-pointed at the survivor; the duplicate keeps ``merged_into`` and is never deleted.
    """
    reason = _check(moderator, PERMISSION_MERGE, reason)
    if duplicate.pk == into.pk:
        raise ModerationError("A claim cannot be merged into itself.")
    with transaction.atomic():
        locked = {
            claim.pk: claim
            for claim in Claim.objects.select_for_update().filter(pk__in=[duplicate.pk, into.pk])
        }
        duplicate, into = locked[duplicate.pk], locked[into.pk]
        if duplicate.merged_into_id is not None:
            raise ModerationError(f"Claim #{duplicate.pk} was already merged.")
        if into.merged_into_id is not None:
            raise ModerationError(
                f"Claim #{into.pk} was merged into #{into.merged_into_id}; merge into that one."
            )
        now = timezone.now()
        moved = []
        annotations = Annotation.objects.select_for_update().filter(claim=duplicate).order_by("pk")
        for annotation in annotations:
            before = snapshot(annotation)
            annotation.claim = into
            annotation.version += 1
            annotation.updated_at = now
            annotation.save(update_fields=["claim", "version", "updated_at"])
            AnnotationRevision.objects.create(
                annotation=annotation,
                version=annotation.version,
                action=AnnotationRevision.Action.CLAIM_MERGED,
                changed_by=moderator,
                changed_at=now,
                before=before,
                after=snapshot(annotation),
            )
            consensus.annotation_changed(annotation, before=before)
            moved.append(annotation.pk)
        repointed = list(Claim.objects.filter(merged_into=duplicate).values_list("pk", flat=True))
        Claim.objects.filter(pk__in=repointed).update(merged_into=into, updated_at=now)
        duplicate.merged_into = into
        duplicate.save(update_fields=["merged_into", "updated_at"])
        record_action(
            actor=moderator,
            action="claim.merge",
            target=duplicate,
            reason=reason,
            details={"into": into.pk, "annotations": moved, "repointed_claims": repointed},
        )
    return into


def _set_flag_active(flag: FlagType, *, active: bool, moderator, reason: str) -> FlagType:
    reason = _check(moderator, PERMISSION_RETIRE, reason)
    with transaction.atomic():
        locked = FlagType.objects.select_for_update().get(pk=flag.pk)
        if locked.is_active == active:
            state = "active" if active else "retired"
            raise ModerationError(f"Flag {locked.slug} is already {state}.")
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        record_action(
            actor=moderator,
            action="flag.restore" if active else "flag.retire",
            target=locked,
            reason=reason,
        )
    return locked


def retire_flag(flag: FlagType, *, moderator, reason: str) -> FlagType:
    """Stop offering a flag type for new annotations; existing annotations keep it."""
    return _set_flag_active(flag, active=False, moderator=moderator, reason=reason)


def restore_flag(flag: FlagType, *, moderator, reason: str) -> FlagType:
    """Offer a retired flag type again."""
    return _set_flag_active(flag, active=True, moderator=moderator, reason=reason)


def adjudicate(
    consensus: Consensus, *, moderator, reliability: int | None, flags: list[str], reason: str
) -> Consensus:
    """A moderator's decision for a group: overrides the computed status until the group changes."""
    if not getattr(moderator, "is_moderator", False) or not moderator.is_active:
        raise NotAllowedError("Only moderators can adjudicate consensus.")
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        errors["reason"] = ["A reason is required for an adjudication."]
    try:
        reliability = clean_reliability(reliability)
    except AnnotationInputError as error:
        errors.update(error.errors)
        reliability = None
    slugs: list[str] = []
    if flags is not None and (isinstance(flags, str) or not isinstance(flags, Iterable)):
        errors["flags"] = ["Must be a list of flag slugs."]
    else:
        try:
            slugs = sorted(flag.slug for flag in clean_flags(flags or ()))
        except AnnotationInputError as error:
            errors.update(error.errors)
    if not errors and reliability is None and not slugs:
        errors["reliability"] = ["Give a reliability rating, at least one flag, or both."]
    if errors:
        raise AnnotationInputError(errors)

    with transaction.atomic():
        row = Consensus.objects.select_for_update().get(pk=consensus.pk)
        previous = {
            "status": row.status,
            "reliability": row.adjudicated_reliability,
            "flags": list(row.adjudicated_flags),
            "stale": row.adjudication_stale,
        }
        row.adjudicated_reliability = reliability
        row.adjudicated_flags = slugs
        row.adjudication_reason = reason
        row.adjudicated_by = moderator
        row.adjudicated_at = timezone.now()
        row.adjudication_stale = False
        row.status = ConsensusStatus.ADJUDICATED
        row.updated_at = row.adjudicated_at
        row.save(update_fields=CONSENSUS_FIELDS)
        if previous["status"] != row.status:
            outbox_events.consensus_status_changed(row, previous["status"])
        record_action(
            actor=moderator,
            action="adjudicate",
            target=row,
            reason=reason,
            details={
                "key": row.key,
                "reliability": reliability,
                "flags": slugs,
                "previous": previous,
                "computed_status": row.computed_status,
                "reviewer_count": row.reviewer_count,
                "median_reliability": row.median_reliability,
                "flag_support": row.flag_support,
            },
        )
    return row


# --- The moderation queue ---------------------------------------------------------------------

QUEUE_LIMIT = 50
# A reviewer's calibration is "far below the others" when it is under the median of all
# reviewers by more than this gap, or by more than twice the median absolute deviation if
# reviewers are spread wider than that. At least three calibrated reviewers are needed.
CALIBRATION_MIN_GAP = 0.2
CALIBRATION_MIN_REVIEWERS = 3


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def low_calibration(rows: list[dict], *, key: str = "agreement") -> tuple[list[dict], float | None]:
    """The calibration rows far below the others (lowest first), and the threshold used."""
    scored = [row for row in rows if row.get(key) is not None]
    if len(scored) < CALIBRATION_MIN_REVIEWERS:
        return [], None
    values = [float(row[key]) for row in scored]
    median = _median(values)
    spread = _median([abs(value - median) for value in values])
    threshold = median - max(CALIBRATION_MIN_GAP, 2 * spread)
    low = [row for row in scored if float(row[key]) < threshold]
    return sorted(low, key=lambda row: row[key]), threshold


# How the disputed list can be ordered: URL value -> (label, ORDER BY).
QUEUE_ORDERS = {
    "newest": ("Newest change first", ("-updated_at", "-pk")),
    "oldest": ("Waiting longest first", ("updated_at", "pk")),
    "reviewers": ("Most reviewers first", ("-reviewer_count", "-updated_at", "-pk")),
}


def moderation_queue(
    limit: int = QUEUE_LIMIT, *, order: str = "newest", kind: str = "", language: str = ""
) -> dict:
    """What needs a moderator's eye, each list with its full count.

    The disputed list can be ordered (``QUEUE_ORDERS``) and narrowed to one group kind or one
    document language; unknown values fall back to the defaults.
    """
    from .suggestions.decisions import detector_stats
    from .suggestions.learning import acceptance_by_detector_and_language
    from .workbench import with_excerpts

    disputed = Consensus.objects.filter(
        # A stale adjudication has gone back to its computed status (agreed or disputed)
        # and waits for a moderator to decide again.
        Q(status=ConsensusStatus.DISPUTED) | Q(adjudication_stale=True)
    ).exclude(awaiting_tie_breaker())  # a campaign's tie-breaker may still resolve it
    if kind in Consensus.Kind.values:
        disputed = disputed.filter(kind=kind)
    if language:
        disputed = disputed.filter(document__language=language)
    order_by = QUEUE_ORDERS.get(order, QUEUE_ORDERS["newest"])[1]
    evidence_flags = FlagType.objects.filter(requires_evidence=True)
    unevidenced = (
        Annotation.objects.filter(
            status=AnnotationStatus.ACTIVE,
            evidence=[],
            flags__in=evidence_flags,
        )
        .values("pk")
        .distinct()
    )
    unevidenced_annotations = (
        Annotation.objects.filter(pk__in=unevidenced)
        .select_related("reviewer", "document")
        .defer("document__body")
        .prefetch_related("flags")
        .order_by("-updated_at", "-pk")
    )
    calibration = reviewer_calibration()
    low, threshold = low_calibration(calibration)
    detectors = detector_stats()
    return {
        "disputed": with_excerpts(
            disputed.select_related("document", "claim").defer("document__body")
        ).order_by(*order_by)[:limit],
        "languages": sorted(
            Consensus.objects.filter(
                Q(status=ConsensusStatus.DISPUTED) | Q(adjudication_stale=True),
                document__isnull=False,
            )
            .values_list("document__language", flat=True)
            .distinct()
        ),
        "disputed_count": disputed.count(),
        "unevidenced": unevidenced_annotations[:limit],
        "unevidenced_count": unevidenced_annotations.count(),
        "evidence_flags": [flag.slug for flag in evidence_flags],
        "low_calibration": low,
        "low_calibration_count": len(low),
        "calibration_threshold": threshold,
        "calibrated_reviewers": len(calibration),
        "calibration": sorted(
            calibration, key=lambda row: (row["agreement"] is None, row["agreement"] or 0)
        ),
        "noisy_detectors": sorted(detectors, key=lambda row: -(row.get("dismissal_rate") or 0)),
        "detector_languages": acceptance_by_detector_and_language(),
    }
