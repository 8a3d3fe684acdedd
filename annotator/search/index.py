"""Keeping the search index in step: entries for a new document's title and passages."""

from ..models import Document
from .models import SearchEntry
from .terms import terms_text as _terms_text

# PostgreSQL refuses a tsvector over 1 MB, and phrase positions stop at 16,383: a passage
# longer than this (a whole book on one line) is searchable in its first part only.
MAX_TERMS_CHARS = 300_000


def terms_text(text: str) -> str:
    terms = _terms_text(text)
    if len(terms) > MAX_TERMS_CHARS:
        terms = terms[: terms.rfind(" ", 0, MAX_TERMS_CHARS)]
    return terms


def index_document(document: Document) -> int:
    """Create the search entries of ``document`` (a new one: documents are immutable)."""
    entries = [
        SearchEntry(
            document=document, kind=SearchEntry.Kind.TITLE, terms=terms_text(document.title)
        )
    ]
    body = document.body
    for passage in document.passages.all():
        entries.append(
            SearchEntry(
                document=document,
                passage=passage,
                kind=SearchEntry.Kind.PASSAGE,
                terms=terms_text(body[passage.start : passage.end]),
            )
        )
    SearchEntry.objects.bulk_create(entries, batch_size=500)
    return len(entries)


def drop_document(document: Document) -> None:
    """Remove a document that is no longer current: the index holds current documents only,
    so that a search needs no join to the documents table unless it filters on their fields."""
    SearchEntry.objects.filter(document=document).delete()


def retitle(document: Document) -> None:
    """Re-index a document's title after it changed (the body never changes)."""
    SearchEntry.objects.filter(document=document, kind=SearchEntry.Kind.TITLE).update(
        terms=terms_text(document.title)
    )
