"""Text and metadata out of the bytes people bring: plain text, Markdown, HTML, PDF and DOCX.

Every way in (web page, API, fetch by URL, ``import_documents``) goes through :func:`extract`.
The work is done by well-kept libraries: trafilatura for a web page's main text and metadata
(it drops navigation, cookie banners, footers and related-link blocks), pdfminer.six for PDF
(CJK included; each page's passages know their page) and python-docx for Word files.
"""

import datetime
import io
import logging
import re
from dataclasses import dataclass, field
from pathlib import PurePath

from django.conf import settings

from ..text import normalize_text
from .errors import IngestError, TooLarge, UnsupportedType

logger = logging.getLogger(__name__)

TEXT = "text/plain"
MARKDOWN = "text/markdown"
HTML = "text/html"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
JSONL = "application/jsonl"

SUFFIX_TYPES = {
    ".txt": TEXT,
    ".text": TEXT,
    ".md": MARKDOWN,
    ".markdown": MARKDOWN,
    ".html": HTML,
    ".htm": HTML,
    ".pdf": PDF,
    ".docx": DOCX,
    ".jsonl": JSONL,
    ".ndjson": JSONL,
}
# Declared content types (upload headers, fetched responses) we understand, by their base type.
CONTENT_TYPES = {
    TEXT: TEXT,
    MARKDOWN: MARKDOWN,
    "text/x-markdown": MARKDOWN,
    HTML: HTML,
    "application/xhtml+xml": HTML,
    PDF: PDF,
    DOCX: DOCX,
    JSONL: JSONL,
    "application/x-ndjson": JSONL,
}
ACCEPTED = ".txt, .md, .html, .htm, .pdf, .docx, .jsonl"

BOILERPLATE_SHARE = 0.3  # main text below this share of the page's visible text: a warning


@dataclass
class Extracted:
    """What came out of the bytes. ``page_starts``: offset in ``text`` where each page begins."""

    text: str
    media_type: str
    title: str = ""
    author: str = ""
    published: str = ""
    site_name: str = ""
    url: str = ""
    language: str = ""
    page_starts: list[int] | None = None
    warnings: list[str] = field(default_factory=list)


def max_bytes() -> int:
    return settings.DOCUMENT_MAX_UPLOAD_BYTES


def check_size(size: int, field_name: str = "file") -> None:
    limit = max_bytes()
    if size > limit:
        raise TooLarge(field_name, f"The file is {size:,} bytes; the limit is {limit:,} bytes.")


def media_type_for(filename: str, content_type: str = "", field_name: str = "file") -> str:
    """The media type we will read the bytes as: by file suffix first, then declared type."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in SUFFIX_TYPES:
        return SUFFIX_TYPES[suffix]
    base = (content_type or "").split(";")[0].strip().lower()
    if base in CONTENT_TYPES and not (suffix and base == TEXT):
        return CONTENT_TYPES[base]
    shown = suffix or base or "unknown"
    raise UnsupportedType(field_name, f"Unsupported file type ({shown}); accepted: {ACCEPTED}.")


# Multi-byte encodings worth guessing; anything else that is not UTF-8 is read as Windows-1252,
# because guessing among single-byte encodings on short texts picks the wrong one too often.
_GUESSED_ENCODINGS = {
    "gb18030",
    "gbk",
    "gb2312",
    "big5",
    "big5hkscs",
    "cp950",
    "cp936",
    "shift_jis",
    "cp932",
    "euc_jp",
    "euc_kr",
    "cp949",
    "utf_16",
    "utf_32",
}


def decode_text(data: bytes, field_name: str = "file") -> str:
    """UTF-8 (with or without BOM), a CJK encoding charset-normalizer finds, else Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding in _GUESSED_ENCODINGS and "\x00" not in str(best):
        return str(best)
    if b"\x00" in data:
        raise IngestError(field_name, "Unreadable file: not text in any encoding we recognise.")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _paragraphs(blocks) -> str:
    """Join text blocks as paragraphs separated by blank lines (one passage each)."""
    cleaned = (re.sub(r"[ \t]*\n[ \t]*", "\n", block).strip() for block in blocks)
    return "\n\n".join(block for block in cleaned if block)


def _extract_text(data: bytes, media_type: str) -> Extracted:
    return Extracted(text=normalize_text(decode_text(data)), media_type=media_type)


def _visible_text_length(html: str) -> int:
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return 0
    for element in root.xpath("//script|//style|//noscript|//template"):
        element.drop_tree()
    return len(re.sub(r"\s+", "", root.text_content()))


def _html_language(html: str) -> str:
    match = re.search(r"<html[^>]*\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)", html)
    return match.group(1) if match else ""


def _extract_html(data: bytes, url: str = "", warnings: bool = True) -> Extracted:
    import trafilatura

    html = decode_text(data)
    result = trafilatura.bare_extraction(
        html,
        url=url or None,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        deduplicate=False,
        # No second opinion from readability/jusText: half the time, and the main extractor
        # alone passes our boilerplate tests (tests/test_documents_api.py).
        fast=True,
        # The date from the page's metadata, structured data and URL, not guessed from dates
        # anywhere in its text (htmldate's "extensive search": 60 % of the extraction time,
        # and the editor can correct the date in the preview).
        date_extraction_params={
            "original_date": True,
            "extensive_search": False,
            "max_date": datetime.date.today().isoformat(),
        },
    )
    main = (getattr(result, "text", None) or "").strip() if result is not None else ""
    if not main:
        raise IngestError("file", "No main text found in this HTML page.")
    text = normalize_text(_paragraphs(main.split("\n")))
    extracted = Extracted(
        text=text,
        media_type=HTML,
        title=result.title or "",
        author=result.author or "",
        published=result.date or "",
        site_name=result.sitename or "",
        url=result.url or "",
        language=_html_language(html),
    )
    if not warnings:
        return extracted
    visible = _visible_text_length(html)
    kept = len(re.sub(r"\s+", "", text))
    if visible and kept < BOILERPLATE_SHARE * visible:
        extracted.warnings.append(
            f"Mostly boilerplate: the main text is {kept * 100 // visible}% of the page's text."
        )
    return extracted


def _extract_pdf(data: bytes) -> Extracted:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer
    from pdfminer.pdfparser import PDFSyntaxError

    pages: list[str] = []
    try:
        for page in extract_pages(io.BytesIO(data)):
            blocks = [e.get_text() for e in page if isinstance(e, LTTextContainer)]
            pages.append(normalize_text(_paragraphs(blocks)))
    except PDFSyntaxError as error:
        raise IngestError("file", f"Unreadable PDF ({error}).") from error
    except Exception as error:  # pdfminer raises many types on damaged or encrypted files
        logger.info("PDF extraction failed: %r", error)
        raise IngestError("file", f"Unreadable PDF ({type(error).__name__}).") from error
    if not any(page.strip() for page in pages):
        raise IngestError(
            "file",
            "This PDF has no extractable text (a scanned image?); OCR is not supported.",
        )
    text_parts: list[str] = []
    page_starts: list[int] = []
    position = 0
    for page in pages:
        if text_parts:
            text_parts.append("\n\n")
            position += 2
        page_starts.append(position)
        text_parts.append(page)
        position += len(page)
    return Extracted(text="".join(text_parts), media_type=PDF, page_starts=page_starts)


def _extract_docx(data: bytes) -> Extracted:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as error:
        raise IngestError("file", "Unreadable Word file (not a valid .docx).") from error
    except Exception as error:  # zipfile.BadZipFile, lxml errors on damaged files
        raise IngestError("file", "Unreadable Word file (not a valid .docx).") from error
    blocks = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            blocks.append(" | ".join(cell.text.strip() for cell in row.cells))
    # Not the core "created" date: it is when the file (or its template) was made, not published.
    properties = document.core_properties
    return Extracted(
        text=normalize_text(_paragraphs(blocks)),
        media_type=DOCX,
        title=properties.title or "",
        author=properties.author or "",
        language=properties.language or "",
    )


def _warn_from_detectors(extracted: Extracted) -> None:
    """Warnings from the suggestion detectors: broken (machine-translated) text, content farms."""
    from ..suggestions.engine import suggest

    flags: dict[str, int] = {}
    for candidate in suggest(extracted.text):
        flags[candidate.flag] = flags.get(candidate.flag, 0) + 1
    if flags.get("machine-translation", 0) >= 2:
        extracted.warnings.append(
            f"Looks machine-translated: {flags['machine-translation']} broken passages."
        )
    if flags.get("content-farm"):
        extracted.warnings.append(
            f"Content-farm markers: {flags['content-farm']} (disclaimers, SEO lines…)."
        )


def extract(data: bytes, media_type: str, *, url: str = "", warnings: bool = True) -> Extracted:
    """Extract the text of ``data`` read as ``media_type``; raise IngestError if there is none."""
    check_size(len(data))
    if not data.strip():
        raise IngestError("file", "The file is empty.")
    if media_type in (TEXT, MARKDOWN):
        extracted = _extract_text(data, media_type)
    elif media_type == HTML:
        extracted = _extract_html(data, url, warnings)
    elif media_type == PDF:
        extracted = _extract_pdf(data)
    elif media_type == DOCX:
        extracted = _extract_docx(data)
    else:
        raise UnsupportedType("file", f"Unsupported type {media_type}; accepted: {ACCEPTED}.")
    if not extracted.text.strip():
        raise IngestError("file", "No text in this file.")
    if "\x00" in extracted.text:
        raise IngestError("file", "The text contains NUL characters (is it a binary file?).")
    if warnings:
        _warn_from_detectors(extracted)
    return extracted
