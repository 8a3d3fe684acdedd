"""Detectors: pure functions ``(text) -> list[Candidate]`` that point reviewers at likely problems.

Offsets are code points into ``text`` (the NFC document body), end exclusive. Every regular
expression is compiled once at import. Each detector proposes exactly one flag slug from the
taxonomy; ``docs/suggestions.md`` describes what each catches and what it misses.
"""

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

import regex

from .folding import fold
from .garbled import garbled_spans
from .sentences import sentence_spans


@dataclass(frozen=True, slots=True)
class Candidate:
    start: int
    end: int
    flag: str
    detector: str
    reason: str
    confidence: float

    @property
    def key(self) -> tuple:
        return (self.start, self.end, self.flag, self.detector)


# --------------------------------------------------------------------------------------------
# Shared helpers


def line_bounds(text: str, position: int) -> tuple[int, int]:
    """The line (paragraph, in these documents) containing ``position``."""
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return start, len(text) if end == -1 else end


# --------------------------------------------------------------------------------------------
# 1-2. Quotations and redactions live in quotations.py and redactions.py (imported at the end)

QUOTE_DETECTOR = "attributed-quotation"
QUOTE_FLAG = "misattributed-quote"
REDACTION_DETECTOR = "redacted-name"
REDACTION_FLAG = "redacted-name"


# --------------------------------------------------------------------------------------------
# 3. Content-farm markers

CONTENT_FARM_DETECTOR = "content-farm-marker"
CONTENT_FARM_FLAG = "content-farm"

# Every alternative starts with one of the characters looked ahead for: checking first is faster.
_DISCLAIMER = re.compile(
    r"(?=[ficp來来源如侵聯联版])"
    r"(?:from the internet|if there is any infringement|contact (?:us )?(?:to|for) delet"
    r"|please contact us to (?:delete|remove)|infringement,? (?:please )?(?:contact|delete)"
    r"|來源於網絡|来源于网络|來自網絡|来自网络|源自網絡|源自网络|如有侵權|如有侵权|侵刪|侵删"
    r"|聯繫刪除|联系删除|版權歸原作者|版权归原作者)",
    re.IGNORECASE,
)
_RELATED_TAIL = re.compile(
    r"^[ \t]*(?:related (?:pages|posts|articles|stories|links)|you may also like|read more"
    r"|recommended(?: reading| articles)?|photo galleries|more from this site"
    r"|相關閱讀|相关阅读|相關文章|相关文章|延伸閱讀|延伸阅读|推薦閱讀|推荐阅读|熱門推薦|热门推荐"
    r"|猜你喜歡|猜你喜欢)[ \t]*[:：]?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
# Titles of other web pages pasted in: "Title - Site", "… by Someone on Prezi".
_PASTED_PAGE_TITLE = re.compile(
    r"^[^\n.!?。！？]{3,120}(?:\s[-–|]\s[A-Z][\w .&]{1,40}"
    r"| on (?:Prezi|Scribd|SlideShare|Quizlet|Pinterest|YouTube|Medium))[ \t]*$",
    re.MULTILINE,
)
# Group 1: the line without its leading and trailing spaces and tabs. Greedy, then back to the
# last other character: a lazy ``[^\n]*?`` would test for the line's end at every character.
_LINE = re.compile(r"^[ \t]*(\S(?:[^\n]*[^ \t\n])?)[ \t]*$", re.MULTILINE)
_MAX_KEYWORD_LINE_WORDS = 15
_MIN_REPEATS = 3


def _farm(start: int, end: int, reason: str, confidence: float) -> Candidate:
    return Candidate(start, end, CONTENT_FARM_FLAG, CONTENT_FARM_DETECTOR, reason, confidence)


# Calls to share, like, follow or click, and copyright notices of copied pages: one per line.
# Matched on the text folded to Simplified Chinese (``folding.fold``).
# One regular expression per script: a single alternation of both scans several times slower.
_ENGAGEMENT_EN = regex.compile(
    r"(?=[sbcrfliSBCRFLI])(?i:\bshare (?:this|it)\b|before (?:it gets|they take it|it is) "
    r"(?:deleted|down)|\bclick (?:here|below|the link)\b|^read more\s*:|\bfollow us\b"
    r"|\blike and share\b|\bsubscribe\b|infringes? (?:your|on) (?:rights|copyright)"
    r"|^source\s*:\s*(?:the )?internet|contact us (?:for|to) (?:removal|delete|remove)"
    r"|copyright belongs to the original)",
    regex.MULTILINE,
)
_ENGAGEMENT_ZH = regex.compile(  # on the text folded to Simplified
    r"转发|分享给|分享出去|记得分享|请分享|按赞|点赞|点个赞|关注我们|点击关注|追踪我们|点击下方"
    r"|点击阅读|下方链接|版权声明|转自网络|转载自网络|来源于网络|来源网络|来自网络|来自网路"
    r"|源自网络|来源于网路|如有侵权|若有侵权|侵删|联系删除|告知删除|版权归原作者"
)
# Words one of the English patterns needs: lines without any are not searched at all.
_ENGAGEMENT_TRIGGERS = (
    "share", "delete", "down", "click", "read more", "follow", "subscribe", "infring",
    "source", "contact", "copyright",
)  # fmt: skip


def _engagement_en(text: str) -> list:
    matches = []
    for line in _LINE.finditer(text):
        lowered = line.group().lower()
        if any(trigger in lowered for trigger in _ENGAGEMENT_TRIGGERS):
            matches.extend(_ENGAGEMENT_EN.finditer(text, line.start(), line.end()))
    return matches


_ENGAGEMENT_MAX_LINE = 200


def detect_content_farm_markers(text: str) -> list[Candidate]:
    """Infringement disclaimers, calls to share, "Related Pages" tails, pasted titles, keywords."""
    candidates = []
    matches = [*_engagement_en(text), *_ENGAGEMENT_ZH.finditer(fold(text))]
    for match in sorted(matches, key=lambda m: m.start()):
        start, end = line_bounds(text, match.start())
        if start == 0 or end - start > _ENGAGEMENT_MAX_LINE:
            continue  # the title, or a long paragraph that merely mentions sharing
        if candidates and candidates[-1].start == start:
            continue
        end = start + len(text[start:end].rstrip())
        candidates.append(
            _farm(start, end, "Copy-and-delete notice or a call to share: content-farm page.", 0.9)
        )
    for match in _DISCLAIMER.finditer(text):
        line_start, line_end = line_bounds(text, match.start())
        if any(c.start <= match.start() < c.end for c in candidates):
            continue
        line = text[line_start:line_end]
        start = line_start + len(line) - len(line.lstrip())
        end = line_start + len(line.rstrip())
        candidates.append(
            _farm(start, end, "Copy-and-delete disclaimer: copied text with no provenance.", 0.95)
        )
    for match in _RELATED_TAIL.finditer(text):
        start = match.start() + len(match.group()) - len(match.group().lstrip())
        candidates.append(
            _farm(
                start,
                len(text.rstrip())
                if match.end() >= len(text.rstrip())
                else match.start() + len(match.group().rstrip()),
                "Scraped navigation (a 'Related Pages'-style link list).",
                0.85,
            )
        )
    for match in _PASTED_PAGE_TITLE.finditer(text):
        if match.start() == 0:
            continue  # the document's own title line
        start = match.start() + len(match.group()) - len(match.group().lstrip())
        candidates.append(
            _farm(start, match.end(), "Title of another web page pasted into the text.", 0.6)
        )
    candidates.extend(_repeated_keyword_lines(text))
    return candidates


def _repeated_keyword_lines(text: str) -> list[Candidate]:
    """Short lines without sentence punctuation repeated three times or more (SEO stuffing)."""
    lines = [
        (m.start(1), m.end(1), " ".join(m.group(1).casefold().split()))
        for m in _LINE.finditer(text)
    ]
    counts = Counter(
        key
        for _, _, key in lines
        if len(key.split()) <= _MAX_KEYWORD_LINE_WORDS and not re.search(r"[.!?。！？]$", key)
    )
    seen: set[str] = set()
    candidates = []
    for start, end, key in lines:
        if counts.get(key, 0) < _MIN_REPEATS:
            continue
        if key not in seen:
            seen.add(key)
            if start == len(text) - len(text.lstrip()):
                continue  # the document's own title
        candidates.append(
            _farm(start, end, f"Keyword line repeated {counts[key]} times (SEO stuffing).", 0.8)
        )
    return candidates


# --------------------------------------------------------------------------------------------
# 4. Unsourced numbers live in numbers.py (imported at the end)

NUMBER_DETECTOR = "unsourced-number"
NUMBER_FLAG = "unsourced-number"


# --------------------------------------------------------------------------------------------
# 5. Broken text (scraped or machine-translated)

BROKEN_TEXT_DETECTOR = "broken-text"
BROKEN_TEXT_FLAG = "machine-translation"

_GLUE_WORDS = (
    "the|with|was|were|yet|from|where|which|had|has|have|and|that|who|for|but|this|when|while"
    "|they|their|there|after|before|during|leader|class|due"
)
# Longest first, so that "Hon-yongleader" splits before "leader" is tried as "der".
_GLUE_TAILS = tuple(sorted(_GLUE_WORDS.split("|"), key=len, reverse=True))
_MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
)
_FULL_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
)
_GLUED_MONTH = re.compile(rf"(?=[JFMASOND])\b(?:{_FULL_MONTHS})(?=(?:{_GLUE_WORDS})\b|[A-Z][a-z])")
_GLUED_SENTENCE_START = re.compile(r"(?=[IO])(?:^|(?<=[.!?]\s))(?:In|On)(?:he|she|they|it|a|the)\b")
_MISSING_NUMBER = re.compile(
    # Every alternative starts with one of these characters: checking first is much faster; the
    # Latin ones also start at a word boundary, which rules out most positions inside words.
    r"(?:(?=[ifsuotlemd\d])\b|(?=[在於于自從从到至;]))(?:"
    # A preposition with its year or number dropped: "ruling from.", "in. Moscow", "of to".
    r"\b(?:in|from|since|until|of)\s?[.,;](?=\s)"
    r"|\b(?:of|from|since)\s+(?:to|and|until|onwards?)\b"
    r"|\b(?:of|in|from|since|until)\s+(?:he|she|they)\b"
    r"|\b(?:in|since|until)\s+(?:Although|Despite|However|Though|While|Because|He|She|They"
    r"|It|This|These|There)\b"
    r"|\b(?:in|since|until)\s+The(?=\s+[a-z])"
    r"|\bfrom\s+[—–-]+\s*,?"
    r"|\b(?:the|late|early|mid)\s+s\b"
    rf"|\b\d{{1,2}}\s+{_MONTHS}\s+(?=[A-Z][a-z])"
    # Chinese with the digits dropped: 於年月日, 在年底.
    r"|(?:在|於|于|自|從|从|到|至)年(?:月[日號号]?|代|底|初)|(?<![\d０-９一二三四五六七八九十〇零兩两])月日"
    # Missing space after a semicolon, as left by converting full-width ；.
    r"|(?<=[A-Za-z]);[A-Z][a-z]*"
    r")"
)
# Simplified-to-Traditional converters' word-level mistakes that change the meaning.
_CONVERSION_ERRORS = re.compile(
    r"存取(?!權|权|控制|資料|数据|數據|記憶|内存|檔案|档案|速度)(?=[\u4e00-\u9fff])"
    r"|實作(?!程式|代碼|代码|方法|細節|细节)(?=[\u4e00-\u9fff])|公裏"
)
# Real English words that end in one of the glue words above.
_REAL_WORDS = frozenset(
    {
        "breathe",
        "bathe",
        "lathe",
        "clothe",
        "loathe",
        "soothe",
        "seethe",
        "writhe",
        "tithe",
        "blithe",
        "scythe",
        "lithe",
        "swathe",
        "absinthe",
        "forthwith",
        "herewith",
        "therewith",
        "wherewith",
        "elsewhere",
        "somewhere",
        "anywhere",
        "everywhere",
        "nowhere",
        "subclass",
        "underclass",
        "ringleader",
        "cheerleader",
        "subdue",
        "undue",
        "residue",
        "sycamore",
        "together",
        "whether",
        "either",
        "neither",
    }
)
# Heads long enough and ending like an English word ("liberation", "professionals").
_WORD_ENDING = re.compile(r"[a-z]{3,}(?:tion|sion|ment|ness|ity|ism|ist|als|ers|ors|ians)s?$")
_MERGE_GAP = 12
_MERGEABLE_GAP = re.compile(r"^[A-Za-z ]*$")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


def detect_broken_text(text: str) -> list[Candidate]:
    """Words run together and numbers missing: signs of scraped or machine-translated text.

    Glued words ("economywith", "Julythe") are recognised when the part before a common short
    word is itself a word used elsewhere in the document, or a month name; missing numbers by
    grammar that only a dropped year leaves behind ("from the summer of to July").
    """
    tokens = _WORD.findall(text)
    vocabulary = Counter(map(str.casefold, tokens))
    # Each distinct word is judged once; their positions are then found only on the lines
    # that hold a glued one (a word never crosses a line).
    glued_words = {
        token: glued for token in set(tokens) if (glued := _glued_words(token, vocabulary))
    }
    lines = set()
    for token in glued_words:
        at = text.find(token)
        while at != -1:
            lines.add(line_bounds(text, at))
            at = text.find(token, at + 1)
    spans: list[tuple[int, int, str]] = []
    for line_start, line_end in lines:
        for match in _WORD.finditer(text, line_start, line_end):
            glued = glued_words.get(match.group())
            if glued:
                spans.append((*match.span(), f"'{glued[0]}' and '{glued[1]}' run together"))
    for match in _GLUED_MONTH.finditer(text):
        word_end = re.match(r"[A-Za-z]+", text[match.start() :]).end() + match.start()
        spans.append((match.start(), word_end, "a month name runs into the next word"))
    for match in _GLUED_SENTENCE_START.finditer(text):
        spans.append((match.start(), match.end(), "a year seems to be missing ('In [year] he')"))
    for match in _MISSING_NUMBER.finditer(text):
        start = match.start()
        if text[start] == ";":  # "peace;On": include the word before the semicolon
            while start > 0 and text[start - 1].isalpha() and text[start - 1].isascii():
                start -= 1
            spans.append((start, match.end(), "a space is missing after ';'"))
            continue
        spans.append((start, match.end(), "a number or year seems to be missing"))
    for match in _CONVERSION_ERRORS.finditer(text):
        end = match.end() + (2 if match.group() in ("存取", "實作") else 0)
        spans.append((match.start(), end, "a script converter's wrong word changes the meaning"))
    spans.extend(garbled_spans(text))
    return _merge_broken(text, spans)


def _glued_words(token: str, vocabulary: Counter) -> tuple[str, str] | None:
    """Split ``token`` into (word, glue word) if it looks like two words run together."""
    if len(token) < 6 or not token.endswith(_GLUE_TAILS):
        return None
    folded = token.casefold()
    if folded in _REAL_WORDS or vocabulary[folded] > 1:
        return None  # a word used more than once is probably a real word
    for tail in _GLUE_TAILS:
        if token.endswith(tail) and len(token) - len(tail) >= 3:
            head = token[: -len(tail)]
            if head.casefold() in vocabulary or head.isupper() or _WORD_ENDING.search(head):
                return head, tail
    return None


def _sentence_index(sentences: list[tuple[int, int]]):
    starts = [start for start, _ in sentences]

    def index(position: int) -> int | None:
        i = bisect_right(starts, position) - 1
        return i if i >= 0 and position < sentences[i][1] else None

    return index


def _merge_broken(text: str, spans: list[tuple[int, int, str]]) -> list[Candidate]:
    """Merge problems in one sentence, or close together on one line, into one span.

    A reviewer judges a broken sentence once, not each glued word in it.
    """
    merged: list[list] = []
    sentences = sentence_spans(text) if spans else []
    sentence_of = _sentence_index(sentences)
    for start, end, reason in sorted(spans):
        if merged:
            last = merged[-1]
            gap = text[last[1] : start]
            same_sentence = sentence_of(start) is not None and sentence_of(start) == sentence_of(
                last[0]
            )
            if same_sentence or (start - last[1] <= _MERGE_GAP and _MERGEABLE_GAP.match(gap)):
                last[1] = max(last[1], end)
                if reason not in last[2]:
                    last[2].append(reason)
                continue
        merged.append([start, end, [reason]])
    return [
        Candidate(
            start,
            end,
            BROKEN_TEXT_FLAG,
            BROKEN_TEXT_DETECTOR,
            "Broken text (" + "; ".join(reasons) + "): scraped or machine-translated?",
            0.7 if len(reasons) > 1 else 0.6,
        )
        for start, end, reasons in merged
    ]


# Imported here, not at the top: these modules need ``Candidate`` and the names above.
from .numbers import detect_numbers  # noqa: E402
from .quotations import detect_quotations  # noqa: E402
from .redactions import detect_redactions  # noqa: E402

DETECTORS = (
    detect_quotations,
    detect_redactions,
    detect_content_farm_markers,
    detect_numbers,
    detect_broken_text,
)

DETECTOR_FLAGS = {
    QUOTE_DETECTOR: QUOTE_FLAG,
    REDACTION_DETECTOR: REDACTION_FLAG,
    CONTENT_FARM_DETECTOR: CONTENT_FARM_FLAG,
    NUMBER_DETECTOR: NUMBER_FLAG,
    BROKEN_TEXT_DETECTOR: BROKEN_TEXT_FLAG,
}
