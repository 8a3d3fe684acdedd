"""Running a search: matching entries through the database's index, then snippets.

PostgreSQL: ``to_tsvector('simple', terms) @@ to_tsquery('simple', …)`` (GIN index, phrases
with ``<->``). SQLite: the FTS5 table ``annotator_searchfts`` (phrases in double quotes). Both
receive the same terms (:mod:`.terms`), so results agree across databases.

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
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from ..models import Annotation, Claim, Document
from ..visibility import visible_annotations
from .folding import fold
from .models import SearchEntry
from .terms import QueryPart, parse_query

SNIPPET_CONTEXT = 80


@dataclass
class Filters:
    source: int | None = None
    language: str = ""
    published_from: datetime.date | None = None
    published_to: datetime.date | None = None


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


def matching_entries(parts: list[QueryPart]) -> QuerySet:
    """Search entries whose terms contain every part of the query (as phrases)."""
    entries = SearchEntry.objects.all()
    if not parts:
        return entries.none()
    # A subquery on the primary key, not a WHERE on this table's name: Django aliases the
    # table when this queryset is itself used inside another query.
    if connection.vendor == "postgresql":
        matching = RawSQL(
            "SELECT id FROM annotator_searchentry WHERE to_tsvector('simple'::regconfig, terms) "
            "@@ to_tsquery('simple'::regconfig, %s)",
            [_postgres_query(parts)],
        )
    else:
        matching = RawSQL(
            "SELECT rowid FROM annotator_searchfts WHERE annotator_searchfts MATCH %s",
            [_sqlite_query(parts)],
        )
    return entries.filter(pk__in=matching)


def _filter_documents(entries: QuerySet, filters: Filters) -> QuerySet:
    entries = entries.filter(document__is_current=True)
    if filters.source:
        entries = entries.filter(document__source_id=filters.source)
    if filters.language:
        entries = entries.filter(
            Q(document__language__iexact=filters.language)
            | Q(document__language__istartswith=filters.language + "-")
        )
    if filters.published_from:
        entries = entries.filter(document__published__gte=filters.published_from)
    if filters.published_to:
        entries = entries.filter(document__published__lte=filters.published_to)
    return entries


def passage_hits(query: str, filters: Filters | None = None) -> QuerySet:
    """Passages matching ``query``, newest documents first."""
    entries = matching_entries(parse_query(query)).filter(kind=SearchEntry.Kind.PASSAGE)
    return (
        _filter_documents(entries, filters or Filters())
        .select_related("passage", "document", "document__source")
        .order_by("-document_id", "passage__index")
    )


def document_hits(query: str, filters: Filters | None = None) -> QuerySet:
    """Current documents whose title or any passage matches ``query``."""
    entries = _filter_documents(matching_entries(parse_query(query)), filters or Filters())
    return Document.objects.filter(pk__in=entries.values("document_id"))


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
    found: dict[int, tuple[int, Snippet]] = {}
    hits = passage_hits(query).filter(document_id__in=document_ids)
    for entry in hits.order_by("document_id", "passage__index"):
        if entry.document_id in found:
            continue
        passage = entry.passage
        text = entry.document.body[passage.start : passage.end]
        found[entry.document_id] = (passage.index, snippet(text, query))
    return found
