# ruff: noqa: S608 -- SQL built from constants and literal()-escaped settings, no user input
"""Export rows written by PostgreSQL: the fast paths of JSON Lines, JSON, CSV and JSON-LD.

Each function takes the export's queryset (visibility, filters, cursor bound and order already
applied by ``streams``/``sync``) and only annotates it with the row's text, so the rows are
exactly those the visibility policy allows. The text is byte for byte what the Python path
(``records`` → ``formats``/``webanno``) writes; tests/test_exports_fastpaths.py checks it.
Consensus rows carry their quotes (``annotator.quotes``), so every row is one expression, and
the rows are sent by ``COPY ... TO STDOUT`` (see ``_lines``).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, OuterRef, Value

from annotator.consensus.summary import RATING_SCALE
from annotator.labels import RELIABILITY_LABELS
from annotator.models import (
    Annotation,
    AnnotationStatus,
    Consensus,
    ConsensusStatus,
    FlagType,
)

from . import formats, webanno
from .links import Links
from .pgtext import (
    Sql,
    concat,
    csv_bool,
    csv_float,
    csv_jsonb_list,
    csv_line,
    csv_list_item,
    csv_plain,
    csv_slug_map,
    csv_text,
    csv_text_array,
    iso_time,
    json_bool,
    json_float,
    json_int,
    json_jsonb_list,
    json_object,
    json_plain_text,
    json_slug_map,
    json_text,
    json_text_array,
    json_time,
    jsonb_key_order,
    literal,
)

_PK = 918273645  # a sentinel id, to split an IRI template around the id
_KEY = "KEY-SENTINEL"


def _iri(build, sentinel, expression) -> Sql:
    """The JSON string of ``build(value)`` (a ``Links`` method), the value from the database."""
    before, after = build(sentinel).split(str(sentinel))
    return json_text(concat(before, Sql("(⟨x⟩)::text", x=expression), after))


def _flag_slugs():
    through = Annotation.flags.through
    return ArraySubquery(
        through.objects.filter(annotation_id=OuterRef("pk"))
        .order_by("flagtype__slug")
        .values("flagtype__slug")
    )


def _csv_safe(text: str) -> bool:
    return formats.csv_cell(text) == text and not any(c in text for c in ',"\r\n')


# Labels, statuses and kinds go into CSV without the guard and quoting (``csv_plain``), and into
# JSON without escaping (``json_plain_text``).
assert all(map(_csv_safe, RELIABILITY_LABELS.values()))
assert all(_csv_safe(value) for value in (*ConsensusStatus.values, *Consensus.Kind.values))
assert all(_csv_safe(value) for value in AnnotationStatus.values)
assert all(
    formats.dumps(value) == f'"{value}"'
    for value in (*ConsensusStatus.values, *Consensus.Kind.values, *AnnotationStatus.values)
)


def _label(expression, *, as_json: bool = False) -> Sql:
    """``labels.reliability_label``: round half up onto 1..5, then the label; NULL for NULL.

    ``as_json``: the label's JSON string (``null`` for NULL), written as a literal.
    """
    write = formats.dumps if as_json else str
    cases = " ".join(
        f"WHEN {value} THEN {literal(write(text))}" for value, text in RELIABILITY_LABELS.items()
    )
    return Sql(
        "CASE WHEN ⟨x⟩ IS NULL THEN " + ("'null'" if as_json else "NULL") + " ELSE CASE "
        "LEAST(5, GREATEST(1, floor((⟨x⟩)::float8 + 0.5)))::int " + cases + " END END",
        x=expression,
    )


@contextmanager
def _copy(queryset, expressions, options: str):
    """``COPY (query) TO STDOUT WITH (options)`` of ``expressions`` over the queryset's rows
    (psycopg's ``Copy``; None for a filter that can match nothing).

    A server-side cursor makes PostgreSQL wait between fetches while Python sends the rows
    on; COPY streams, so PostgreSQL writes the next rows while Python sends these (the two
    run side by side on two cores). The rows are the queryset's exactly: its SQL is copied.
    """
    names = [f"export_{index}" for index in range(len(expressions))]
    query = queryset.annotate(**dict(zip(names, expressions, strict=True)))
    query = query.values_list(*names).query
    try:
        sql, params = query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:  # a filter that matches nothing (``.none()``, an empty ``__in``)
        yield None
        return
    with (
        connections[queryset.db].cursor() as cursor,
        cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH ({options})", params) as copy,
    ):
        yield copy


def _lines(queryset, expression) -> Iterator[formats.Written]:
    """Blocks of about 64 KB of rows, each the text of ``expression`` and a ``\\n``.

    COPY's binary format sends each text as it is (the text format escapes backslashes and
    line ends, which cost a pass over every block to undo); psycopg makes each a ``str`` in C.
    ``expression`` is never NULL.
    """
    with _copy(queryset, [expression], "FORMAT binary") as copy:
        if copy is None:
            return
        copy.set_types(["text"])
        rows, size = [], 0
        for (text,) in copy.rows():
            rows.append(text)
            size += len(text)
            if size >= _BLOCK_BYTES:
                rows.append("")
                yield formats.Written("\n".join(rows))
                rows, size = [], 0
        if rows:
            rows.append("")
            yield formats.Written("\n".join(rows))


_BLOCK_BYTES = formats.CHUNK_CHARS


def csv_rows(queryset, expressions, rows: int) -> Iterator[bytes]:
    """Blocks of ``rows`` rows (the last may have fewer), one CSV column per expression, as
    PostgreSQL's ``COPY ... (FORMAT csv)`` writes them: NULL is an empty unquoted field, an
    empty string ``""``, booleans ``t``/``f``, times in the session's zone (UTC)."""
    with _copy(queryset, expressions, "FORMAT csv") as copy:
        if copy is None:
            return
        block, count = bytearray(), 0
        for data in copy:  # one row each: PostgreSQL sends a row of a COPY as one message
            block += data
            count += 1
            if count == rows:
                yield bytes(block)
                block, count = bytearray(), 0
        if count:
            yield bytes(block)


# Annotations


def _annotation_claim_json():
    return Sql(
        "CASE WHEN ⟨id⟩ IS NULL THEN 'null' ELSE ⟨object⟩ END",
        id=F("claim_id"),
        object=json_object(
            ("id", json_int(F("claim__id"))),
            ("text", json_text(F("claim__text"))),
            ("language", json_text(F("claim__language"))),
        ),
    )


def annotation_json(queryset) -> Iterator[str]:
    """``records.annotation_records`` (no history) as ``formats.dumps`` writes each record."""
    record = json_object(
        ("id", json_int(F("id"))),
        ("document", json_int(F("document_id"))),
        ("document_sha256", json_text(F("document__sha256"))),
        ("reviewer", json_text(F("reviewer__username"))),
        ("start", json_int(F("start"))),
        ("end", json_int(F("end"))),
        ("exact", json_text(F("exact"))),
        ("prefix", json_text(F("prefix"))),
        ("suffix", json_text(F("suffix"))),
        ("reliability", json_int(F("reliability"))),
        ("reliability_label", _label(F("reliability"), as_json=True)),
        ("flags", json_text_array(_flag_slugs())),
        ("note", json_text(F("note"))),
        ("evidence", json_jsonb_list(F("evidence"))),
        ("claim", _annotation_claim_json()),
        ("suggestion", json_int(F("suggestion_id"))),
        ("status", json_plain_text(F("status"))),
        ("version", json_int(F("version"))),
        ("created_at", json_time(F("created_at"))),
        ("updated_at", json_time(F("updated_at"))),
    )
    return _lines(queryset, record)


def annotation_csv(queryset, newline: str) -> Iterator[formats.Written]:
    """One ``formats.csv_document`` row per annotation (``streams.ANNOTATION_CSV_COLUMNS``)."""
    line = csv_line(
        [
            csv_plain(F("id")),
            csv_plain(F("document_id")),
            csv_plain(F("document__sha256")),
            csv_text(F("reviewer__username")),
            csv_plain(F("start")),
            csv_plain(F("end")),
            csv_text(F("exact")),
            csv_text(F("prefix")),
            csv_text(F("suffix")),
            csv_plain(F("reliability")),
            csv_plain(_label(F("reliability"))),
            csv_text_array(_flag_slugs()),
            csv_text(F("note")),
            csv_jsonb_list(F("evidence")),
            csv_plain(F("claim_id")),
            csv_text(F("claim__text")),
            csv_text(F("claim__language")),
            csv_plain(F("status")),
            csv_plain(F("version")),
            csv_plain(iso_time(F("created_at"))),
            csv_plain(iso_time(F("updated_at"))),
            "",  # deleted_at: only tombstones have one
        ],
        newline,
    )
    return _lines(queryset, line)


def _text_body(value, purpose: str, language: str | None = webanno.SERVICE_LANGUAGE) -> Sql:
    """``webanno._text``: ``value`` an expression writing a JSON string."""
    tail = "," + formats.dumps("language") + ":" + formats.dumps(language) if language else ""
    return concat(
        '{"type":"TextualBody","purpose":' + formats.dumps(purpose) + ',"format":"text/plain",'
        '"value":',
        value,
        tail + "}",
    )


_TAG_HEAD = '{"type":"TextualBody","purpose":"tagging","format":"text/plain","value":'
_TAG_TAIL = ',"language":' + formats.dumps(webanno.SERVICE_LANGUAGE) + "}"


def _tagging_body(slug: str) -> str:
    """SQL: ``,{tagging body}`` of ``slug`` (SQL text), or nothing for NULL."""
    return (
        f"CASE WHEN ({slug}) IS NULL THEN '' ELSE "
        + literal("," + _TAG_HEAD)
        + f" || to_json({slug})::text || "
        + literal(_TAG_TAIL)
        + " END"
    )


def _tagging_bodies(slugs) -> Sql:
    """``,{tagging body}`` for each slug of a ``text[]``, in order (``annotator_json_items``,
    migration 0017: a function, so the row keeps no sub-select and may be written by parallel
    workers); NULL gives nothing."""
    return Sql(
        "COALESCE(annotator_json_items(⟨x⟩, "
        + literal("," + _TAG_HEAD)
        + ", "
        + literal(_TAG_TAIL)
        + "), '')",
        x=slugs,
    )


def _rating_text(reliability, label, *, fractional: bool) -> Sql:
    """``webanno.rating_text``: ``Reliability {value:g}/5 ({label})`` or ``Not rated``.

    ``fractional``: a float, written as ``:g`` writes a rating (``3``, ``2.5``; ratings have
    at most a few decimals, far below ``:g``'s six significant digits).
    """
    number = "trim_scale(round((⟨r⟩)::numeric, 5))::text" if fractional else "(⟨r⟩)::text"
    return Sql(
        "CASE WHEN ⟨r⟩ IS NULL THEN 'Not rated' ELSE 'Reliability ' || "
        + number
        + " || '/5 (' || COALESCE(⟨l⟩, 'None') || ')' END",
        r=reliability,
        l=label,
    )


def _target(links: Links) -> Sql:
    """``webanno._target`` of a row with the span's quote and offsets (annotations and
    consensus rows both store them under the same names)."""
    return concat(
        '{"type":"SpecificResource","source":{"id":',
        _iri(links.document, _PK, F("document_id")),
        ',"type":"Text","format":"text/plain"',
        Sql(
            "CASE WHEN COALESCE(⟨l⟩, '') = '' THEN '' "
            "ELSE ',\"language\":' || to_json(⟨l⟩)::text END",
            l=F("document__language"),
        ),
        '},"selector":[{"type":"TextQuoteSelector","exact":',
        json_text(F("exact")),
        ',"prefix":',
        json_text(F("prefix")),
        ',"suffix":',
        json_text(F("suffix")),
        '},{"type":"TextPositionSelector","start":',
        json_int(F("start")),
        ',"end":',
        json_int(F("end")),
        "}]}",
    )


def _annotation_head(links: Links, iri, modified, creator, bodies, created=None) -> list:
    """``webanno._annotation`` up to ``"target":``."""
    parts = [
        '{"@context":' + formats.dumps(webanno.W3C_ANNO_CONTEXT) + ',"id":',
        iri,
        ',"type":"Annotation","motivation":"assessing"',
    ]
    if created is not None:
        parts.append(
            Sql(
                "CASE WHEN ⟨c⟩ IS NULL THEN '' ELSE ',\"created\":' || ⟨t⟩ END",
                c=created,
                t=json_time(created, z=True),
            )
        )
    agent = formats.dumps(webanno.software_agent(links))
    parts += [',"modified":', json_time(modified, z=True), ',"creator":', creator]
    parts += [',"generator":' + agent + ',"body":[', *bodies, '],"target":']
    return parts


def annotation_jsonld(queryset, links: Links) -> Iterator[str]:
    """``webanno.annotation_item`` of each annotation (a Tombstone unless active)."""
    iri = _iri(links.annotation, _PK, F("id"))
    nickname = json_text(F("reviewer__username"))
    creator = Sql(
        "CASE WHEN ⟨id⟩ IS NULL THEN ⟨anonymous⟩ ELSE ⟨named⟩ END",
        id=F("reviewer_id"),
        anonymous=concat('{"type":"Person","nickname":', nickname, "}"),
        named=concat(
            '{"id":',
            _iri(links.reviewer, _PK, F("reviewer_id")),
            ',"type":"Person","nickname":',
            nickname,
            "}",
        ),
    )
    assessment = _text_body(
        json_text(_rating_text(F("reliability"), _label(F("reliability")), fractional=False)),
        "assessing",
    )
    note = Sql(
        "CASE WHEN COALESCE(⟨n⟩, '') = '' THEN '' ELSE ',' || ⟨body⟩ END",
        n=F("note"),
        body=_text_body(json_text(F("note")), "commenting", language=None),
    )
    live = concat(
        *_annotation_head(
            links,
            iri,
            F("updated_at"),
            creator,
            [assessment, _tagging_bodies(_flag_slugs()), note],
            created=F("created_at"),
        ),
        _target(links),
        "}",
    )
    tombstone = _tombstone(iri, F("status"), F("updated_at"))
    item = Sql(
        "CASE WHEN ⟨s⟩ = 'active' THEN ⟨live⟩ ELSE ⟨gone⟩ END",
        s=F("status"),
        live=live,
        gone=tombstone,
    )
    return _lines(queryset, item)


def _tombstone(iri, status, deleted) -> Sql:
    return concat(
        '{"@context":' + formats.dumps(webanno.TOMBSTONE_CONTEXT) + ',"id":',
        iri,
        ',"type":"Tombstone","formerType":"Annotation","summary":',
        json_text(status),
        ',"deleted":',
        json_time(deleted, z=True),
        "}",
    )


# Consensus


def _decided_reliability_float() -> Sql:
    return Sql(
        "CASE WHEN ⟨s⟩ = "
        + literal(ConsensusStatus.ADJUDICATED)
        + " THEN (⟨a⟩)::float8 ELSE ⟨m⟩ END",
        s=F("status"),
        a=F("adjudicated_reliability"),
        m=F("median_reliability"),
    )


def _decided_flags() -> Sql:
    """``consensus.summary.flags_decided`` as a ``text[]`` (``annotator_decided_flags``,
    migration 0016: a function, so the row keeps no sub-select and may be written by parallel
    workers)."""
    return Sql(
        "annotator_decided_flags(⟨s⟩, ⟨a⟩, ⟨f⟩, ⟨u⟩)",
        s=F("status"),
        a=F("adjudicated_flags"),
        f=F("flag_support"),
        u=Value(float(settings.ANNOTATOR["FLAG_DISPUTE_UPPER"])),
    )


def _decided_flags_unordered() -> Sql:
    """``consensus.summary.flags_decided`` as a jsonb list, in stored (not sorted) order.

    One jsonpath call instead of a sub-select per row: exact where the order cannot matter,
    at most one flag (most groups); ``_one_or_more`` sends the others to ``_decided_flags``.
    """
    upper = formats.dumps({"u": float(settings.ANNOTATOR["FLAG_DISPUTE_UPPER"])})
    return Sql(
        "CASE WHEN ⟨s⟩ = " + literal(ConsensusStatus.ADJUDICATED) + " THEN ⟨a⟩ "
        "ELSE jsonb_path_query_array(⟨f⟩, '$.keyvalue() ? (@.value >= $u).key', "
        + literal(upper)
        + "::jsonb) END",
        s=F("status"),
        a=F("adjudicated_flags"),
        f=F("flag_support"),
    )


def _one_or_more(one: str, more) -> Sql:
    """``one`` (SQL on ``⟨d⟩``, the decided flags as jsonb) when there is at most one decided
    flag, else ``more`` (an expression on the sorted ``_decided_flags``)."""
    return Sql(
        "CASE WHEN (⟨d⟩ -> 1) IS NULL THEN " + one + " ELSE ⟨more⟩ END",
        d=_decided_flags_unordered(),
        more=more,
    )


def _decided_json() -> Sql:
    return Sql(
        "CASE WHEN ⟨s⟩ = " + literal(ConsensusStatus.ADJUDICATED) + " THEN ⟨a⟩ ELSE ⟨m⟩ END",
        s=F("status"),
        a=json_int(F("adjudicated_reliability")),
        m=json_float(F("median_reliability")),
    )


def consensus_json(queryset) -> Iterator[str]:
    """``records.consensus_records`` (no quotes) as ``formats.dumps`` writes each record."""
    record = json_object(
        ("id", json_int(F("id"))),
        ("key", json_text(F("key"))),
        ("kind", json_plain_text(F("kind"))),
        ("document", json_int(F("document_id"))),
        ("passage", json_int(F("passage_id"))),
        ("claim", json_int(F("claim_id"))),
        ("start", json_int(F("start"))),
        ("end", json_int(F("end"))),
        ("reviewer_count", json_int(F("reviewer_count"))),
        ("rating_count", json_int(F("rating_count"))),
        ("median_reliability", json_float(F("median_reliability"))),
        ("median_label", _label(F("median_reliability"), as_json=True)),
        ("q1_reliability", json_float(F("q1_reliability"))),
        ("q3_reliability", json_float(F("q3_reliability"))),
        ("rating_distribution", json_slug_map(F("rating_distribution"))),
        ("flag_support", json_slug_map(F("flag_support"))),
        ("computed_status", json_plain_text(F("computed_status"))),
        ("status", json_plain_text(F("status"))),
        ("decided_reliability", _decided_json()),
        ("decided_label", _label(_decided_reliability_float(), as_json=True)),
        ("decided_flags", _decided_flags_json()),
        ("adjudication_reason", json_text(F("adjudication_reason"))),
        ("adjudicated_at", json_time(F("adjudicated_at"))),
        ("adjudication_stale", json_bool(F("adjudication_stale"))),
        ("updated_at", json_time(F("updated_at"))),
    )
    return _lines(queryset, record)


def _decided_flags_json() -> Sql:
    """``consensus.summary.flags_decided`` as a JSON list (without spaces where it has two or
    more flags)."""
    return _one_or_more("(⟨d⟩)::text", json_text_array(_decided_flags()))


def consensus_map_keys(using: str) -> dict[str, tuple[str, ...]]:
    """The keys a consensus map may hold, in jsonb's key order: the ratings the consensus writer
    counts (``RATING_SCALE``), and the flag slugs."""
    slugs = FlagType.objects.using(using).values_list("slug", flat=True)
    return {
        "rating_distribution": jsonb_key_order(str(value) for value in RATING_SCALE),
        "flag_support": jsonb_key_order(slugs),
    }


def consensus_parquet_columns(map_keys: dict[str, tuple[str, ...]]) -> list[tuple[str, Sql]]:
    """The CSV columns ``parquet.consensus_tables`` reads (see ``csv_rows``), named.

    Every column of the consensus Parquet schema but ``deleted_at`` (NULL for a live row),
    as the database types it, except: a map is a column ``field:key`` per key of
    ``map_keys[field]`` (its value as text, NULL where absent) and a column ``field:`` with
    the map's text where it holds any other key (NULL otherwise); ``decided_flags`` is
    ``consensus.summary.flags_decided`` as a JSON list.
    """
    columns = [
        (name, F(column))
        for name, column in (
            ("id", "id"), ("key", "key"), ("kind", "kind"), ("document", "document_id"),
            ("passage", "passage_id"), ("claim", "claim_id"), ("start", "start"),
            ("end", "end"), ("reviewer_count", "reviewer_count"),
            ("rating_count", "rating_count"), ("median_reliability", "median_reliability"),
        )
    ]  # fmt: skip
    columns += [
        ("median_label", _label(F("median_reliability"))),
        ("q1_reliability", F("q1_reliability")),
        ("q3_reliability", F("q3_reliability")),
    ]
    for field in ("rating_distribution", "flag_support"):
        keys = map_keys[field]
        columns += [(f"{field}:{key}", Sql(f"⟨x⟩ ->> {literal(key)}", x=F(field))) for key in keys]
        known = "ARRAY[" + ", ".join(map(literal, keys)) + "]::text[]"
        other = f"CASE WHEN ⟨x⟩ - {known} = '{{}}' THEN NULL ELSE (⟨x⟩)::text END"
        columns.append((f"{field}:", Sql(other, x=F(field))))
    columns += [
        ("computed_status", F("computed_status")),
        ("status", F("status")),
        ("decided_reliability", _decided_reliability_float()),
        ("decided_label", _label(_decided_reliability_float())),
        ("decided_flags", _decided_flags_json()),
        ("adjudication_reason", F("adjudication_reason")),
        ("adjudicated_at", F("adjudicated_at")),
        ("adjudication_stale", F("adjudication_stale")),
        ("updated_at", F("updated_at")),
    ]
    return columns


def consensus_csv(queryset, newline: str) -> Iterator[formats.Written]:
    """One ``formats.csv_document`` row per consensus row (``streams.CONSENSUS_CSV_COLUMNS``)."""
    decided_csv = Sql(
        "CASE WHEN ⟨s⟩ = " + literal(ConsensusStatus.ADJUDICATED) + " THEN ⟨a⟩ ELSE ⟨m⟩ END",
        s=F("status"),
        a=csv_plain(F("adjudicated_reliability")),
        m=csv_float(F("median_reliability")),
    )
    line = csv_line(
        [
            csv_plain(F("key")),
            csv_plain(F("kind")),
            csv_plain(F("document_id")),
            csv_plain(F("passage_id")),
            csv_plain(F("claim_id")),
            csv_plain(F("start")),
            csv_plain(F("end")),
            csv_text(F("exact")),
            csv_text(F("prefix")),
            csv_text(F("suffix")),
            csv_plain(F("reviewer_count")),
            csv_plain(F("rating_count")),
            csv_float(F("median_reliability")),
            csv_plain(_label(F("median_reliability"))),
            csv_float(F("q1_reliability")),
            csv_float(F("q3_reliability")),
            csv_plain(F("status")),
            csv_plain(F("computed_status")),
            decided_csv,
            csv_plain(_label(_decided_reliability_float())),
            _one_or_more(csv_list_item("⟨d⟩ ->> 0"), csv_text_array(_decided_flags(), once=False)),
            csv_slug_map(F("flag_support")),
            csv_slug_map(F("rating_distribution")),
            csv_text(F("adjudication_reason")),
            csv_bool(F("adjudication_stale")),
            csv_plain(iso_time(F("updated_at"))),
            "",  # deleted_at
        ],
        newline,
    )
    return _lines(queryset, line)


def consensus_jsonld(queryset, links: Links) -> Iterator[str]:
    """``webanno.consensus_item`` of each consensus row."""
    assessment = Sql(
        "⟨rating⟩ || '; ' || (⟨n⟩)::text || ' reviewer(s); status ' || ⟨s⟩",
        rating=_rating_text(
            _decided_reliability_float(), _label(_decided_reliability_float()), fractional=True
        ),
        n=F("reviewer_count"),
        s=F("status"),
    )
    agent = formats.dumps(webanno.software_agent(links))
    item = concat(
        *_annotation_head(
            links,
            _iri(links.consensus, _KEY, F("key")),
            F("updated_at"),
            agent,
            [
                _text_body(json_text(assessment), "assessing"),
                _one_or_more(_tagging_body("⟨d⟩ ->> 0"), _tagging_bodies(_decided_flags())),
            ],
        ),
        _target(links),
        "}",
    )
    return _lines(queryset, item)
