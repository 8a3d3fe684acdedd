"""Taking a document in: from pasted text, an uploaded file or fetched bytes to a stored Document.

Two steps, so that the web page can show a preview: :func:`prepare` extracts and checks
(nothing is stored in the database), :func:`save` stores the document, its passages, its
snapshot, its suggestions and its search entries in one transaction, through
``importing.import_record`` — the same path as ``import_documents``, with the same duplicate
and revision rules. The API calls both in a row.
"""

import datetime
import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from ..importing import DocumentRecord, ImportOutcome, ImportProblem, import_record
from ..text import detect_language, detect_title, normalize_text, segment_passages
from . import fields
from .attach import Extras
from .errors import IngestError
from .extract import TEXT, Extracted, check_size, extract


@dataclass
class Draft:
    """An extracted document with the fields the editor gave or may still correct."""

    extracted: Extracted
    data: bytes
    filename: str = ""
    fetched_url: str = ""
    captured_at: datetime.datetime = field(default_factory=timezone.now)
    title: str = ""
    source: str = ""
    url: str = ""
    language: str = ""
    published: datetime.date | None = None
    origin: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def passages(self) -> list[dict]:
        """The text split as it will be stored, with page numbers for PDFs."""
        import bisect

        starts = self.extracted.page_starts
        body = self.extracted.text
        return [
            {
                "index": index,
                "start": start,
                "end": end,
                "text": body[start:end],
                "page": bisect.bisect_right(starts, start) if starts else None,
            }
            for index, (start, end) in enumerate(segment_passages(body))
        ]


def _clean_overrides(values: dict) -> dict:
    return {
        "title": fields.clean_title(values.get("title")),
        "source": fields.clean_source(values.get("source")),
        "url": fields.clean_url(values.get("url")),
        "language": fields.clean_language(values.get("language")),
        "published": fields.clean_published(values.get("published")),
        "origin": fields.clean_origin(values.get("origin")),
    }


def prepare(
    *,
    data: bytes,
    media_type: str,
    values: dict,
    filename: str = "",
    fetched_url: str = "",
    captured_at: datetime.datetime | None = None,
    warnings: bool = True,
) -> Draft:
    """Extract ``data`` and merge the given ``values`` over what extraction found.

    ``warnings=False`` skips the preview's warnings (they run the suggestion detectors, which
    saving runs again anyway): for the API and bulk paths, which show no preview.
    """
    given = _clean_overrides(values)
    check_size(len(data), "file" if media_type != TEXT or filename else "body")
    extracted = extract(data, media_type, url=fetched_url or given["url"], warnings=warnings)
    found_published = None
    if extracted.published:
        try:
            found_published = datetime.date.fromisoformat(extracted.published[:10])
        except ValueError:
            found_published = None
    found_language = extracted.language
    try:
        found_language = fields.clean_language(found_language)
    except IngestError:
        found_language = ""
    return Draft(
        extracted=extracted,
        data=data,
        filename=filename,
        fetched_url=fetched_url,
        captured_at=captured_at or timezone.now(),
        title=given["title"] or extracted.title.strip()[:500] or detect_title(extracted.text),
        source=given["source"] or extracted.site_name.strip()[:200],
        url=given["url"] or fetched_url or _safe_url(extracted.url),
        language=given["language"] or found_language or detect_language(extracted.text),
        published=given["published"] or found_published,
        origin=given["origin"],
    )


def prepare_text(*, body, values: dict, warnings: bool = True) -> Draft:
    """Pasted text (or a JSON ``body``): kept as a UTF-8 text/plain snapshot."""
    if body is None or (isinstance(body, str) and not body.strip()):
        raise IngestError("body", "The text is empty.")
    if not isinstance(body, str):
        raise IngestError("body", "Must be a string.")
    if "\x00" in body:
        raise IngestError("body", "The text contains NUL characters.")
    data = normalize_text(body).encode("utf-8")
    try:
        return prepare(data=data, media_type=TEXT, values=values, warnings=warnings)
    except IngestError as error:
        if error.field == "file":
            error.field = "body"
        raise


def _safe_url(url: str) -> str:
    try:
        return fields.clean_url(url)
    except IngestError:
        return ""


def _origin(draft: Draft) -> str:
    """Revisions follow an origin: the one given, else the URL; else this text alone."""
    return draft.origin or draft.url or f"{draft.extracted.media_type}:{draft.sha256}"


def save(draft: Draft) -> ImportOutcome:
    """Store the draft: created, a new revision of its origin, or unchanged (nothing stored)."""
    record = DocumentRecord(
        body=draft.extracted.text,
        origin=_origin(draft),
        title=draft.title,
        source=draft.source,
        url=draft.url,
        language=draft.language,
        published=draft.published.isoformat() if draft.published else None,
        label=draft.filename or draft.url or "document",
        extras=Extras(
            data=draft.data,
            media_type=draft.extracted.media_type,
            filename=draft.filename,
            fetched_url=draft.fetched_url,
            captured_at=draft.captured_at,
            author=draft.extracted.author,
            page_starts=draft.extracted.page_starts,
        ),
    )
    try:
        with transaction.atomic():
            return import_record(record)
    except ImportProblem as problem:
        raise IngestError("body", str(problem)) from problem
