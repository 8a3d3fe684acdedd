"""Complete exports: queryset + format → (text chunks, content type, next cursor).

Shared by the API (streamed over HTTP) and ``manage.py export`` (written to a file), so both
produce the same bytes. On PostgreSQL the rows are read inside a transaction through a
server-side cursor (``.iterator(chunk_size=...)``), which streams without materialising.
"""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, transaction

from annotator.db_routing import export_database_alias
from annotator.models import Annotation, Consensus
from annotator.visibility import visible_revisions

from . import formats, parquet, pgrows, records, sync, webanno
from .links import Links

CONTENT_TYPES = {
    "jsonl": "application/x-ndjson; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "jsonld": "application/ld+json",
    "claimreview": "application/ld+json",
    "parquet": parquet.CONTENT_TYPE,
}
CONSENSUS_FORMATS = ("jsonl", "json", "csv", "jsonld", "claimreview", "parquet")
ANNOTATION_FORMATS = ("jsonl", "json", "csv", "jsonld", "parquet")

CONSENSUS_CSV_COLUMNS = [
    "key",
    "kind",
    "document",
    "passage",
    "claim",
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "reviewer_count",
    "rating_count",
    "median_reliability",
    "median_label",
    "q1_reliability",
    "q3_reliability",
    "status",
    "computed_status",
    "decided_reliability",
    "decided_label",
    "decided_flags",
    "flag_support",
    "rating_distribution",
    "adjudication_reason",
    "adjudication_stale",
    "updated_at",
    "deleted_at",
]
ANNOTATION_CSV_COLUMNS = [
    "id",
    "document",
    "document_sha256",
    "reviewer",
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "reliability",
    "reliability_label",
    "flags",
    "note",
    "evidence",
    "claim_id",
    "claim_text",
    "claim_language",
    "status",
    "version",
    "created_at",
    "updated_at",
    "deleted_at",
]
MODERATION_ACTION_KEYS = (
    "id",
    "actor",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "reason",
    "details",
)


@dataclass
class Export:
    chunks: Iterator[str]
    content_type: str
    next_cursor: str | None
    filename: str


def _fast(alias: str) -> bool:
    """PostgreSQL writes the rows' text itself (``pgrows``); elsewhere Python does.

    ``ANNOTATOR["EXPORT_FAST_PATHS"] = False`` turns the fast paths off (the same bytes, slower).
    """
    enabled = settings.ANNOTATOR.get("EXPORT_FAST_PATHS", True)
    return enabled and connections[alias].vendor == "postgresql"


def _streamed(chunks: Iterator[str], alias: str) -> Iterator[str]:
    """Keep PostgreSQL's server-side cursors inside one transaction while the export streams."""
    if connections[alias].vendor != "postgresql":
        yield from chunks
        return
    with transaction.atomic(using=alias):
        with connections[alias].cursor() as cursor:
            # The fast paths' queries are long expressions over every row: PostgreSQL's JIT
            # compiler judged them costly and spent about a second compiling each (measured
            # with EXPLAIN ANALYZE), more than running them. They gain nothing from it.
            cursor.execute("SET LOCAL jit = off")
            if settings.ANNOTATOR.get("EXPORT_PARALLEL", True):
                # The planner does not count what the row expressions cost, so it judges
                # parallel workers not worth starting; for a consensus row written with no
                # sub-select they halve the database's time (docs/exports.md, Speed).
                cursor.execute("SET LOCAL parallel_setup_cost = 0")
                cursor.execute("SET LOCAL parallel_tuple_cost = 0")
        yield from chunks


def consensus_export(
    queryset,
    fmt: str,
    *,
    cursor: str | None = None,
    links: Links | None = None,
    excel: bool = False,
    requester=None,
    candidates=None,
    since=None,
) -> Export:
    """``queryset``: the rows this requester may export now (visibility and filters applied).

    ``candidates``: the same filters without visibility, to find the rows that left the
    export since ``cursor`` / ``since`` (tombstones, see ``sync``); None: no tombstones.
    """
    links = links or Links.from_settings()
    alias = export_database_alias()
    upper = settings.ANNOTATOR["FLAG_DISPUTE_UPPER"]
    if fmt == "claimreview":
        # Exactly the published fact-checks (public), whatever the consensus filters say.
        from annotator.factchecks.export import claim_reviews  # factchecks builds on exports

        reviews, next_cursor = claim_reviews(cursor=cursor, since=since, links=links)
        chunks = formats.claim_review_graph(reviews)
        return Export(
            _streamed(chunks, alias), CONTENT_TYPES[fmt], next_cursor, "claimreview.jsonld"
        )
    if fmt == "jsonld":
        queryset = queryset.exclude(kind=Consensus.Kind.CLAIM)
    if candidates is not None:
        candidates = candidates.using(alias)
        if fmt == "jsonld":
            candidates = candidates.exclude(kind=Consensus.Kind.CLAIM)
    pull = sync.consensus_pull(
        requester, queryset.using(alias), candidates, cursor=cursor, since=since
    )
    queryset, next_cursor = pull.rows, pull.next_cursor
    gone = _consensus_gone(pull.gone)
    fast = _fast(alias)
    if fmt == "jsonld":
        if fast:
            items = pgrows.consensus_jsonld(queryset, links)
        else:
            rows = records.consensus_records(
                queryset, flag_upper=upper, quotes=True, raw_times=True
            )
            items = (webanno.consensus_item(row, links) for row in rows)
        annotations = itertools.chain(
            items,
            (
                webanno.tombstone(links.consensus(key), status, deleted)
                for _, key, status, deleted in gone
            ),
        )
        chunks = formats.web_annotation_collection(
            annotations, collection_id=links.export("consensus"), label="Consensus"
        )
    else:
        lines, tables = (), ()
        if fast and fmt in ("jsonl", "json"):
            rows = pgrows.consensus_json(queryset)
        elif fast and fmt == "csv":
            rows, lines = (), pgrows.consensus_csv(queryset, formats.csv_newline(excel))
        elif fast and fmt == "parquet":
            rows, tables = (), _consensus_parquet_tables(queryset)
        else:
            rows = records.consensus_records(queryset, flag_upper=upper, quotes=fmt == "csv")
        tombstones = (
            {"id": pk, "key": key, "status": status, "deleted_at": _iso(deleted)}
            for pk, key, status, deleted in gone
        )
        if fmt == "parquet":
            chunks = parquet.parquet_document(
                itertools.chain(rows, tombstones), "consensus", tables=tables
            )
            return Export(
                _streamed(chunks, alias), CONTENT_TYPES[fmt], next_cursor, "consensus.parquet"
            )
        chunks = _plain(
            fmt,
            itertools.chain(rows, tombstones),
            next_cursor,
            CONSENSUS_CSV_COLUMNS,
            excel=excel,
            lines=lines,
        )
    return Export(
        _streamed(chunks, alias), CONTENT_TYPES[fmt], next_cursor, f"consensus.{_ext(fmt)}"
    )


def _consensus_parquet_tables(queryset):
    """Row groups of consensus rows, their columns written by PostgreSQL (``pgrows``)."""
    map_keys = pgrows.consensus_map_keys(queryset.db)
    columns = pgrows.consensus_parquet_columns(map_keys)
    blocks = pgrows.csv_rows(queryset, [sql for _, sql in columns], parquet.ROW_GROUP)
    return parquet.consensus_tables(blocks, [name for name, _ in columns], map_keys)


def _consensus_gone(gone):
    if gone is None:
        return []
    return gone.values_list("pk", "key", "gone_status", "event_at").iterator(
        chunk_size=records.CHUNK_SIZE
    )


def _iso(value) -> str:
    return value.isoformat()


def annotations_export(
    queryset,
    fmt: str = "jsonl",
    *,
    cursor: str | None = None,
    include_history: bool = False,
    links: Links | None = None,
    excel: bool = False,
    requester=None,
    candidates=None,
    since=None,
) -> Export:
    """As ``consensus_export``: rows now, plus tombstones when ``candidates`` is given.
    History is only what ``requester`` may see (``visibility.visible_revisions``); ``None``
    (backups, commands): all of it."""
    links = links or Links.from_settings()
    alias = export_database_alias()
    pull = sync.annotation_pull(
        requester,
        queryset.using(alias),
        None if candidates is None else candidates.using(alias),
        cursor=cursor,
        since=since,
    )
    queryset, next_cursor = pull.rows, pull.next_cursor
    gone = (
        []
        if pull.gone is None
        else pull.gone.values_list("pk", "gone_status", "event_at").iterator(
            chunk_size=records.CHUNK_SIZE
        )
    )
    fast = _fast(alias) and not include_history  # history: the Python path only
    if fmt == "jsonld":
        if _fast(alias):
            items = pgrows.annotation_jsonld(queryset, links)
        else:
            rows = records.annotation_web_rows(queryset)
            items = (webanno.annotation_item(row, links) for row in rows)
        annotations = itertools.chain(
            items,
            (
                webanno.tombstone(links.annotation(pk), status, deleted)
                for pk, status, deleted in gone
            ),
        )
        chunks = formats.web_annotation_collection(
            annotations, collection_id=links.export("annotations"), label="Annotations"
        )
        return Export(
            _streamed(chunks, alias), CONTENT_TYPES[fmt], next_cursor, "annotations.jsonld"
        )
    tombstones = (
        {"id": pk, "status": status, "deleted_at": _iso(deleted)} for pk, status, deleted in gone
    )
    if fast and fmt == "parquet":
        chunks = parquet.parquet_document(
            tombstones, "annotations", lines=pgrows.annotation_json(queryset)
        )
        return Export(
            _streamed(chunks, alias), CONTENT_TYPES[fmt], next_cursor, "annotations.parquet"
        )
    if fast and fmt in ("jsonl", "json", "csv"):
        lines, rows = (), ()
        if fmt == "csv":
            lines = pgrows.annotation_csv(queryset, formats.csv_newline(excel))
        else:
            rows = pgrows.annotation_json(queryset)
        chunks = _plain(
            fmt,
            itertools.chain(rows, tombstones),
            next_cursor,
            ANNOTATION_CSV_COLUMNS,
            excel=excel,
            lines=lines,
        )
    else:
        rows = records.annotation_records(
            queryset, include_history=include_history, revisions=visible_revisions(requester)
        )
        if fmt in ("csv", "parquet"):
            rows = map(_flat_claim, rows)
        if fmt == "parquet":
            chunks = parquet.parquet_document(itertools.chain(rows, tombstones), "annotations")
            return Export(
                _streamed(chunks, alias), CONTENT_TYPES[fmt], next_cursor, "annotations.parquet"
            )
        chunks = _plain(
            fmt,
            itertools.chain(rows, tombstones),
            next_cursor,
            ANNOTATION_CSV_COLUMNS,
            excel=excel,
        )
    return Export(
        _streamed(chunks, alias), CONTENT_TYPES[fmt], next_cursor, f"annotations.{_ext(fmt)}"
    )


def annotation_jsonld(pk: int, links: Links | None = None) -> dict:
    """The Web Annotation item (or Tombstone) the exports carry for annotation ``pk``."""
    (row,) = records.annotation_web_rows(Annotation.objects.filter(pk=pk))
    return webanno.annotation_item(row, links or Links.from_settings())


def consensus_jsonld(pk: int, links: Links | None = None) -> dict:
    """The Web Annotation item the consensus export carries for consensus row ``pk``."""
    upper = settings.ANNOTATOR["FLAG_DISPUTE_UPPER"]
    (row,) = records.consensus_records(
        Consensus.objects.filter(pk=pk), flag_upper=upper, quotes=True, raw_times=True
    )
    return webanno.consensus_item(row, links or Links.from_settings())


def moderation_actions_export(queryset) -> Export:
    alias = export_database_alias()
    rows = (
        queryset.using(alias)
        .order_by("id")
        .values_list(
            "id",
            "actor__username",
            "action",
            "target_type",
            "target_id",
            "target_repr",
            "reason",
            "details",
            "created_at",
        )
        .iterator(chunk_size=records.CHUNK_SIZE)
    )
    chunks = formats.json_lines(
        {
            **dict(zip(MODERATION_ACTION_KEYS, row[:-1], strict=True)),
            "created_at": row[-1].isoformat(),
        }
        for row in rows
    )
    return Export(_streamed(chunks, alias), CONTENT_TYPES["jsonl"], None, "moderation.jsonl")


def _flat_claim(record: dict) -> dict:
    """A CSV row names the claim in three plain columns instead of a nested object."""
    claim = record["claim"] or {}
    record["claim_id"] = claim.get("id")
    record["claim_text"] = claim.get("text")
    record["claim_language"] = claim.get("language")
    return record


def _plain(
    fmt: str, rows, next_cursor, csv_columns, *, excel: bool = False, lines=()
) -> Iterator[str]:
    if fmt == "jsonl":
        return formats.json_lines(rows)
    if fmt == "json":
        return formats.json_document(rows, next_cursor=next_cursor)
    if fmt == "csv":
        return formats.csv_document(rows, csv_columns, excel=excel, lines=lines)
    raise ValueError(f"Unknown export format {fmt!r}.")


def _ext(fmt: str) -> str:
    return {"claimreview": "jsonld"}.get(fmt, fmt)
