"""Running a search: matching entries through the database's index, a page at a time.

PostgreSQL: ``terms_vector @@ to_tsquery('simple', …)`` (a stored tsvector with a GIN index,
phrases with ``<->``). SQLite: the FTS5 table ``annotator_searchfts`` (phrases in double
quotes). Both receive the same terms (:mod:`.terms`), so results agree across databases.

The cost of a request is bounded whatever the query matches (docs/documents.md, "Search"):

- counts stop at :data:`COUNT_CAP` ("1,000+"), never counting a common word's whole match set;
- pages are read by keyset (after the last hit shown), never by OFFSET;
- the first page of a query that matches at most ``COUNT_CAP`` entries (known from its count)
  is taken from the index's match set; a commoner query's is read in result order through the
  ``(document_id DESC, id)`` index, stopping after one page, which is short because such a query
  matches at least one entry in every ``133k / COUNT_CAP`` or so;
- the documents shown are those of the page's hits, not every matching document.

Claims, notes and evidence are few next to passages and change often, so they are matched
with ``icontains`` over the query in both scripts instead of through the index; annotations
only through ``visible_annotations`` — the one visibility policy.
"""

import datetime
import html
import re
from dataclasses import dataclass
from functools import cache

import opencc
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Substr

from ..models import Annotation, Claim, Passage
from ..visibility import visible_annotations
from .folding import fold
from .models import SearchEntry
from .terms import QueryPart, parse_query

SNIPPET_CONTEXT = 80
COUNT_CAP = 1000


@dataclass
class Filters:
    source: int | None = None
    language: str = ""
    published_from: datetime.date | None = None
    published_to: datetime.date | None = None


@dataclass(frozen=True)
class Count:
    """A count that stops at :data:`COUNT_CAP`: ``exact`` is False when there are more."""

    value: int
    exact: bool

    def __str__(self) -> str:
        return f"{self.value:,}" if self.exact else f"{self.value:,}+"


def capped_count(queryset: QuerySet) -> Count:
    found = queryset[: COUNT_CAP + 1].count()
    return Count(min(found, COUNT_CAP), found <= COUNT_CAP)


def _postgres_query(parts: list[QueryPart]) -> str:
    phrases = []
    for part in parts:
        if part.prefix:
            phrases.append(f"'{part.terms[0]}':*")
        else:
            phrases.append("(" + " <-> ".join(f"'{term}'" for term in part.terms) + ")")
    return " & ".join(phrases)


def _sqlite_query(parts: list[QueryPart]) -> str:
    phrases = []
    for part in parts:
        phrase = '"' + " ".join(part.terms) + '"'
        phrases.append(phrase + "*" if part.prefix else phrase)
    return " ".join(phrases)


def _match(parts: list[QueryPart], *, indexed: bool = True) -> tuple[str, list]:
    """The condition on ``e`` (the search entries) that the query matches.

    ``indexed=False`` (PostgreSQL) hides the condition from the GIN index, so that the planner
    reads entries in result order and checks each one's stored vector, stopping after a page.
    """
    if connection.vendor == "postgresql":
        condition = "e.terms_vector @@ to_tsquery('simple'::regconfig, %s)"
        return (condition if indexed else f"({condition}) IS TRUE"), [_postgres_query(parts)]
    return (
        "e.id IN (SELECT rowid FROM annotator_searchfts WHERE annotator_searchfts MATCH %s)",
        [_sqlite_query(parts)],
    )


def _needs_documents(filters: Filters) -> bool:
    return bool(
        filters.source or filters.language or filters.published_from or filters.published_to
    )


def _from(filters: Filters) -> str:
    """The index holds current documents only (``index.drop_document``): the documents table
    is joined only to filter on its fields."""
    if _needs_documents(filters):
        return "annotator_searchentry e JOIN annotator_document d ON d.id = e.document_id"
    return "annotator_searchentry e"


def _where(parts, filters: Filters, kinds: tuple[str, ...], *, indexed=True) -> tuple[str, list]:
    match, params = _match(parts, indexed=indexed)
    conditions = [match]
    if kinds != BOTH:
        conditions.append("e.kind IN (" + ", ".join("%s" for _ in kinds) + ")")
        params += list(kinds)
    if filters.source:
        conditions.append("d.source_id = %s")
        params.append(filters.source)
    if filters.language:
        # The language parameter is a validated BCP 47 tag: no LIKE wildcards in it.
        conditions.append("(lower(d.language) = %s OR lower(d.language) LIKE %s)")
        params += [filters.language.lower(), filters.language.lower() + "-%"]
    if filters.published_from:
        conditions.append("d.published >= %s")
        params.append(filters.published_from)
    if filters.published_to:
        conditions.append("d.published <= %s")
        params.append(filters.published_to)
    return " AND ".join(conditions), params


BOTH = (SearchEntry.Kind.TITLE, SearchEntry.Kind.PASSAGE)


# PostgreSQL's planner misjudges how many entries a phrase of bigrams matches (it estimated 4
# rows for a Chinese phrase found 1,651 times, and chose to read the whole table), so each of
# these statements is pinned to the plan it is written for: through the GIN index (a bitmap),
# or in result order through the btree (an index scan); JIT compilation, which a pinned plan's
# cost estimate can trigger, costs more than these statements take. The settings are set before
# it and reset after it in the same round trip: they never outlive the statement.
THROUGH_GIN = ("enable_seqscan", "enable_indexscan", "jit")
IN_ORDER = ("enable_seqscan", "enable_bitmapscan", "enable_sort", "jit")


def _rows(sql: str, params: list, plan: tuple[str, ...]) -> list:
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    # One round trip: the settings, the statement, the settings back. The statements run as one
    # implicit transaction (or inside the caller's): if the query fails, the SETs roll back too.
    pin = "; ".join(f"SET {setting} = off" for setting in plan)
    unpin = "; ".join(f"RESET {setting}" for setting in plan)
    with connection.cursor() as cursor:
        cursor.execute(f"{pin}; {sql}; {unpin}", params)
        while cursor.description is None:  # skip the SETs' empty results
            cursor.nextset()
        return cursor.fetchall()


def count_hits(parts, filters: Filters, kinds: tuple[str, ...] = BOTH) -> Count:
    """How many entries of current documents match, up to :data:`COUNT_CAP`."""
    if not parts:
        return Count(0, True)
    where, params = _where(parts, filters, kinds)
    sql = f"SELECT count(*) FROM (SELECT 1 FROM {_from(filters)} WHERE {where} LIMIT %s) hits"  # noqa: S608
    found = _rows(sql, [*params, COUNT_CAP + 1], THROUGH_GIN)[0][0]
    return Count(min(found, COUNT_CAP), found <= COUNT_CAP)


@dataclass(frozen=True)
class Position:
    """Where a page of hits ends: its last hit's document and entry ids (keyset paging)."""

    document_id: int
    entry_id: int


def _keyset(after: Position | None) -> tuple[str, list]:
    if after is None:
        return "TRUE", []
    return (
        "e.document_id <= %s AND (e.document_id < %s OR e.id > %s)",
        [after.document_id, after.document_id, after.entry_id],
    )


def _first_matches(parts, filters, kinds, after: Position | None, size: int) -> tuple[int, list]:
    """One statement through the GIN index: the number of matches up to ``COUNT_CAP + 1``,
    and, when that is all of them (a rare query), the ids of the page after ``after``."""
    where, params = _where(parts, filters, kinds)
    keyset, keyset_params = _keyset(after)
    materialized = "MATERIALIZED" if connection.vendor == "postgresql" else ""
    sql = (
        f"WITH hits AS {materialized} (SELECT e.id, e.document_id FROM {_from(filters)} "  # noqa: S608
        f"WHERE {where} LIMIT %s) "
        "SELECT (SELECT count(*) FROM hits), page.id FROM (SELECT 1) one LEFT JOIN ("
        f"SELECT e.id, e.document_id FROM hits e WHERE {keyset} "
        "ORDER BY e.document_id DESC, e.id LIMIT %s) page ON TRUE "
        "ORDER BY page.document_id DESC, page.id"
    )
    rows = _rows(sql, [*params, COUNT_CAP + 1, *keyset_params, size], THROUGH_GIN)
    return rows[0][0], [row[1] for row in rows if row[1] is not None]


def _page_ids(parts, filters, kinds, after: Position | None, size: int, rare: bool) -> list:
    """Ids of up to ``size`` matching entries after ``after``, newest document first."""
    keyset, keyset_params = _keyset(after)
    if rare or connection.vendor != "postgresql":
        # At most COUNT_CAP matches: take them all from the index, then the page.
        where, params = _where(parts, filters, kinds)
        materialized = "MATERIALIZED" if connection.vendor == "postgresql" else ""
        sql = (
            f"WITH hits AS {materialized} (SELECT e.id, e.document_id FROM {_from(filters)} "  # noqa: S608
            f"WHERE {where}) SELECT e.id FROM hits e WHERE {keyset} "
            "ORDER BY e.document_id DESC, e.id LIMIT %s"
        )
        return [row[0] for row in _rows(sql, [*params, *keyset_params, size], THROUGH_GIN)]
    where, params = _where(parts, filters, kinds, indexed=False)
    sql = (
        f"SELECT e.id FROM {_from(filters)} WHERE {where} AND {keyset} "  # noqa: S608
        "ORDER BY e.document_id DESC, e.id LIMIT %s"
    )
    return [row[0] for row in _rows(sql, [*params, *keyset_params, size], IN_ORDER)]


@dataclass
class HitPage:
    entries: list  # SearchEntry with .document (no body), .passage and .text (passages only)
    count: Count
    next: Position | None

    @property
    def documents(self) -> list:
        """The documents of this page's hits, in order, each once."""
        seen: dict[int, object] = {}
        for entry in self.entries:
            seen.setdefault(entry.document_id, entry.document)
        return list(seen.values())

    @property
    def passages(self) -> list:
        return [entry for entry in self.entries if entry.kind == SearchEntry.Kind.PASSAGE]


def hit_page(
    query: str,
    filters: Filters | None = None,
    *,
    after: Position | None = None,
    size: int = 20,
    kinds: tuple[str, ...] = BOTH,
) -> HitPage:
    """One page of matching titles and passages of current documents, newest document first,
    with the matching count (capped) and the position of the next page, if any."""
    parts, filters = parse_query(query), filters or Filters()
    if not parts:
        return HitPage([], Count(0, True), None)
    found, ids = _first_matches(parts, filters, kinds, after, size + 1)
    count = Count(min(found, COUNT_CAP), found <= COUNT_CAP)
    if not count.exact:  # a common query: its page is read in result order
        ids = _page_ids(parts, filters, kinds, after, size + 1, rare=False)
    if not ids:
        return HitPage([], count, None)
    more = len(ids) > size
    ids = ids[:size]
    by_id = {
        entry.pk: entry
        for entry in SearchEntry.objects.filter(pk__in=ids)
        .select_related("document__source", "passage")
        .defer("terms", "document__body")
        .annotate(
            text=Substr(
                "document__body", F("passage__start") + 1, F("passage__end") - F("passage__start")
            )
        )
    }
    entries = [by_id[pk] for pk in ids]
    last = entries[-1]
    return HitPage(entries, count, Position(last.document_id, last.pk) if more else None)


def matching_document_ids(query: str, limit: int | None = None) -> list[int]:
    """The newest ``limit`` (default ``COUNT_CAP``) current documents whose title or a passage
    matches (the web dashboard's search, which then pages through these ids)."""
    limit = limit or COUNT_CAP
    parts = parse_query(query)
    if not parts:
        return []
    filters = Filters()
    count = count_hits(parts, filters)
    if count.exact or connection.vendor != "postgresql":
        where, params = _where(parts, filters, BOTH)
        sql = (
            f"SELECT DISTINCT e.document_id FROM {_from(filters)} WHERE {where} "  # noqa: S608
            "ORDER BY e.document_id DESC LIMIT %s"
        )
        return [row[0] for row in _rows(sql, [*params, limit], THROUGH_GIN)]
    # A common query: walk documents newest first, each checked until its first matching entry.
    match, params = _match(parts, indexed=False)
    sql = (
        "SELECT d.id FROM annotator_document d WHERE EXISTS ("  # noqa: S608
        f"SELECT 1 FROM annotator_searchentry e WHERE e.document_id = d.id AND {match}) "
        "ORDER BY d.id DESC LIMIT %s"
    )
    return [row[0] for row in _rows(sql, [*params, limit], IN_ORDER)]


@cache
def _converters():
    return opencc.OpenCC("s2t"), opencc.OpenCC("t2s")


def _variants(chunk: str) -> set[str]:
    to_traditional, to_simplified = _converters()
    return {chunk, to_traditional.convert(chunk), to_simplified.convert(chunk)}


def _text_condition(query: str, fields: tuple[str, ...]) -> Q | None:
    condition = None
    for chunk in query.split():
        either = Q()
        for variant in _variants(chunk):
            for name in fields:
                either |= Q(**{f"{name}__icontains": variant})
        condition = either if condition is None else condition & either
    return condition


def claim_hits(query: str) -> QuerySet:
    condition = _text_condition(query, ("text",))
    if condition is None:
        return Claim.objects.none()
    return Claim.objects.filter(condition, merged_into__isnull=True).order_by("-id")


def annotation_hits(user, query: str) -> QuerySet:
    """Notes and evidence ``user`` may see (``visible_annotations``) that match ``query``."""
    condition = _text_condition(query, ("note", "evidence"))
    if condition is None:
        return Annotation.objects.none()
    return visible_annotations(user, Annotation.objects.filter(condition)).order_by("-id")


def highlights(text: str, query: str) -> list[tuple[int, int]]:
    """Where the query's parts occur in ``text`` (offsets into ``text``, merged, in order)."""
    folded = fold(text)
    spans = []
    for part in parse_query(query):
        found = [m.span() for m in re.finditer(re.escape(part.text), folded)]
        if not found:  # punctuation differs: highlight the part's terms one by one
            for term in dict.fromkeys(part.terms):
                found += [m.span() for m in re.finditer(re.escape(term), folded)]
        spans.extend(found)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        # Overlapping, or apart only by spaces ("wonderful drama"): one highlight.
        if merged and (start <= merged[-1][1] or not text[merged[-1][1] : start].strip()):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@dataclass
class Snippet:
    text: str
    start: int  # offset of ``text`` in the passage
    marks: list[tuple[int, int]]  # within ``text``

    def as_html(self) -> str:
        out, position = [], 0
        for start, end in self.marks:
            out.append(html.escape(self.text[position:start]))
            out.append(f"<mark>{html.escape(self.text[start:end])}</mark>")
            position = end
        out.append(html.escape(self.text[position:]))
        prefix = "…" if self.start > 0 else ""
        return prefix + "".join(out)


def snippet(text: str, query: str, context: int = SNIPPET_CONTEXT) -> Snippet:
    marks = highlights(text, query)
    if not marks:
        return Snippet(text[: 2 * context], 0, [])
    start = max(0, marks[0][0] - context)
    end = min(len(text), marks[0][1] + context)
    inside = [(s - start, e - start) for s, e in marks if s >= start and e <= end]
    suffix = "…" if end < len(text) else ""
    return Snippet(text[start:end] + suffix, start, inside)


def best_passages(document_ids: list[int], query: str) -> dict[int, tuple[int, Snippet]]:
    """For each document, its first matching passage: (passage index, snippet)."""
    parts = parse_query(query)
    if not parts or not document_ids:
        return {}
    match, params = _match(parts)
    marks = ", ".join("%s" for _ in document_ids)
    rows = SearchEntry.objects.raw(
        f"SELECT e.id, e.document_id, e.passage_id FROM annotator_searchentry e "  # noqa: S608
        f"JOIN annotator_passage p ON p.id = e.passage_id "
        f"WHERE e.document_id IN ({marks}) AND e.kind = %s AND {match} "
        'ORDER BY e.document_id, p."index"',
        [*document_ids, SearchEntry.Kind.PASSAGE, *params],
    )
    first: dict[int, int] = {}
    for row in rows:
        first.setdefault(row.document_id, row.passage_id)
    found: dict[int, tuple[int, Snippet]] = {}
    passages = (
        Passage.objects.filter(pk__in=first.values())
        .annotate(passage_text=Substr("document__body", F("start") + 1, F("end") - F("start")))
        .only("id", "index", "document_id")
    )
    for passage in passages:
        found[passage.document_id] = (passage.index, snippet(passage.passage_text, query))
    return found
