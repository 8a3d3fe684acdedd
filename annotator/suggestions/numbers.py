"""Precise quantities stated as fact in a sentence and paragraph that name no source.

Quantities: percentages and shares (87%, 九成), multiples (50倍), sums of money ($250,000,
£8,400, 60萬元), large counts (12,345, 4.6 million, 1.2亿, 五十万, 860户, 12,345 人) and
"9 out of 10". Not flagged: bare years, dates and times, ages, small counts without a unit,
the document's first line (a title summarises the body), and any figure whose sentence or
paragraph names a source (``sources.SOURCE``) or uses a reporting verb (said, found, show, 公布).
Works on text folded to Simplified Chinese, so one pattern covers both scripts.
"""

from bisect import bisect_right

import regex

from .detectors import NUMBER_DETECTOR, NUMBER_FLAG, Candidate
from .folding import fold
from .sentences import sentence_spans
from .sources import SOURCE

_ZH_DIGITS = r"[零一二三四五六七八九十百千两几数上]"
_ZH_UNITS = (
    r"人|户|名|个|家|辆|架|艘|元|美元|块|公斤|吨|盒|份|单|起|例|只|头|台|套|栋|间|所|座|次|倍"
    r"|公里|平方米|亩|斤|票|张|篇|条|岁"
)
_FIGURE = regex.compile(
    # Every alternative starts with one of these characters: checking first is faster. Only
    # the English words ignore case (a pattern-wide IGNORECASE makes every step slower).
    r"(?=[\d$€£¥零一二三四五六七八九十百千两几数上])(?:"
    r"(?P<share>\d+(?:\.\d+)?\s?(?:%|％|(?i:percent|per cent)\b)"
    r"|(?<![\p{Han}\d])[一二三四五六七八九]成(?!功|为|立|长|本|绩|果|员|熟|年|交|人|都|就|了)"
    r"|\b\d+ (?i:out of) \d+\b)"
    r"|(?P<multiple>\d+(?:\.\d+)?\s?倍)"
    r"|(?P<money>[$€£¥]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?i:million|billion|thousand|m|bn)\b)?"
    r"|\d[\d,.]*\s?(?:万|亿)?\s?(?:元|美元|欧元|英镑|块)"
    r"|\b\d[\d,.]*\s(?i:dollars|euros?|pounds|yuan)\b)"
    r"|(?P<count>\d[\d,]*(?:\.\d+)?\s?(?i:million|billion)\b"
    r"|\d+(?:\.\d+)?\s?(?:万|亿)(?:" + _ZH_UNITS + r")?"
    rf"|(?<!\d){_ZH_DIGITS}+[万亿](?:{_ZH_UNITS})"
    rf"|(?<=有|达|超过|近|约|逾|高达|上){_ZH_DIGITS}+[万亿]"
    r"|\b\d{1,3}(?:,\d{3})+\b(?![.,]\d)(?:\s?(?:" + _ZH_UNITS + r"))?"
    rf"|\d{{2,}}(?:多|余)?\s?(?:{_ZH_UNITS})))"
)
_YEAR = regex.compile(r"^(?:1[5-9]|20)\d\d$")
_REPORTING = regex.compile(
    r"\b(?:said|says|found|finds|shows?|showed|estimated|estimates|reported|confirmed"
    r"|announced|figures? from|counts? from|data from)\b"
    r"|表示|指出|称|显示|公布|发布|宣布|介绍|估计|统计|调查",
    regex.IGNORECASE,
)


def detect_numbers(text: str) -> list[Candidate]:
    """Quantities in sentences (and paragraphs) that name no source; the first line is skipped."""
    folded = fold(text)
    first_line_end = text.find("\n")
    candidates = []
    spans = sentence_spans(text)
    starts = [start for start, _ in spans]
    with_figures: dict[int, None] = {}
    for match in _FIGURE.finditer(folded):
        i = bisect_right(starts, match.start()) - 1
        if i >= 0 and match.start() < spans[i][1]:
            with_figures[i] = None
    for i in with_figures:
        start, end = spans[i]
        if start < first_line_end:
            continue
        sentence = folded[start:end]
        matches = [m for m in _FIGURE.finditer(sentence) if not _skip(m)]
        if not matches:
            continue
        line_start = folded.rfind("\n", 0, start) + 1
        line_end = folded.find("\n", end)
        line = folded[line_start : len(folded) if line_end == -1 else line_end]
        if SOURCE.search(line) or _REPORTING.search(sentence):
            continue
        for match in matches:
            kind = match.lastgroup
            confidence = {"share": 0.8, "multiple": 0.8, "money": 0.7}.get(kind, 0.7)
            label = {"share": "share", "multiple": "multiple", "money": "sum"}.get(kind, "count")
            value = text[start + match.start() : start + match.end()].strip()
            candidates.append(
                Candidate(
                    start + match.start(),
                    start + match.start() + len(match.group().rstrip()),
                    NUMBER_FLAG,
                    NUMBER_DETECTOR,
                    f"Precise {label} ({value}) stated with no source in the paragraph.",
                    confidence,
                )
            )
    return candidates


def _skip(match: regex.Match) -> bool:
    digits = regex.sub(r"[^\d]", "", match.group())
    if match.lastgroup == "count" and _YEAR.match(digits) and "," not in match.group():
        return True
    return match.group().rstrip().endswith("岁")
