"""Detectors: pure functions ``(text) -> list[Candidate]`` that point reviewers at likely problems.

Offsets are code points into ``text`` (the NFC document body), end exclusive. Every regular
expression is compiled once at import. Each detector proposes exactly one flag slug from the
taxonomy; ``docs/suggestions.md`` describes what each catches and what it misses.
"""

import re
from collections import Counter
from dataclasses import dataclass


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


_SENTENCE_END = re.compile(r"[.!?](?=[\s\"”’)\]]|$)|[。！？]")


def sentence_bounds(text: str, start: int, end: int | None = None) -> tuple[int, int]:
    """The sentence around ``start``..``end`` (clamped to its line)."""
    end = start if end is None else end
    line_start, line_end = line_bounds(text, start)
    sentence_start = line_start
    for match in _SENTENCE_END.finditer(text, line_start, start):
        sentence_start = match.end()
    match = _SENTENCE_END.search(text, end, line_end)
    sentence_end = match.end() if match else line_end
    while sentence_start < start and text[sentence_start].isspace():
        sentence_start += 1
    return sentence_start, sentence_end


# A citation near a quotation: a bracketed reference, a named source, a URL.
_CITATION = re.compile(
    r"according to|reported by|\breported\b|\bcited\b|\bsources?\b|\bquoted (?:by|in)\b"
    r"|https?://|www\.|【\d+】|\[\d+\]|\^\d+"
    r"|據[^，,。\n]{0,20}(?:報導|報道|消息|記載|稱)|据[^，,。\n]{0,20}(?:报道|消息|记载|称)"
    r"|根據|根据|資料來源|资料来源|來源[:：]|来源[:：]|出處|出处|引自|參見|参见|援引",
    re.IGNORECASE,
)

# Words that attribute a figure to a source (a superset of citations).
_NUMBER_SOURCE = re.compile(
    _CITATION.pattern
    + r"|\b(?:said|says|told|stated|announced|estimated|estimates?|reports?|broadcast\w*"
    r"|survey|study|census|statistics|data|archives?|records? show\w*|figures? from)\b"
    r"|表示|指出|稱|称|統計|统计|顯示|显示|報告|报告|報導|报道|調查|调查|估計|估计|公布",
    re.IGNORECASE,
)


def _line_text(text: str, position: int) -> str:
    start, end = line_bounds(text, position)
    return text[start:end]


# --------------------------------------------------------------------------------------------
# 1. Attributed quotations without a source

QUOTE_DETECTOR = "attributed-quotation"
QUOTE_FLAG = "misattributed-quote"

_QUOTATION = re.compile(
    r"“(?P<curly>[^“”\n]{1,600})”"
    r'|"(?P<straight>[^"\n]{1,600})"'
    r"|「(?P<corner>[^「」\n]{1,600})」"
    r"|『(?P<white>[^『』\n]{1,600})』"
)

_EN_VERBS = (
    r"said|says|say|told|tells|laughed|laughs|wrote|writes|declared|declares|stated|states|added"
    r"|remarked|replied|exclaimed|announced|insisted|asked|shouted|joked|quipped|recalled"
    r"|answered|commented|responded|proclaimed|whispered|warned|explained|saying|telling"
    r"|declaring|laughing|writing"
)
_EN_TITLES = r"(?:Chairman|President|Premier|Marshal|General|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Comrade)"
_EN_NAME = rf"(?:{_EN_TITLES}\s+)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){{0,3}}"
_EN_SPEAKER = rf"(?:\b(?:he|she|He|She|I|we|We)\b|(?:{_EN_TITLES}\s+)?\*{{2,}}|{_EN_NAME})"
_EN_ADVERBS = r"(?:(?:\w+ly|also|then|once|later|even|had|has|have|was|once)\s+)*"

# "<speaker> [adverbs] <verb> [object] [:|,] [that]" right before the opening mark.
_EN_ATTRIBUTION_BEFORE = re.compile(
    rf"(?P<speaker>{_EN_SPEAKER})\s+{_EN_ADVERBS}(?P<verb>{_EN_VERBS})\b"
    r"(?:\s+(?!that\b)[\w'’-]+){0,4}?\s*[,:：]?\s*(?:that\s+)?$"
)
# '"…," he said' or '"…," said Kim' right after the closing mark.
_EN_ATTRIBUTION_AFTER = re.compile(
    rf"^\s*[,，]?\s*(?:(?P<speaker>{_EN_SPEAKER})\s+{_EN_ADVERBS}(?P<verb>{_EN_VERBS})\b"
    rf"|(?P<verb2>{_EN_VERBS})\s+(?P<speaker2>{_EN_SPEAKER}))"
)
# Capitalised sentence openers and institutions are not people.
_NOT_A_PERSON = re.compile(
    r"^(?:The|This|That|These|Those|It|Its|There|A|An|In|On|At|As|But|And|However|When|While"
    r"|After|Before|Some|Many|Most|Reports?|Sources?|Officials?)\b"
    r"|\b(?:Times|News|Post|Agency|Ministry|Daily|Journal|Press|Report|Program|Programme)\b"
)

_ZH_VERBS = (
    r"說|说|道|表示|笑稱|笑称|指出|稱|称|寫道|写道|聲稱|声称|宣稱|宣称|強調|强调|答道|問道|问道"
    r"|感嘆|感叹|笑道|嘆道|叹道|宣布|宣佈"
)
# The speaker's clause: Chinese characters and masks (no punctuation, spaces or emoji).
_ZH_CLAUSE = r"[\u3400-\u9fff·*＊]"
# "<clause> <verb> [:：，]" right before the opening mark.
_ZH_ATTRIBUTION_BEFORE = re.compile(
    rf"(?P<clause>{_ZH_CLAUSE}{{1,30}}?)(?P<verb>{_ZH_VERBS})[:：，,]?\s*$"
)
# "<clause> <verb> [:：]" followed by an unmarked quotation up to the end of the clause.
_ZH_COLON_QUOTE = re.compile(
    rf"(?P<clause>{_ZH_CLAUSE}{{1,30}}?)(?P<verb>{_ZH_VERBS})[:：]"
    r"(?P<quote>[\u3400-\u9fff\d]{2,40})"
)
# People nobody can be asked about: "someone said", "people say", "the saying goes".
_ZH_GENERIC_SPEAKER = re.compile(
    r"^(?:有人|很多人|許多人|许多人|人們|人们|大家|網友|网友|俗話|俗话|老話|老话|據說|据说|聽說|听说"
    r"|有句話|有句话|可以|也就是|換句話|换句话|不用|總的來|总的来|小)"
)
_ZH_FALSE_VERB = re.compile(r"說到|说到|說得|说得|說明|说明|傳說|传说|小說|小说|據說|据说")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _quote_content(match: re.Match) -> tuple[int, int]:
    for group in ("curly", "straight", "corner", "white"):
        if match.group(group) is not None:
            return match.start(group), match.end(group)
    raise AssertionError("unreachable")


def _closing_extent(text: str, end: int) -> int:
    """Include a stray second closing mark (e.g. `staged." ”`), common in scraped text."""
    match = re.match(r" ?[”」』]", text[end : end + 2])
    return end + match.end() if match else end


def _english_attribution(text: str, match: re.Match, sentence_start: int) -> int | None:
    """Start offset of an English attribution of the quotation, or None."""
    window_start = max(sentence_start, match.start() - 160)
    before = _EN_ATTRIBUTION_BEFORE.search(text, window_start, match.start())
    if before and not _NOT_A_PERSON.search(before.group("speaker")):
        return before.start()
    after = _EN_ATTRIBUTION_AFTER.match(text[match.end() : match.end() + 80])
    if after:
        speaker = after.group("speaker") or after.group("speaker2")
        if not _NOT_A_PERSON.search(speaker):
            return match.start()
    return None


def _chinese_attribution(text: str, match: re.Match) -> int | None:
    line_start, _ = line_bounds(text, match.start())
    before = _ZH_ATTRIBUTION_BEFORE.search(text, max(line_start, match.start() - 40), match.start())
    if not before:
        return None
    clause = before.group("clause")
    if _ZH_GENERIC_SPEAKER.match(clause) or _ZH_FALSE_VERB.search(
        text, before.start("verb"), before.end("verb") + 1
    ):
        return None
    return before.start()


def _has_citation_nearby(text: str, start: int, end: int) -> bool:
    line_start, line_end = line_bounds(text, start)
    return bool(_CITATION.search(text, line_start, max(line_end, end)))


def _quote_candidate(start: int, end: int, reason: str, confidence: float) -> Candidate:
    return Candidate(start, end, QUOTE_FLAG, QUOTE_DETECTOR, reason, confidence)


def detect_attributed_quotations(text: str) -> list[Candidate]:
    """Quotations attributed to a person (or a masked name) by a speech verb, with no citation.

    Three forms: a quotation in “…” "…" 「…」 『…』 with an English or Chinese attribution;
    a Chinese unmarked quotation after ``說:`` (colon form, e.g. ``毛主席卻說:好戲開始嘍``);
    and, once a document has quoted something, a later ``說`` + the same words without marks
    (echo form, e.g. ``並對身邊人說好戲開始嘍``). The span covers attribution and quotation.
    """
    candidates: list[Candidate] = []
    known_quotes: list[str] = []
    covered: list[tuple[int, int]] = []

    for match in _QUOTATION.finditer(text):
        content_start, content_end = _quote_content(match)
        content = text[content_start:content_end]
        sentence_start, _ = sentence_bounds(text, match.start())
        is_chinese = bool(_CJK.search(content)) or bool(
            _CJK.search(text[max(0, match.start() - 4) : match.start()])
        )
        start = (
            _chinese_attribution(text, match)
            if is_chinese
            else _english_attribution(text, match, sentence_start)
        )
        if start is None:
            continue
        end = _closing_extent(text, match.end())
        if not is_chinese:
            after = _EN_ATTRIBUTION_AFTER.match(text[end : end + 80])
            if after and start == match.start():
                end += after.end()
        if _has_citation_nearby(text, start, end):
            continue
        masked = "*" in text[start : match.start()] or "*" in text[match.end() : end]
        speaker = "a masked name" if masked else "a named speaker"
        candidates.append(
            _quote_candidate(
                start,
                end,
                f"Quotation attributed to {speaker} with no source or citation nearby.",
                0.9 if masked else 0.85,
            )
        )
        covered.append((start, end))
        if is_chinese:
            known_quotes.append(content.strip())

    for match in _ZH_COLON_QUOTE.finditer(text):
        if any(s <= match.start("verb") < e for s, e in covered):
            continue
        clause = match.group("clause")
        if _ZH_GENERIC_SPEAKER.match(clause) or _ZH_FALSE_VERB.search(
            text, match.start("verb"), match.end("verb") + 1
        ):
            continue
        if _has_citation_nearby(text, match.start(), match.end()):
            continue
        candidates.append(
            _quote_candidate(
                match.start(),
                match.end(),
                "Words attributed with 說: but no quotation marks and no source nearby.",
                0.75,
            )
        )
        covered.append((match.start(), match.end()))
        known_quotes.append(match.group("quote").strip())

    candidates.extend(_echoed_quotations(text, known_quotes, covered))
    return candidates


_ZH_ECHO = re.compile(
    rf"(?P<clause>{_ZH_CLAUSE}{{0,20}}?)(?:說|说|道)(?P<quote>[\u3400-\u9fff\d]{{2,30}})"
)
_ECHO_PREFIX = 3


def _echoed_quotations(
    text: str, known_quotes: list[str], covered: list[tuple[int, int]]
) -> list[Candidate]:
    """``說`` followed, without marks, by the opening words of a quotation seen elsewhere."""
    prefixes = {quote[:_ECHO_PREFIX] for quote in known_quotes if len(quote) >= _ECHO_PREFIX}
    if not prefixes:
        return []
    candidates = []
    for match in _ZH_ECHO.finditer(text):
        quote = match.group("quote")
        if quote[:_ECHO_PREFIX] not in prefixes:
            continue
        if any(s < match.end() and match.start() < e for s, e in covered):
            continue
        if _ZH_GENERIC_SPEAKER.match(match.group("clause")):
            continue
        if _has_citation_nearby(text, match.start(), match.end()):
            continue
        candidates.append(
            _quote_candidate(
                match.start(),
                match.end(),
                "Repeats a quotation attributed elsewhere in the document, again with no source.",
                0.6,
            )
        )
    return candidates


# --------------------------------------------------------------------------------------------
# 2. Redacted names

REDACTION_DETECTOR = "redacted-name"
REDACTION_FLAG = "redacted-name"

_STAR_RUN = re.compile(r"(?<![*\d])\*{2,3}(?![*\d])")


def detect_redacted_names(text: str) -> list[Candidate]:
    """Runs of two or three ``*`` standing in for a name (``**`` / ``***``).

    Not redactions: longer runs (dividers), ``**`` between digits (powers), and ``**`` glued
    to the start of a Latin word at the start of a line (Markdown emphasis such as
    ``**From the Internet…``).
    """
    candidates = []
    for match in _STAR_RUN.finditer(text):
        start, end = match.span()
        line_start, _ = line_bounds(text, start)
        glued_to_word = end < len(text) and text[end].isascii() and text[end].isalpha()
        if glued_to_word and not text[line_start:start].strip():
            continue
        before = text[max(0, start - 12) : start]
        titled = re.search(
            r"(?:Marshal|Chairman|President|General|主席|總理|总理|元帥|元帅)\s*$", before
        )
        candidates.append(
            Candidate(
                start,
                end,
                REDACTION_FLAG,
                REDACTION_DETECTOR,
                f"'{match.group()}' stands in for a name: the text hides who is meant.",
                0.95 if titled else 0.9,
            )
        )
    return candidates


# --------------------------------------------------------------------------------------------
# 3. Content-farm markers

CONTENT_FARM_DETECTOR = "content-farm-marker"
CONTENT_FARM_FLAG = "content-farm"

_DISCLAIMER = re.compile(
    r"from the internet|if there is any infringement|contact (?:us )?(?:to|for) delet"
    r"|please contact us to (?:delete|remove)|infringement,? (?:please )?(?:contact|delete)"
    r"|來源於網絡|来源于网络|來自網絡|来自网络|源自網絡|源自网络|如有侵權|如有侵权|侵刪|侵删"
    r"|聯繫刪除|联系删除|版權歸原作者|版权归原作者",
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
_LINE = re.compile(r"^[ \t]*(\S[^\n]*?)[ \t]*$", re.MULTILINE)
_MAX_KEYWORD_LINE_WORDS = 15
_MIN_REPEATS = 3


def _farm(start: int, end: int, reason: str, confidence: float) -> Candidate:
    return Candidate(start, end, CONTENT_FARM_FLAG, CONTENT_FARM_DETECTOR, reason, confidence)


def detect_content_farm_markers(text: str) -> list[Candidate]:
    """Infringement disclaimers, "Related Pages"-style tails, pasted page titles, keyword lines."""
    candidates = []
    for match in _DISCLAIMER.finditer(text):
        line_start, line_end = line_bounds(text, match.start())
        if any(c.start == line_start for c in candidates):
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
            seen.add(key)  # the first occurrence is usually the title
            continue
        candidates.append(
            _farm(start, end, f"Keyword line repeated {counts[key]} times (SEO stuffing).", 0.8)
        )
    return candidates


# --------------------------------------------------------------------------------------------
# 4. Unsourced numbers

NUMBER_DETECTOR = "unsourced-number"
NUMBER_FLAG = "unsourced-number"

_MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
)
_FIGURE = re.compile(
    # Every alternative starts with a digit, a month's initial or a currency sign.
    r"(?=[\dJFMASOND$€£¥])(?:"
    # Full dates: "March 5, 1953", "October 26", "15 August", "1950年10月25日", "10月25日".
    rf"(?P<date>\b{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s*\d{{4}}\b)?"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})(?:,?\s*\d{{4}}\b)?"
    r"|(?:\d{1,4}年)?\d{1,2}月\d{1,2}[日號号])"
    # Percentages and sums of money.
    r"|(?P<share>\d+(?:\.\d+)?\s*(?:%|％|percent\b|per cent\b))"
    r"|(?P<money>[$€£¥]\s?\d[\d,.]*(?:\s?(?:million|billion|thousand))?"
    r"|\b\d[\d,.]*\s?(?:million|billion)\b|\b\d[\d,.]*\s(?:dollars|yuan|rubles|roubles|won)\b)"
    # Counts: 440,000 / 200 MIG / 44萬人 / 200架.
    r"|(?P<count>\b\d{1,3}(?:,\d{3})+\b(?![.,]\d)"
    r"|(?<![\w.,])\d{2,}(?![\w.,:/-])(?=\s+(?:[a-z]|[A-Z]{2,}\b))"
    r"|\d+(?:\.\d+)?\s?(?:萬|万|億|亿)?(?:人|名|架|輛|辆|艘|門|门|枚|元|美元|盧布|卢布|噸|吨))"
    r")"
)
_YEAR_LIKE = re.compile(r"^(?:1[0-9]|20)\d\d$")
_AGE = re.compile(r"^\s*(?:years?[ -]old|歲|岁)")
_SENTENCE_WORDS = re.compile(r"[A-Za-z]+|[\u3400-\u9fff]")
_MIN_SENTENCE_TOKENS = 6


def detect_unsourced_numbers(text: str) -> list[Candidate]:
    """Precise figures (full dates, counts, percentages, sums) in sentences naming no source.

    Bare years, month-and-year, ordinals ("38th"), ages and figures in short lines (bylines,
    timestamps) are left alone: they would bury the reviewer in noise.
    """
    candidates = []
    for match in _FIGURE.finditer(text):
        kind = match.lastgroup
        value = match.group().strip()
        if kind == "count":
            digits = value.replace(",", "")
            if _YEAR_LIKE.match(digits) or _AGE.match(text[match.end() : match.end() + 12]):
                continue
        sentence_start, sentence_end = sentence_bounds(text, match.start(), match.end())
        sentence = text[sentence_start:sentence_end]
        if len(_SENTENCE_WORDS.findall(sentence)) < _MIN_SENTENCE_TOKENS:
            continue
        line = _line_text(text, match.start())
        if len(_SENTENCE_WORDS.findall(line)) < _MIN_SENTENCE_TOKENS or _NUMBER_SOURCE.search(
            sentence
        ):
            continue
        if _CITATION.search(line):
            continue
        label = {"date": "date", "share": "percentage", "money": "sum"}.get(kind, "count")
        candidates.append(
            Candidate(
                match.start(),
                match.start() + len(match.group().rstrip()),
                NUMBER_FLAG,
                NUMBER_DETECTOR,
                f"Precise {label} ({value}) in a sentence that names no source.",
                0.5 if kind == "date" else 0.6,
            )
        )
    return candidates


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
_FULL_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
)
_GLUED_MONTH = re.compile(rf"\b(?:{_FULL_MONTHS})(?=(?:{_GLUE_WORDS})\b|[A-Z][a-z])")
_GLUED_SENTENCE_START = re.compile(r"(?:^|(?<=[.!?]\s))(?:In|On)(?:he|she|they|it|a|the)\b")
_MISSING_NUMBER = re.compile(
    # Every alternative starts with one of these characters: checking first is much faster.
    r"(?=[ifsuotlemd\d在於于自從从到至;])(?:"
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
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    vocabulary = Counter(word.casefold() for _, _, word in words)
    spans: list[tuple[int, int, str]] = []
    for start, end, token in words:
        glued = _glued_words(token, vocabulary)
        if glued:
            spans.append((start, end, f"'{glued[0]}' and '{glued[1]}' run together"))
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
    return _merge_broken(text, spans)


def _glued_words(token: str, vocabulary: Counter) -> tuple[str, str] | None:
    """Split ``token`` into (word, glue word) if it looks like two words run together."""
    folded = token.casefold()
    if len(token) < 6 or folded in _REAL_WORDS or vocabulary[folded] > 1:
        return None  # a word used more than once is probably a real word
    if not token.endswith(_GLUE_TAILS):
        return None
    for tail in _GLUE_TAILS:
        if token.endswith(tail) and len(token) - len(tail) >= 3:
            head = token[: -len(tail)]
            if head.casefold() in vocabulary or head.isupper() or _WORD_ENDING.search(head):
                return head, tail
    return None


def _merge_broken(text: str, spans: list[tuple[int, int, str]]) -> list[Candidate]:
    """Merge problems close together on one line into one span for the reviewer."""
    merged: list[list] = []
    for start, end, reason in sorted(spans):
        if merged:
            last = merged[-1]
            gap = text[last[1] : start]
            if start - last[1] <= _MERGE_GAP and _MERGEABLE_GAP.match(gap):
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


DETECTORS = (
    detect_attributed_quotations,
    detect_redacted_names,
    detect_content_farm_markers,
    detect_unsourced_numbers,
    detect_broken_text,
)

DETECTOR_FLAGS = {
    QUOTE_DETECTOR: QUOTE_FLAG,
    REDACTION_DETECTOR: REDACTION_FLAG,
    CONTENT_FARM_DETECTOR: CONTENT_FARM_FLAG,
    NUMBER_DETECTOR: NUMBER_FLAG,
    BROKEN_TEXT_DETECTOR: BROKEN_TEXT_FLAG,
}
