"""Text normalisation, hashing, passage segmentation, language detection and quote anchors.

Offsets everywhere in the product are Unicode code points into the NFC-normalised body
(what Python's ``str`` indexes), end exclusive.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass

import regex

# Characters of context kept on each side of a quote (W3C TextQuoteSelector prefix/suffix):
# the one definition, used by annotation writes and the exports alike.
QUOTE_CONTEXT = 32

_BLANK_LINE = re.compile(r"\n[ \t\u3000]*\n")


def normalize_text(raw: str) -> str:
    """NFC-normalise and turn CRLF / lone CR into LF. Idempotent."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    return unicodedata.normalize("NFC", text)


def body_sha256(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def segment_passages(body: str) -> list[tuple[int, int]]:
    """Split a body into paragraphs: runs of text separated by blank lines.

    A paragraph with no blank line in a long document of single-line paragraphs still splits
    on each line, so every non-empty line-run becomes a passage with surrounding whitespace trimmed.
    """
    spans: list[tuple[int, int]] = []
    position = 0
    blocks = _BLANK_LINE.split(body) if _BLANK_LINE.search(body) else body.split("\n")
    for block in blocks:
        start = body.index(block, position) if block else position
        end = start + len(block)
        position = end
        stripped_start = start + (len(block) - len(block.lstrip()))
        stripped_end = end - (len(block) - len(block.rstrip()))
        if stripped_end > stripped_start:
            spans.append((stripped_start, stripped_end))
    return spans


@dataclass(frozen=True)
class QuoteSelector:
    exact: str
    prefix: str
    suffix: str


def quote_selector(body: str, start: int, end: int, context: int = QUOTE_CONTEXT) -> QuoteSelector:
    """The W3C TextQuoteSelector triple for ``body[start:end]``."""
    return QuoteSelector(
        exact=body[start:end],
        prefix=body[max(0, start - context) : start],
        suffix=body[end : end + context],
    )


# One extended grapheme cluster (Unicode UAX #29), what a reader perceives as one character.
_GRAPHEME = regex.compile(r"\X")
# Two characters with no special cluster role (Grapheme_Cluster_Break=Other): UAX #29 always
# breaks between them, so segmenting may start there. Searched backwards ((?r)) from an offset.
_PLAIN_PAIR = regex.compile(r"(?r)\p{Grapheme_Cluster_Break=Other}\p{Grapheme_Cluster_Break=Other}")


def grapheme_around(text: str, offset: int) -> tuple[int, int] | None:
    """The (start, end) of the grapheme cluster that ``offset`` falls strictly inside, else None.

    A span must not start or end inside a cluster (half of a flag, one member of an emoji
    family, a letter without its accent): the W3C selector model says it SHOULD NOT, and such
    a span cannot be shown. Segmenting the whole text would cost milliseconds on a long
    paragraph; instead it starts at the nearest earlier position that is always a boundary
    (after a line feed, or between two plain characters) and gives the same clusters.
    """
    if offset <= 0 or offset >= len(text):
        return None
    line_start = text.rfind("\n", 0, offset) + 1
    plain = _PLAIN_PAIR.search(text, line_start, offset + 1)
    safe = plain.start() + 1 if plain else line_start
    if safe == offset:
        return None
    # Clusters before ``offset`` do not depend on what follows it: the last one of the text cut
    # at ``offset`` starts where the real cluster around ``offset`` starts.
    last = _GRAPHEME.findall(text, safe, offset)[-1]
    start = offset - len(last)
    end = _GRAPHEME.match(text, start).end()
    return None if end == offset else (start, end)


# Characters whose form differs between Traditional and Simplified Chinese (common ones).
_TRADITIONAL = set(
    "這們說會國來時個為後對學與麼開還進過發經點當歷軍戰讓總種東問題關實現從電見長書門產動無義當黨將機業聽場萬"
)
_SIMPLIFIED = set(
    "这们说会国来时个为后对学与么开还进过发经点当历军战让总种东问题关实现从电见长书门产动无义当党将机业听场万"
)
_TRADITIONAL -= _SIMPLIFIED
_SIMPLIFIED -= set(
    "這們說會國來時個為後對學與麼開還進過發經點歷軍戰讓總種東問題關實現從電見長書門產動無義黨將機業聽場萬"
)


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF


def detect_language(text: str) -> str:
    """Return a BCP 47 tag: ``zh-Hant``, ``zh-Hans``, ``zh``, ``ja``, ``ko``, ``en`` or ``und``.

    A deliberately small heuristic for the corpus this service handles: the share of CJK
    ideographs decides Chinese; characteristic Traditional vs Simplified forms decide the script.
    """
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return "und"
    kana = sum(1 for c in letters if 0x3040 <= ord(c) <= 0x30FF)
    hangul = sum(1 for c in letters if 0xAC00 <= ord(c) <= 0xD7AF)
    cjk = sum(1 for c in letters if _is_cjk(c))
    if kana > 0.1 * len(letters):
        return "ja"
    if hangul > 0.3 * len(letters):
        return "ko"
    if cjk > 0.3 * len(letters):
        traditional = sum(1 for c in text if c in _TRADITIONAL)
        simplified = sum(1 for c in text if c in _SIMPLIFIED)
        if traditional == simplified:
            return "zh"  # no distinctive characters: the script cannot be told
        return "zh-Hans" if simplified > traditional else "zh-Hant"
    return "en"


_SKIPPED_TITLE_LINES = re.compile(
    r"^(go to contents|skip to (main )?content|當前位置|当前位置|首頁|首页|home\s*[>›])",
    re.IGNORECASE,
)


def detect_title(body: str, max_length: int = 300) -> str:
    """The first meaningful line, skipping crumbs such as 'Go to contents' or '當前位置: …'."""
    for line in body.split("\n"):
        candidate = line.strip().strip("“”\"'「」")
        if candidate and not _SKIPPED_TITLE_LINES.match(candidate):
            return candidate[:max_length]
    return "Untitled"


def words_before(text: str, limit: int) -> str:
    """The end of ``text``, at most ``limit`` code points, not starting inside a word.

    CJK text has no spaces between words, so a cut before a CJK character is always clean.
    A single word longer than ``limit`` is cut anyway.
    """
    if len(text) <= limit:
        return text
    piece = text[-limit:]
    if piece[0].isspace() or text[-limit - 1].isspace() or _is_cjk(piece[0]):
        return piece.lstrip()
    for index, char in enumerate(piece):
        if char.isspace() or _is_cjk(char):
            return piece[index:].lstrip()
    return piece


def words_after(text: str, limit: int) -> str:
    """The start of ``text``, at most ``limit`` code points, not ending inside a word."""
    if len(text) <= limit:
        return text
    piece = text[:limit]
    if piece[-1].isspace() or text[limit].isspace() or _is_cjk(text[limit]):
        return piece.rstrip()
    for index in range(len(piece) - 1, -1, -1):
        if piece[index].isspace() or _is_cjk(piece[index]):
            return piece[: index + 1].rstrip()
    return piece
