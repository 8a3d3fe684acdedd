"""What every newly stored document gets after its passages: snapshot, pages, author, search.

Called by ``importing.import_record`` inside its transaction, for every way in.
"""

import bisect
import datetime
from dataclasses import dataclass

from django.utils import timezone

from ..models import Document, Passage
from ..search.index import index_document
from .snapshots import store_snapshot


@dataclass
class Extras:
    """What extraction knows beyond a record's text fields."""

    data: bytes | None = None  # the original bytes, kept as the snapshot
    media_type: str = ""
    filename: str = ""
    fetched_url: str = ""
    captured_at: datetime.datetime | None = None
    author: str = ""
    page_starts: list[int] | None = None


def after_create(document: Document, extras: Extras | None) -> None:
    if extras is not None:
        changed = []
        if extras.data is not None:
            document.snapshot = store_snapshot(
                extras.data,
                media_type=extras.media_type,
                captured_at=extras.captured_at or timezone.now(),
                filename=extras.filename,
                url=extras.fetched_url,
            )
            changed.append("snapshot")
        if extras.author:
            document.author = extras.author[:300]
            changed.append("author")
        if changed:
            Document.objects.filter(pk=document.pk).update(
                **{name: getattr(document, name) for name in changed}
            )
        if extras.page_starts:
            _set_pages(document, extras.page_starts)
    index_document(document)


def _set_pages(document: Document, page_starts: list[int]) -> None:
    passages = list(document.passages.all())
    for passage in passages:
        passage.page = bisect.bisect_right(page_starts, passage.start)
    Passage.objects.bulk_update(passages, ["page"], batch_size=500)
