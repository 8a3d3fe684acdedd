"""Restoring the raw annotations export (JSON Lines, with history) into a database.

The restore keeps ids, versions, statuses and timestamps, so exporting again gives the same
bytes. It is a data restore, not a review action, so it writes rows directly (in one
transaction) and then rebuilds consensus from scratch instead of going through the write path.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.management.color import no_style
from django.db import connection, transaction

from annotator import consensus
from annotator.models import (
    Annotation,
    AnnotationRevision,
    Claim,
    Document,
    FlagType,
    Passage,
    Suggestion,
    User,
)


class RestoreError(ValueError):
    pass


@dataclass
class RestoreReport:
    annotations: int = 0
    revisions: int = 0
    claims_created: int = 0
    users_created: list[str] = field(default_factory=list)
    skipped_existing: int = 0


def _parse_time(value):
    return datetime.fromisoformat(value) if value else None


def restore_annotations(lines: Iterable[str], *, skip_existing: bool = False) -> RestoreReport:
    report = RestoreReport()
    users: dict[str, User] = {}
    flags = {flag.slug: flag for flag in FlagType.objects.all()}
    documents: dict[str, Document] = {}

    def user(username):
        if username is None:
            return None
        if username not in users:
            found, created = User.objects.get_or_create(username=username)
            if created:
                found.set_unusable_password()
                found.save(update_fields=["password"])
                report.users_created.append(username)
            users[username] = found
        return users[username]

    def document(sha256):
        if sha256 not in documents:
            found = Document.objects.filter(sha256=sha256).first()
            if found is None:
                raise RestoreError(
                    f"No document with body SHA-256 {sha256}: import the documents first."
                )
            documents[sha256] = found
        return documents[sha256]

    with transaction.atomic():
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as error:
                raise RestoreError(f"Line {number}: not JSON ({error}).") from None
            try:
                _restore_one(record, report, user, document, flags, skip_existing)
            except (KeyError, TypeError, ValueError) as error:
                raise RestoreError(f"Line {number}: {error!r}") from None
        if connection.vendor == "postgresql":
            sql = connection.ops.sequence_reset_sql(
                no_style(), [Annotation, AnnotationRevision, Claim, User]
            )
            with connection.cursor() as cursor:
                for statement in sql:
                    cursor.execute(statement)
        consensus.recompute_all()
    return report


def _restore_one(record, report, user, document, flags, skip_existing):
    if Annotation.objects.filter(pk=record["id"]).exists():
        if skip_existing:
            report.skipped_existing += 1
            return
        raise RestoreError(f"Annotation {record['id']} already exists (use --skip-existing).")
    doc = document(record["document_sha256"])
    claim = None
    if record["claim"] is not None:
        data = record["claim"]
        claim = Claim.objects.filter(pk=data["id"]).first()
        if claim is None:
            claim = Claim.objects.create(
                id=data["id"], text=data["text"], language=data["language"]
            )
            report.claims_created += 1
        elif claim.text != data["text"]:
            raise RestoreError(f"Claim {data['id']} exists with a different text.")
    unknown = [slug for slug in record["flags"] if slug not in flags]
    if unknown:
        raise RestoreError(f"Unknown flags {unknown}.")
    suggestion_id = record["suggestion"]
    if suggestion_id is not None and not Suggestion.objects.filter(pk=suggestion_id).exists():
        suggestion_id = None
    annotation = Annotation.objects.create(
        id=record["id"],
        document=doc,
        passage=Passage.objects.filter(document=doc, start__lte=record["start"])
        .order_by("-start")
        .first(),
        reviewer=user(record["reviewer"]),
        start=record["start"],
        end=record["end"],
        exact=record["exact"],
        prefix=record["prefix"],
        suffix=record["suffix"],
        reliability=record["reliability"],
        note=record["note"],
        evidence=record["evidence"],
        claim=claim,
        suggestion_id=suggestion_id,
        status=record["status"],
        version=record["version"],
        updated_at=_parse_time(record["updated_at"]),
    )
    # created_at is auto_now_add: set the stored value afterwards.
    Annotation.objects.filter(pk=annotation.pk).update(created_at=_parse_time(record["created_at"]))
    annotation.flags.set([flags[slug] for slug in record["flags"]])
    revisions = [
        AnnotationRevision(
            annotation=annotation,
            version=entry["version"],
            action=entry["action"],
            changed_by=user(entry["changed_by"]),
            changed_at=_parse_time(entry["changed_at"]),
            before=entry["before"],
            after=entry["after"],
        )
        for entry in record.get("history", [])
    ]
    AnnotationRevision.objects.bulk_create(revisions)
    report.annotations += 1
    report.revisions += len(revisions)
