"""Importing documents from plain-text files, folders and JSON Lines.

Idempotent: a text already stored (same SHA-256 of the normalised body) creates nothing.
A changed text for a known ``origin`` (file name, JSON Lines ``key`` or URL) becomes a new
revision linked to the previous one; annotations stay on the revision they were made on.
"""

import datetime
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, transaction

from .claim_matching.index import index_on_import
from .errors import AnnotationInputError
from .ingest import files as ingest_files
from .ingest.attach import Extras, after_create
from .models import Document, Passage, Source
from .outbox import events as outbox_events
from .search.index import drop_document as drop_from_search
from .suggestions.engine import store_suggestions
from .text import body_sha256, detect_language, detect_title, normalize_text, segment_passages
from .validators import clean_date, clean_document_fields, max_length

METADATA_FILE = "metadata.json"
TEXT_SUFFIXES = {".txt", ".text", ".md"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
MAX_DOCUMENT_CHARS = 5_000_000


class ImportProblem(Exception):
    """A record that cannot be imported; the message says why, for the person importing."""


@dataclass
class DocumentRecord:
    """One document to import, before normalisation."""

    body: str
    origin: str
    title: str = ""
    source: str = ""
    url: str = ""
    language: str = ""
    published: str | None = None
    label: str = ""  # where it came from, for messages: "file.txt" or "file.jsonl:12"
    extras: Extras | None = None  # snapshot bytes, pages, author (annotator/ingest)


@dataclass
class ImportOutcome:
    label: str
    result: str  # created | revised | unchanged | failed
    document: Document | None = None
    message: str = ""


@dataclass
class ImportReport:
    outcomes: list[ImportOutcome] = field(default_factory=list)

    def count(self, result: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.result == result)

    @property
    def failed(self) -> list[ImportOutcome]:
        return [outcome for outcome in self.outcomes if outcome.result == "failed"]


def _read_metadata(folder: Path) -> dict:
    path = folder / METADATA_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportProblem(f"{path}: unreadable metadata file ({error}).") from error
    if not isinstance(data, dict):
        raise ImportProblem(f"{path}: metadata must be an object keyed by file name.")
    return data


def _text_record(path: Path, metadata: dict) -> DocumentRecord:
    try:
        raw = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise ImportProblem(
            f"not valid UTF-8 at byte {error.start}; convert the file to UTF-8 first."
        ) from error
    extra = metadata.get(path.name, {})
    return DocumentRecord(
        body=raw,
        origin=extra.get("origin") or path.name,
        title=extra.get("title", ""),
        source=extra.get("source", ""),
        url=extra.get("url", ""),
        language=extra.get("language", ""),
        published=extra.get("published"),
        label=str(path),
    )


def _extracted_record(path: Path, metadata: dict) -> DocumentRecord:
    """An HTML, PDF or DOCX file, through the same extraction as the web page and the API."""
    try:
        found = ingest_files.extract_file(path)
    except ingest_files.IngestError as error:
        raise ImportProblem(error.message) from error
    extra = metadata.get(path.name, {})
    return DocumentRecord(
        body=found.extracted.text,
        origin=extra.get("origin") or path.name,
        title=extra.get("title") or found.extracted.title,
        source=extra.get("source") or found.extracted.site_name,
        url=extra.get("url") or found.extracted.url,
        language=extra.get("language") or found.extracted.language,
        published=extra.get("published") or found.extracted.published or None,
        label=str(path),
        extras=found.extras,
    )


def _jsonl_records(path: Path) -> Iterator[DocumentRecord | ImportProblem]:
    with path.open("rb") as handle:
        for number, raw_line in enumerate(handle, start=1):
            label = f"{path}:{number}"
            if not raw_line.strip():
                continue
            try:
                item = json.loads(raw_line.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                yield ImportProblem(f"{label}: not a JSON object ({error}).")
                continue
            if not isinstance(item, dict):
                yield ImportProblem(f"{label}: each line must be a JSON object.")
                continue
            body = item.get("body", item.get("text"))
            if not isinstance(body, str):
                yield ImportProblem(f"{label}: missing text field 'body' (or 'text').")
                continue
            origin = item.get("key") or item.get("url") or f"{path.name}:{number}"
            yield DocumentRecord(
                body=body,
                origin=str(origin),
                title=str(item.get("title") or ""),
                source=str(item.get("source") or ""),
                url=str(item.get("url") or ""),
                language=str(item.get("language") or ""),
                published=item.get("published"),
                label=label,
            )


def iter_records(paths: list[Path]) -> Iterator[DocumentRecord | ImportProblem]:
    """Expand files and folders (recursively, sorted) into records, or problems to report."""
    for path in paths:
        if not path.exists():
            yield ImportProblem(f"{path}: no such file or folder.")
            continue
        if path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in TEXT_SUFFIXES | JSONL_SUFFIXES | ingest_files.SUFFIXES
            )
            if not files:
                yield ImportProblem(f"{path}: no .txt or .jsonl files in this folder.")
            yield from iter_records(files)
            continue
        suffix = path.suffix.lower()
        if suffix in JSONL_SUFFIXES:
            yield from _jsonl_records(path)
        elif suffix in ingest_files.SUFFIXES:
            try:
                yield _extracted_record(path, _read_metadata(path.parent))
            except ImportProblem as problem:
                yield ImportProblem(f"{path}: {problem}")
        elif suffix in TEXT_SUFFIXES:
            try:
                yield _text_record(path, _read_metadata(path.parent))
            except ImportProblem as problem:
                yield ImportProblem(f"{path}: {problem}")
        else:
            yield ImportProblem(f"{path}: unsupported file type (use .txt or .jsonl).")


def _parse_date(value, label: str) -> datetime.date | None:
    try:
        return clean_date(value)
    except AnnotationInputError:
        raise ImportProblem(f"published date {value!r} is not YYYY-MM-DD.") from None


def _clean_fields(record: DocumentRecord) -> dict[str, str]:
    """Every descriptive field checked before anything is written (annotator.validators)."""
    try:
        return clean_document_fields(
            origin=record.origin,
            title=record.title,
            url=record.url,
            language=record.language,
            source=record.source,
        )
    except AnnotationInputError as error:
        problems = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in error.errors.items())
        raise ImportProblem(problems) from None


def import_record(record: DocumentRecord) -> ImportOutcome:
    """Store one record: created, a new revision of its origin, or unchanged.

    The whole record is validated first and written in one transaction, so a bad record
    leaves nothing behind and never stops the records after it.
    """
    fields = _clean_fields(record)
    body = normalize_text(record.body)
    if not body.strip():
        raise ImportProblem("the text is empty.")
    if len(body) > MAX_DOCUMENT_CHARS:
        raise ImportProblem(f"the text is over {MAX_DOCUMENT_CHARS:,} characters.")
    if "\x00" in body:
        raise ImportProblem("the text contains NUL characters (is it a binary file?).")
    digest = body_sha256(body)
    existing = Document.objects.filter(sha256=digest).first()
    if existing is not None:
        return ImportOutcome(
            record.label, "unchanged", existing, f"already stored as #{existing.pk}"
        )
    published = _parse_date(record.published, record.label)
    with transaction.atomic():
        source = None
        if fields["source"]:
            source, _ = Source.objects.get_or_create(name=fields["source"])
        previous = (
            Document.objects.select_for_update()
            .filter(origin=fields["origin"], is_current=True)
            .order_by("-id")
            .first()
        )
        if previous is not None:
            previous.is_current = False
            previous.save(update_fields=["is_current", "updated_at"])
            drop_from_search(previous)  # only current documents are found
        document = Document.objects.create(
            source=source or (previous.source if previous else None),
            # A detected title is a guess from the text: shortening it loses nothing.
            title=fields["title"] or detect_title(body)[: max_length(Document, "title")],
            url=fields["url"],
            language=fields["language"] or detect_language(body),
            published=published,
            body=body,
            sha256=digest,
            origin=fields["origin"],
            previous=previous,
        )
        Passage.objects.bulk_create(
            Passage(document=document, index=index, start=start, end=end)
            for index, (start, end) in enumerate(segment_passages(body))
        )
        # Same transaction: a document is never visible without its machine suggestions.
        store_suggestions(document)
        index_on_import(document)  # sentence embeddings for claim matching
        after_create(document, record.extras)  # snapshot, pages, author, search index
        outbox_events.document_created(document)
    if previous is not None:
        return ImportOutcome(record.label, "revised", document, f"new revision of #{previous.pk}")
    return ImportOutcome(record.label, "created", document)


def import_paths(
    paths: list[Path], on_progress: Callable[[ImportOutcome], None] | None = None
) -> ImportReport:
    """Import everything under ``paths``; a bad record is reported and the rest carry on."""
    report = ImportReport()
    for item in iter_records(paths):
        if isinstance(item, ImportProblem):
            outcome = ImportOutcome(label="", result="failed", message=str(item))
        else:
            try:
                outcome = import_record(item)
            except ImportProblem as problem:
                outcome = ImportOutcome(item.label, "failed", message=f"{item.label}: {problem}")
            except DatabaseError as error:
                # A limit the validators do not know about: this record's transaction is
                # rolled back, reported, and the import carries on with the next record.
                message = f"{item.label}: the database refused it ({error})."
                outcome = ImportOutcome(item.label, "failed", message=message)
        report.outcomes.append(outcome)
        if on_progress is not None:
            on_progress(outcome)
    return report
