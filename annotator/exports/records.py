"""Rows → export records (plain dicts), streamed from a database cursor in batches.

Each function takes a queryset already filtered and ordered, iterates it with
``.iterator(chunk_size=...)`` (a server-side cursor on PostgreSQL) and does the lookups a
batch needs in one query per batch, so memory stays flat whatever the number of rows.
"""

from collections import defaultdict
from collections.abc import Iterator

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections
from django.db.models import OuterRef, QuerySet

from annotator.consensus.summary import flags_decided, reliability_decided
from annotator.labels import RELIABILITY_LABELS, reliability_label
from annotator.models import (
    Annotation,
    AnnotationRevision,
    Claim,
)

from .queries import batched

CHUNK_SIZE = 5000

ANNOTATION_COLUMNS = (
    "id",
    "document_id",
    "document__sha256",
    "reviewer__username",
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "reliability",
    "note",
    "evidence",
    "claim_id",
    "suggestion_id",
    "status",
    "version",
    "created_at",
    "updated_at",
)


def _iso(value):
    return value.isoformat() if value is not None else None


def annotation_records(
    queryset, *, include_history: bool = False, revisions: QuerySet | None = None
) -> Iterator[dict]:
    """The raw annotation records (the backup format). Key order is fixed: output is stable.

    With ``include_history``, each record's ``history`` lists its revisions found in
    ``revisions`` (default: all; the API passes ``visibility.visible_revisions(user)``, so a
    reviewer gets an empty history on other reviewers' annotations).
    """
    revisions = AnnotationRevision.objects.all() if revisions is None else revisions
    through = Annotation.flags.through
    # On PostgreSQL the flags come with each row (an array subquery); elsewhere one query a batch.
    inline_flags = connections[queryset.db].vendor == "postgresql"
    columns = ANNOTATION_COLUMNS
    if inline_flags:
        queryset = queryset.annotate(
            flag_slugs=ArraySubquery(
                through.objects.filter(annotation_id=OuterRef("pk"))
                .order_by("flagtype__slug")
                .values("flagtype__slug")
            )
        )
        columns = (*ANNOTATION_COLUMNS, "flag_slugs")
    rows = queryset.values_list(*columns).iterator(chunk_size=CHUNK_SIZE)
    for batch in batched(rows, CHUNK_SIZE):
        ids = [row[0] for row in batch]
        flags = defaultdict(list)
        if inline_flags:
            flags = {row[0]: row[18] for row in batch}
        else:
            for annotation_id, slug in (
                through.objects.filter(annotation_id__in=ids)
                .order_by("flagtype__slug")
                .values_list("annotation_id", "flagtype__slug")
            ):
                flags[annotation_id].append(slug)
        claim_ids = {row[12] for row in batch if row[12] is not None}
        claims = {
            pk: {"id": pk, "text": text, "language": language}
            for pk, text, language in Claim.objects.filter(pk__in=claim_ids).values_list(
                "pk", "text", "language"
            )
        }
        history = defaultdict(list)
        if include_history:  # rare (backups): one IN query a batch is fine
            for revision in (
                revisions.filter(annotation_id__in=ids)
                .order_by("annotation_id", "version", "id")
                .values_list(
                    "annotation_id",
                    "version",
                    "action",
                    "changed_by__username",
                    "changed_at",
                    "before",
                    "after",
                )
            ):
                history[revision[0]].append(
                    {
                        "version": revision[1],
                        "action": revision[2],
                        "changed_by": revision[3],
                        "changed_at": _iso(revision[4]),
                        "before": revision[5],
                        "after": revision[6],
                    }
                )
        for row in batch:
            record = {
                "id": row[0],
                "document": row[1],
                "document_sha256": row[2],
                "reviewer": row[3],
                "start": row[4],
                "end": row[5],
                "exact": row[6],
                "prefix": row[7],
                "suffix": row[8],
                "reliability": row[9],
                "reliability_label": RELIABILITY_LABELS.get(row[9]),
                "flags": flags.get(row[0], []),
                "note": row[10],
                "evidence": row[11],
                "claim": claims.get(row[12]),
                "suggestion": row[13],
                "status": row[14],
                "version": row[15],
                "created_at": _iso(row[16]),
                "updated_at": _iso(row[17]),
            }
            if include_history:
                record["history"] = history.get(row[0], [])
            yield record


WEB_ANNOTATION_COLUMNS = (
    "id",
    "document_id",
    "document__language",
    "reviewer_id",
    "reviewer__username",
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "reliability",
    "note",
    "status",
    "created_at",
    "updated_at",
)


def annotation_web_rows(queryset) -> Iterator[dict]:
    """What a W3C Web Annotation item needs of each annotation (times kept as datetimes)."""
    through = Annotation.flags.through
    for batch in batched(
        queryset.values_list(*WEB_ANNOTATION_COLUMNS).iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE
    ):
        flags = defaultdict(list)
        for annotation_id, slug in (
            through.objects.filter(annotation_id__in=[row[0] for row in batch])
            .order_by("flagtype__slug")
            .values_list("annotation_id", "flagtype__slug")
        ):
            flags[annotation_id].append(slug)
        for row in batch:
            yield {
                "id": row[0],
                "document": row[1],
                "document_language": row[2],
                "reviewer_id": row[3],
                "reviewer": row[4],
                "start": row[5],
                "end": row[6],
                "exact": row[7],
                "prefix": row[8],
                "suffix": row[9],
                "reliability": row[10],
                "reliability_label": RELIABILITY_LABELS.get(row[10]),
                "flags": flags.get(row[0], []),
                "note": row[11],
                "status": row[12],
                "created_at": row[13],
                "updated_at": row[14],
            }


CONSENSUS_COLUMNS = (
    "id",
    "key",
    "kind",
    "document_id",
    "passage_id",
    "claim_id",
    "start",
    "end",
    "reviewer_count",
    "rating_count",
    "median_reliability",
    "q1_reliability",
    "q3_reliability",
    "rating_distribution",
    "flag_support",
    "computed_status",
    "status",
    "adjudicated_reliability",
    "adjudicated_flags",
    "adjudication_reason",
    "adjudicated_at",
    "adjudication_stale",
    "updated_at",
)


def consensus_records(
    queryset, *, flag_upper: float, quotes: bool = False, raw_times: bool = False
) -> Iterator[dict]:
    """Consensus records; ``quotes`` adds the span's text, ``raw_times`` keeps datetimes."""
    columns = list(CONSENSUS_COLUMNS)
    if quotes:
        columns += ["exact", "prefix", "suffix", "document__language"]
    iso = (lambda value: value) if raw_times else _iso
    for row in queryset.values(*columns).iterator(chunk_size=CHUNK_SIZE):
        yield _consensus_record(row, flag_upper, quotes, iso)


def _consensus_record(row: dict, flag_upper: float, quotes: bool, iso) -> dict:
    median = row["median_reliability"]
    decided = reliability_decided(row["status"], row["adjudicated_reliability"], median)
    record = {
        "id": row["id"],
        "key": row["key"],
        "kind": row["kind"],
        "document": row["document_id"],
        "passage": row["passage_id"],
        "claim": row["claim_id"],
        "start": row["start"],
        "end": row["end"],
        "reviewer_count": row["reviewer_count"],
        "rating_count": row["rating_count"],
        "median_reliability": median,
        "median_label": reliability_label(median),
        "q1_reliability": row["q1_reliability"],
        "q3_reliability": row["q3_reliability"],
        "rating_distribution": row["rating_distribution"],
        "flag_support": row["flag_support"],
        "computed_status": row["computed_status"],
        "status": row["status"],
        "decided_reliability": decided,
        "decided_label": reliability_label(decided),
        "decided_flags": flags_decided(
            row["status"], row["adjudicated_flags"], row["flag_support"], flag_upper
        ),
        "adjudication_reason": row["adjudication_reason"],
        "adjudicated_at": iso(row["adjudicated_at"]),
        "adjudication_stale": row["adjudication_stale"],
        "updated_at": iso(row["updated_at"]),
    }
    if quotes:
        for name in ("exact", "prefix", "suffix"):
            record[name] = row[name]
        record["document_language"] = row["document__language"]
    return record
