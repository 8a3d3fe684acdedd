"""Export formats as generator functions: records (dicts) in, text chunks out.

Chunks are joined to about 64 KB so that a streamed response makes few large writes.
"""

import csv
import json
from collections.abc import Iterable, Iterator

CHUNK_CHARS = 65536
SCHEMA_ORG_CONTEXT = "https://schema.org"


_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(value) -> str:
    """Compact, deterministic JSON with Unicode kept as is (CJK stays readable).

    One shared encoder: ``json.dumps`` with options builds a new encoder on every call.
    """
    return _encoder.encode(value)


def coalesce(parts: Iterable[str], size: int = CHUNK_CHARS) -> Iterator[str]:
    buffer, length = [], 0
    for part in parts:
        buffer.append(part)
        length += len(part)
        if length >= size:
            yield "".join(buffer)
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer)


class Written(str):
    """Records already written as JSON (or CSV rows) by the database, each ending with ``\n``
    (``pgrows``): passed on in blocks, never split into lines in Python."""


def json_lines(records: Iterable[dict | Written]) -> Iterator[str]:
    return coalesce(
        record if isinstance(record, Written) else dumps(record) + "\n" for record in records
    )


def _json_array_items(items: Iterable[dict | Written]) -> Iterator[str]:
    """Items separated by commas. JSON text holds no raw newline (it is escaped in strings),
    so a block's line ends are exactly its item boundaries."""
    first = True
    for item in items:
        text = item[:-1].replace("\n", ",") if isinstance(item, Written) else dumps(item)
        yield text if first else "," + text
        first = False


def json_document(records: Iterable[dict], *, next_cursor: str | None) -> Iterator[str]:
    """``{"next_cursor": ..., "results": [...]}``, streamed."""

    def parts():
        yield '{"next_cursor":' + dumps(next_cursor) + ',"results":['
        yield from _json_array_items(records)
        yield "]}\n"

    return coalesce(parts())


# Cells a spreadsheet would read as a formula (OWASP "CSV Injection"): a text cell starting
# with one of these gets a leading apostrophe, which Excel, LibreOffice and Google Sheets take
# as "this is text" and do not display. Numbers are never touched (a rating is never negative).
# A text starting with an apostrophe gets one more, so that a reader's rule is simple and
# exact: a text cell starting with ``'`` had one ``'`` added.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "'")


def neutralise_formula(cell: str) -> str:
    """``'`` + ``cell`` when a spreadsheet would evaluate ``cell`` as a formula."""
    return "'" + cell if cell.startswith(FORMULA_TRIGGERS) else cell


def list_item(value) -> str:
    """One item of a ``;``-separated cell: ``\\`` → ``\\\\`` and ``;`` → ``\\;``."""
    return str(value).replace("\\", "\\\\").replace(";", "\\;")


def csv_cell(value):
    """One CSV cell: a list as ``a;b``, an object as ``k=v;k=v``; text passes the formula guard.

    The escape (backslash before ``;`` and ``\\``) is documented in docs/exports.md.
    """
    if isinstance(value, list):
        value = ";".join(list_item(item) for item in value)
    elif isinstance(value, dict):
        value = ";".join(f"{list_item(key)}={list_item(item)}" for key, item in value.items())
    if isinstance(value, str):
        return neutralise_formula(value)
    return value


class _RowSink:
    """The file ``csv.writer`` writes to: one ``write`` per row, re-ended with ``newline``.

    The writer ends rows with CRLF so that its minimal quoting quotes every cell holding a
    CR or an LF (with ``lineterminator="\\n"`` Python's writer leaves a bare CR unquoted, and
    readers then split the row); the sink swaps that CRLF for the requested line ending.
    """

    def __init__(self, newline: str):
        self.newline = newline
        self.lines: list[str] = []
        self.length = 0

    def write(self, line: str) -> None:
        if self.newline != "\r\n":
            line = line[:-2] + self.newline
        self.lines.append(line)
        self.length += len(line)

    def take(self) -> str:
        text = "".join(self.lines)
        self.lines, self.length = [], 0
        return text


def csv_newline(excel: bool) -> str:
    return "\r\n" if excel else "\n"


def csv_document(
    records: Iterable[dict], columns: list[str], *, excel: bool = False, lines: Iterable[str] = ()
) -> Iterator[str]:
    """CSV with a header row (RFC 4180 quoting), LF line ends.

    ``excel``: a UTF-8 byte order mark first and CRLF line ends, so that Excel opens UTF-8
    text (好戲, emoji) as UTF-8 instead of the system code page. ``lines``: blocks of rows
    already written (by ``pgrows``, each ending with ``csv_newline(excel)``), put before
    ``records``.
    """

    def parts():
        sink = _RowSink(csv_newline(excel))
        if excel:
            sink.lines.append("\ufeff")
        writer = csv.writer(sink, lineterminator="\r\n")
        writer.writerow(columns)
        for line in lines:
            sink.lines.append(line)
            sink.length += len(line)
            if sink.length >= CHUNK_CHARS:
                yield sink.take()
        for record in records:
            writer.writerow([csv_cell(record.get(column)) for column in columns])
            if sink.length >= CHUNK_CHARS:
                yield sink.take()
        yield sink.take()

    return parts()


def web_annotation_collection(
    annotations: Iterable[dict], *, collection_id: str, label: str
) -> Iterator[str]:
    """A W3C ``AnnotationCollection`` whose first (and only) page holds every annotation."""

    def parts():
        head = {
            "@context": "http://www.w3.org/ns/anno.jsonld",
            "id": collection_id,
            "type": "AnnotationCollection",
            "label": label,
        }
        page_head = {"id": collection_id + "#page1", "type": "AnnotationPage"}
        yield dumps(head)[:-1] + ',"first":' + dumps(page_head)[:-1] + ',"items":['
        yield from _json_array_items(annotations)
        yield "]}}\n"

    return coalesce(parts())


def claim_review_graph(reviews: Iterable[dict]) -> Iterator[str]:
    """A JSON-LD document ``{"@context": "https://schema.org", "@graph": [ClaimReview...]}``."""

    def parts():
        yield '{"@context":' + dumps(SCHEMA_ORG_CONTEXT) + ',"@graph":['
        yield from _json_array_items(reviews)
        yield "]}\n"

    return coalesce(parts())
