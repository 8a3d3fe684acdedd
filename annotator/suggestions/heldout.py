"""The held-out evaluation set: short documents with gold spans marked inline.

The set lives in ``tests/data/heldout/`` (``dev.txt`` for tuning, ``test.txt`` for reporting;
its README says how it was written). Keeping the gold inline, rather than as offsets in a second
file, means a span cannot drift from its text. Format::

    ### t01 en news
    Body text with ⟦Q|a flagged span⟧ and ⟦R|***⟧ nested ⟦Q|spans ⟦R|**⟧ too⟧.

A header line ``### ID LANGUAGE GENRE`` starts a document; ``#`` lines before the first header
are comments. The markers are stripped; offsets are code points into the NFC text.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .evaluation import GoldFileError, Span

FLAG_CODES = {
    "Q": "misattributed-quote",
    "R": "redacted-name",
    "F": "content-farm",
    "N": "unsourced-number",
    "M": "machine-translation",
}
OPEN, CLOSE = "⟦", "⟧"
LANGUAGES = ("en", "zh-Hant", "zh-Hans")
_HEADER = re.compile(r"^### (?P<id>\S+) (?P<language>\S+) (?P<genre>\S+)\s*$")


@dataclass
class HeldoutDocument:
    id: str
    language: str
    genre: str
    text: str
    spans: list[Span] = field(default_factory=list)


def _strip_markup(raw: str, doc_id: str, where: str) -> tuple[str, list[Span]]:
    """Return the plain text and the spans marked in ``raw`` (markers may nest)."""
    out: list[str] = []
    length = 0
    stack: list[tuple[str, int]] = []
    spans: list[Span] = []
    index = 0
    while index < len(raw):
        char = raw[index]
        if char == OPEN:
            code = raw[index + 1 : index + 2]
            if raw[index + 2 : index + 3] != "|" or code not in FLAG_CODES:
                raise GoldFileError(f"{where}: bad marker {raw[index : index + 3]!r} in {doc_id}.")
            stack.append((FLAG_CODES[code], length))
            index += 3
            continue
        if char == CLOSE:
            if not stack:
                raise GoldFileError(f"{where}: unbalanced {CLOSE} in {doc_id}.")
            flag, start = stack.pop()
            spans.append(Span(doc_id, start, length, flag))
            index += 1
            continue
        out.append(char)
        length += 1
        index += 1
    if stack:
        raise GoldFileError(f"{where}: unclosed {OPEN} in {doc_id}.")
    return "".join(out), sorted(spans, key=lambda s: (s.start, s.end))


def read_heldout(path: Path) -> list[HeldoutDocument]:
    """Parse a held-out file; raise ``GoldFileError`` naming the problem."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise GoldFileError(f"{path}: cannot read ({error}).") from error
    documents: list[HeldoutDocument] = []
    body: list[str] = []

    def finish():
        if documents:
            raw = unicodedata.normalize("NFC", "\n".join(body).strip("\n"))
            text, spans = _strip_markup(raw, documents[-1].id, str(path))
            documents[-1].text, documents[-1].spans = text, spans

    for number, line in enumerate(lines, start=1):
        header = _HEADER.match(line)
        if header:
            finish()
            if header["language"] not in LANGUAGES:
                raise GoldFileError(f"{path}:{number}: unknown language {header['language']!r}.")
            documents.append(HeldoutDocument(header["id"], header["language"], header["genre"], ""))
            body = []
        elif documents:
            body.append(line)
        elif line.strip() and not line.startswith("#"):
            raise GoldFileError(f"{path}:{number}: text before the first '### ' header.")
    finish()
    ids = [d.id for d in documents]
    if len(set(ids)) != len(ids):
        raise GoldFileError(f"{path}: duplicate document ids.")
    return documents
