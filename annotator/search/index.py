"""Keeping the search index in step: entries for a new document's title and passages."""

from ..models import Document
from .models import SearchEntry
from .terms import terms_text


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


def retitle(document: Document) -> None:
    """Re-index a document's title after it changed (the body never changes)."""
    SearchEntry.objects.filter(document=document, kind=SearchEntry.Kind.TITLE).update(
        terms=terms_text(document.title)
    )
