"""Campaign writes: create, open, close, add documents or reviewers, reassign.

Each function checks who acts, validates everything before writing (a refusal is an
``AnnotationInputError`` naming the field, and nothing is written), runs in one transaction
and records one audit entry per change (``audit.record_action``, target: the campaign), which
is also the campaign's history.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from annotator import roles
from annotator.agreement import reviewer_calibration
from annotator.audit import record_action
from annotator.errors import AnnotationInputError, NotAllowedError
from annotator.models import (
    Annotation,
    AnnotationStatus,
    Assignment,
    Campaign,
    CampaignDocument,
    CampaignMember,
    Document,
    Passage,
    User,
)

from . import milestones
from .planning import least_loaded, plan_assignments
from .rules import can_manage_campaigns

INSERT_BATCH = 5_000
FILTER_KEYS = ("source", "language", "published_from", "published_to")


def tie_breaker_cap() -> int:
    return int(settings.ANNOTATOR["CAMPAIGN_TIE_BREAKER_CAP"])


def _require_manager(user) -> None:
    if not can_manage_campaigns(user):
        raise NotAllowedError("Only editors, moderators and administrators manage campaigns.")


# --- Validation ---------------------------------------------------------------------------------


def _clean_reviewers(usernames: Iterable[str], errors: dict) -> list[User]:
    """Active, unsuspended members of the Reviewer group, in username order (the tie order)."""
    wanted = sorted({str(name) for name in usernames})
    found = {
        user.username: user
        for user in User.objects.filter(username__in=wanted).prefetch_related("groups")
    }
    problems = []
    for name in wanted:
        user = found.get(name)
        if user is None:
            problems.append(f"Unknown reviewer {name!r}.")
        elif user.is_suspended or not user.is_active:
            problems.append(f"{name!r} is suspended or inactive.")
        elif not any(group.name == roles.REVIEWER for group in user.groups.all()):
            problems.append(f"{name!r} is not a reviewer.")
    if problems:
        errors["reviewers"] = problems
    return [found[name] for name in wanted if name in found]


def _clean_documents(ids: Iterable[int], document_filter: dict | None, errors: dict) -> list[int]:
    """Current documents given by id, plus those matching the filter; sorted ids."""
    wanted = sorted({int(pk) for pk in ids})
    current = set(Document.objects.current().filter(pk__in=wanted).values_list("pk", flat=True))
    missing = [pk for pk in wanted if pk not in current]
    if missing:
        known = set(Document.objects.filter(pk__in=missing).values_list("pk", flat=True))
        errors["documents"] = [
            f"Document {pk} is an old revision; choose the current one."
            if pk in known
            else f"Unknown document {pk}."
            for pk in missing
        ]
    chosen = set(current)
    if document_filter:
        unknown = sorted(set(document_filter) - set(FILTER_KEYS))
        if unknown:
            errors["document_filter"] = [f"Unknown filter keys: {', '.join(unknown)}."]
        else:
            matched = _filtered_documents(document_filter)
            if not matched:
                errors["document_filter"] = ["No current document matches this filter."]
            chosen.update(matched)
    return sorted(chosen)


def _filtered_documents(document_filter: dict) -> list[int]:
    condition = Q()
    if document_filter.get("source") is not None:
        condition &= Q(source_id=document_filter["source"])
    if document_filter.get("language"):
        condition &= Q(language=document_filter["language"])
    if document_filter.get("published_from"):
        condition &= Q(published__gte=document_filter["published_from"])
    if document_filter.get("published_to"):
        condition &= Q(published__lte=document_filter["published_to"])
    return list(Document.objects.current().filter(condition).values_list("pk", flat=True))


def _check_numbers(overlap: int, quorum: int, pool: int, errors: dict) -> None:
    if overlap > pool:
        errors["overlap"] = [f"Overlap {overlap} is greater than the pool of {pool} reviewers."]
    cap = tie_breaker_cap()
    if quorum > overlap + cap:
        errors["quorum"] = [
            f"Quorum {quorum} cannot be reached: overlap {overlap} plus at most {cap} "
            "tie-breaker(s)."
        ]


def _serialisable(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


# --- Create -------------------------------------------------------------------------------------


def create_campaign(
    *,
    by,
    name: str,
    overlap: int,
    reviewers: Iterable[str],
    documents: Iterable[int] = (),
    document_filter: dict | None = None,
    quorum: int | None = None,
    due: datetime.date | None = None,
    description: str = "",
    blind_review: bool = True,
) -> Campaign:
    """A draft campaign. ``quorum`` defaults to ``overlap``. Nothing is assigned until opened."""
    _require_manager(by)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["A campaign needs a name."]
    pool = _clean_reviewers(reviewers, errors)
    document_ids = _clean_documents(documents, document_filter, errors)
    quorum = overlap if quorum is None else quorum
    _check_numbers(overlap, quorum, len(pool), errors)
    if errors:
        raise AnnotationInputError(errors)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name.strip(),
            description=description,
            document_filter={k: _serialisable(v) for k, v in (document_filter or {}).items()},
            overlap=overlap,
            quorum=quorum,
            due=due,
            blind_review=blind_review,
            created_by=by,
        )
        CampaignDocument.objects.bulk_create(
            CampaignDocument(campaign=campaign, document_id=pk) for pk in document_ids
        )
        _add_members(campaign, pool)
        record_action(
            actor=by,
            action="campaign.create",
            target=campaign,
            reason="Campaign created",
            details={
                "documents": document_ids,
                "reviewers": [user.username for user in pool],
                "overlap": overlap,
                "quorum": quorum,
                "due": _serialisable(due),
            },
        )
    return campaign


def _calibration_by_reviewer() -> dict[int, float | None]:
    """Each reviewer's agreement with others now: the tie-breaker order's second key.

    Taken when a reviewer joins (and refreshed when the campaign opens), not in every write:
    recomputing it there would make the write's cost grow with the corpus.
    """
    return {row["reviewer_id"]: row["agreement"] for row in reviewer_calibration()}


def _add_members(campaign: Campaign, users: list[User]) -> None:
    calibration = _calibration_by_reviewer() if users else {}
    CampaignMember.objects.bulk_create(
        CampaignMember(campaign=campaign, reviewer=user, calibration=calibration.get(user.pk))
        for user in users
    )


# --- Open and close -----------------------------------------------------------------------------


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def open_campaign(campaign: Campaign, *, by) -> Campaign:
    """Assign every passage of the campaign's documents to ``overlap`` distinct reviewers."""
    _require_manager(by)
    with transaction.atomic():
        campaign = _locked(campaign)
        if campaign.status != Campaign.Status.DRAFT:
            raise AnnotationInputError(
                {"status": [f"The campaign is {campaign.status}; only a draft can be opened."]}
            )
        if not CampaignDocument.objects.filter(campaign=campaign).exists():
            raise AnnotationInputError({"documents": ["Add documents before opening."]})
        members = _active_members(campaign)
        if campaign.overlap > len(members):
            raise AnnotationInputError(
                {
                    "overlap": [
                        f"Overlap {campaign.overlap} is greater than the {len(members)} "
                        "active reviewers in the pool."
                    ]
                }
            )
        calibration = _calibration_by_reviewer()
        for member in members:
            member.calibration = calibration.get(member.reviewer_id)
        CampaignMember.objects.bulk_update(members, ["calibration"])
        passages = (
            Passage.objects.filter(document__campaigndocument__campaign=campaign)
            .order_by("document_id", "index")
            .values_list("pk", "document_id", "index")
        )
        counts = _assign(campaign, passages, members)
        campaign.status = Campaign.Status.OPEN
        campaign.opened_at = timezone.now()
        campaign.save(update_fields=["status", "opened_at"])
        milestones.opened(campaign, _ids_of(members, counts))
        record_action(
            actor=by,
            action="campaign.open",
            target=campaign,
            reason="Campaign opened: every passage assigned",
            details={"assignments": sum(counts.values()), "per_reviewer": counts},
        )
    return campaign


def close_campaign(campaign: Campaign, *, by) -> Campaign:
    """Stop new assignments (tie-breakers included). Judgments and assignments stay."""
    _require_manager(by)
    with transaction.atomic():
        campaign = _locked(campaign)
        if campaign.status != Campaign.Status.OPEN:
            raise AnnotationInputError(
                {"status": [f"The campaign is {campaign.status}; only an open one can close."]}
            )
        campaign.status = Campaign.Status.CLOSED
        campaign.closed_at = timezone.now()
        campaign.save(update_fields=["status", "closed_at"])
        record_action(actor=by, action="campaign.close", target=campaign, reason="Campaign closed")
    return campaign


def _ids_of(members: list[CampaignMember], counts: dict[str, int]) -> list[int]:
    """The reviewer ids of the members ``_assign`` gave work (``counts`` is by username)."""
    return [member.reviewer_id for member in members if counts.get(member.reviewer.username)]


def _active_members(campaign: Campaign) -> list[CampaignMember]:
    """Pool members who may receive work, in username order (the plan's tie order)."""
    return list(
        CampaignMember.objects.filter(campaign=campaign, reviewer__is_active=True)
        .select_related("reviewer")
        .order_by("reviewer__username")
    )


def _assign(campaign: Campaign, passages, members: list[CampaignMember]) -> dict[str, int]:
    """Plan and insert the assignments of ``passages``; update the members' counters."""
    by_id = {member.reviewer_id: member for member in members}
    if connection.vendor == "postgresql" and len({member.assigned for member in members}) == 1:
        added = _assign_round_robin_sql(campaign, passages, members)
        for reviewer_id, count in added.items():
            by_id[reviewer_id].assigned += count
        CampaignMember.objects.bulk_update(members, ["assigned"])
        return {by_id[pk].reviewer.username: count for pk, count in sorted(added.items())}
    # Read whole (two ints per passage) before the COPY starts: the connection cannot fetch
    # from a cursor while a COPY is in progress.
    plan = plan_assignments(
        list(passages),
        [(member.reviewer_id, member.assigned) for member in members],
        campaign.overlap,
    )
    added: dict[int, int] = defaultdict(int)
    now = timezone.now()

    def rows() -> Iterator[tuple]:
        for (passage_id, document_id, index), reviewer_id in plan:
            added[reviewer_id] += 1
            yield (campaign.pk, passage_id, document_id, reviewer_id, "regular", index, now)

    insert_assignments(rows())
    for reviewer_id, count in added.items():
        by_id[reviewer_id].assigned += count
    CampaignMember.objects.bulk_update(members, ["assigned"])
    return {by_id[pk].reviewer.username: count for pk, count in sorted(added.items())}


def _assign_round_robin_sql(campaign: Campaign, passages, members) -> dict[int, int]:
    """``plan_assignments`` when every member holds as many assignments (always so when a
    campaign opens), run by PostgreSQL in one INSERT … SELECT.

    With equal loads the plan is a round-robin: slot ``n * overlap + j`` (passage ``n`` in
    reading order, ``j`` < overlap) goes to member ``slot mod pool`` in username order. Doing it
    in the database spares Python a row per assignment (300,000 when 100,000 passages open
    with overlap 3). tests/test_campaigns.py checks that both give the same assignments.
    """
    passage_sql, passage_params = (
        passages.order_by().values_list("pk", "document_id", "index").query.sql_with_params()
    )
    quote = connection.ops.quote_name
    meta = Assignment._meta
    columns = ", ".join(quote(meta.get_field(name).column) for name in _INSERT_COLUMNS)
    overlap, pool = campaign.overlap, len(members)
    statement = (
        f"INSERT INTO {quote(meta.db_table)} ({columns})"  # noqa: S608 (identifiers from models)
        " SELECT %s, p.id, p.document_id, r.reviewer, %s, p.position, %s FROM ("
        "  SELECT q.c1 AS id, q.c2 AS document_id, q.c3 AS position,"
        "   row_number() OVER (ORDER BY q.c2, q.c3) - 1 AS n"
        f"  FROM ({passage_sql}) AS q(c1, c2, c3)) p"
        " CROSS JOIN generate_series(0, %s - 1) AS j(slot)"
        " JOIN unnest(%s::bigint[]) WITH ORDINALITY AS r(reviewer, ord)"
        " ON r.ord - 1 = (p.n * %s + j.slot) %% %s"
    )
    params = [campaign.pk, Assignment.Kind.REGULAR, timezone.now(), *passage_params]
    params += [overlap, [member.reviewer_id for member in members], overlap, pool]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        slots = cursor.rowcount
    return {
        member.reviewer_id: slots // pool + (1 if order < slots % pool else 0)
        for order, member in enumerate(members)
        if slots // pool + (1 if order < slots % pool else 0)
    }


_INSERT_COLUMNS = (
    "campaign",
    "passage",
    "document",
    "reviewer",
    "kind",
    "position",
    "created_at",
)


_ASSIGNMENT_ATTRIBUTES = [Assignment._meta.get_field(name).attname for name in _INSERT_COLUMNS]


def insert_assignments(rows: Iterable[tuple]) -> None:
    """Bulk insert ``(campaign, passage, document, reviewer, kind, position, created_at)`` rows.

    PostgreSQL: one ``COPY`` streamed from the plan (a few MB of memory whatever the size);
    elsewhere ``bulk_create`` in batches.
    """
    meta = Assignment._meta
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        columns = ", ".join(quote(meta.get_field(name).column) for name in _INSERT_COLUMNS)
        statement = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return
    batch = []
    for row in rows:
        batch.append(Assignment(**dict(zip(_ASSIGNMENT_ATTRIBUTES, row, strict=True))))
        if len(batch) >= INSERT_BATCH:
            Assignment.objects.bulk_create(batch)
            batch = []
    Assignment.objects.bulk_create(batch)


# --- Later changes ------------------------------------------------------------------------------


def add_documents(
    campaign: Campaign, *, by, documents: Iterable[int] = (), document_filter: dict | None = None
) -> list[int]:
    """Add documents; in an open campaign assign only their passages (least-loaded first)."""
    _require_manager(by)
    errors: dict[str, list[str]] = {}
    document_ids = _clean_documents(documents, document_filter, errors)
    if errors:
        raise AnnotationInputError(errors)
    with transaction.atomic():
        campaign = _locked(campaign)
        if campaign.status == Campaign.Status.CLOSED:
            raise AnnotationInputError({"status": ["The campaign is closed."]})
        present = set(
            CampaignDocument.objects.filter(campaign=campaign).values_list("document_id", flat=True)
        )
        new = [pk for pk in document_ids if pk not in present]
        CampaignDocument.objects.bulk_create(
            CampaignDocument(campaign=campaign, document_id=pk) for pk in new
        )
        counts = {}
        if new and campaign.status == Campaign.Status.OPEN:
            members = _active_members(campaign)
            if campaign.overlap > len(members):
                raise AnnotationInputError(
                    {"overlap": ["Fewer active reviewers in the pool than the overlap."]}
                )
            passages = (
                Passage.objects.filter(document_id__in=new)
                .order_by("document_id", "index")
                .values_list("pk", "document_id", "index")
            )
            counts = _assign(campaign, passages, members)
            milestones.tell_assigned(campaign, _ids_of(members, counts), milestones.NEW_PASSAGES)
        record_action(
            actor=by,
            action="campaign.add_documents",
            target=campaign,
            reason="Documents added",
            details={"documents": new, "per_reviewer": counts},
        )
    return new


def add_reviewers(campaign: Campaign, *, by, reviewers: Iterable[str]) -> list[str]:
    """Add reviewers to the pool. Existing assignments stay where they are; newcomers, being
    the least loaded, come first for documents added later and for tie-breakers."""
    _require_manager(by)
    errors: dict[str, list[str]] = {}
    pool = _clean_reviewers(reviewers, errors)
    if errors:
        raise AnnotationInputError(errors)
    with transaction.atomic():
        campaign = _locked(campaign)
        if campaign.status == Campaign.Status.CLOSED:
            raise AnnotationInputError({"status": ["The campaign is closed."]})
        present = set(
            CampaignMember.objects.filter(campaign=campaign).values_list("reviewer_id", flat=True)
        )
        new = [user for user in pool if user.pk not in present]
        _add_members(campaign, new)
        names = [user.username for user in new]
        record_action(
            actor=by,
            action="campaign.add_reviewers",
            target=campaign,
            reason="Reviewers added",
            details={"reviewers": names},
        )
    return names


# --- Reassignment -------------------------------------------------------------------------------


def _judged(passage_ids: Iterable[int]) -> set[tuple[int, int]]:
    """(passage_id, reviewer_id) pairs with an active annotation."""
    return set(
        Annotation.objects.filter(passage_id__in=list(passage_ids), status=AnnotationStatus.ACTIVE)
        .values_list("passage_id", "reviewer_id")
        .distinct()
    )


def _open_assignments(campaign: Campaign, reviewer_id: int) -> list[Assignment]:
    from .queue import done_condition  # queue reads assignments; this module writes them

    return list(
        Assignment.objects.filter(campaign=campaign, reviewer_id=reviewer_id)
        .exclude(done_condition())
        .order_by("document_id", "passage_id")
    )


def _move(assignment: Assignment, to_id: int, members: dict[int, CampaignMember]) -> None:
    Assignment.objects.filter(pk=assignment.pk).update(reviewer_id=to_id)
    for reviewer_id, step in ((assignment.reviewer_id, -1), (to_id, 1)):
        member = members.get(reviewer_id)
        if member is not None:
            member.assigned = max(0, member.assigned + step)
    assignment.reviewer_id = to_id


def reassign_suspended(user: User, *, moderator, reason: str) -> dict[int, dict]:
    """Move a suspended reviewer's open assignments in open campaigns to other pool members.

    Called by ``moderation.suspend_reviewer`` in its transaction. Each passage goes to the
    least-loaded (then best-calibrated) active member who neither holds it nor judged it; a
    passage nobody can take stays where it is and is listed as ``unplaced``.
    """
    moved: dict[int, dict] = {}
    campaigns = Campaign.objects.filter(
        status=Campaign.Status.OPEN, members__reviewer_id=user.pk
    ).order_by("pk")
    for campaign in campaigns:
        open_rows = _open_assignments(campaign, user.pk)
        if not open_rows:
            continue
        members = {
            member.reviewer_id: member
            for member in CampaignMember.objects.select_for_update()
            .filter(campaign=campaign)
            .select_related("reviewer")
            .order_by("pk")
        }
        passage_ids = [row.passage_id for row in open_rows]
        holders: dict[int, set[int]] = defaultdict(set)
        for passage_id, reviewer_id in Assignment.objects.filter(
            campaign=campaign, passage_id__in=passage_ids
        ).values_list("passage_id", "reviewer_id"):
            holders[passage_id].add(reviewer_id)
        judged = _judged(passage_ids)
        details = {"from": user.username, "moves": [], "unplaced": []}
        receivers: set[int] = set()
        for row in open_rows:
            candidates = [
                (m.reviewer_id, m.assigned, m.calibration, m.reviewer.username)
                for m in members.values()
                if m.reviewer.is_active
                and m.reviewer_id != user.pk
                and m.reviewer_id not in holders[row.passage_id]
                and (row.passage_id, m.reviewer_id) not in judged
            ]
            to_id = least_loaded(candidates)
            if to_id is None:
                details["unplaced"].append(row.passage_id)
                continue
            holders[row.passage_id].add(to_id)
            receivers.add(to_id)
            _move(row, to_id, members)
            details["moves"].append([row.passage_id, members[to_id].reviewer.username])
        CampaignMember.objects.bulk_update(list(members.values()), ["assigned"])
        milestones.tell_assigned(campaign, receivers, milestones.PASSAGES_MOVED)
        record_action(
            actor=moderator,
            action="campaign.reassign_suspended",
            target=campaign,
            reason=reason,
            details=details,
        )
        moved[campaign.pk] = details
    return moved


def reassign(
    campaign: Campaign, *, passage_id: int, from_username: str, to_username: str, by, reason
) -> Assignment:
    """A campaign manager moves one open assignment to another pool member by hand (the API
    and the campaign's web page both call this)."""
    _require_manager(by)
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        errors["reason"] = ["A reason is required."]
    with transaction.atomic():
        campaign = _locked(campaign)
        members = {
            member.reviewer.username: member
            for member in CampaignMember.objects.select_for_update()
            .filter(campaign=campaign)
            .select_related("reviewer")
            .order_by("pk")
        }
        source, target = members.get(from_username), members.get(to_username)
        if campaign.status != Campaign.Status.OPEN:
            errors["status"] = [f"The campaign is {campaign.status}; only open ones change."]
        if source is None:
            errors["from"] = [f"{from_username!r} is not in the pool."]
        if target is None or not target.reviewer.is_active:
            errors["to"] = [f"{to_username!r} is not an active member of the pool."]
        assignment = None
        if source is not None:
            assignment = Assignment.objects.filter(
                campaign=campaign, passage_id=passage_id, reviewer_id=source.reviewer_id
            ).first()
            if assignment is None:
                errors["passage"] = [f"{from_username!r} holds no assignment for this passage."]
            elif (passage_id, source.reviewer_id) in _judged([passage_id]):
                errors["passage"] = ["That assignment is done; it cannot move."]
        if target is not None and assignment is not None and "to" not in errors:
            if Assignment.objects.filter(
                campaign=campaign, passage_id=passage_id, reviewer_id=target.reviewer_id
            ).exists():
                errors["to"] = [f"{to_username!r} already holds this passage."]
            elif (passage_id, target.reviewer_id) in _judged([passage_id]):
                errors["to"] = [f"{to_username!r} already judged this passage."]
        if errors:
            raise AnnotationInputError(errors)
        by_id = {member.reviewer_id: member for member in members.values()}
        _move(assignment, target.reviewer_id, by_id)
        CampaignMember.objects.bulk_update([source, target], ["assigned"])
        milestones.tell_assigned(campaign, [target.reviewer_id], milestones.PASSAGE_MOVED)
        record_action(
            actor=by,
            action="campaign.reassign",
            target=campaign,
            reason=reason,
            details={"passage": passage_id, "from": from_username, "to": to_username},
        )
    return assignment
