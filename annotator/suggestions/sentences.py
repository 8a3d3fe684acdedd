"""Sentences that do not end inside a quotation, for detectors that reason per sentence.

A full stop inside “…”, "…", 「…」 or 『…』 does not end the sentence, unless the quotation
closes right after it and a new sentence (a capital letter, a CJK character, the end of the
line) follows. Lines (paragraphs in these documents) always end a sentence.
"""

from functools import lru_cache

import regex

_MARK = regex.compile(r'[“”「」『』"\n]|[.!?。！？]+')
_OPENERS = {"“": "”", "「": "」", "『": "』"}
_CLOSERS = {"”", "」", "』"}
_NEXT_STARTS_SENTENCE = regex.compile(r"\s*(?:$|\n|[\p{Lu}\p{Han}\d\"“「『(（])")


@lru_cache(maxsize=8)
def sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each sentence, leading and trailing spaces trimmed, empty ones dropped.

    Cached: several detectors split the same document.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    depth = 0
    straight_open = False

    def close(end: int):
        nonlocal start
        s, e = start, end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
        start = end

    for match in _MARK.finditer(text):
        mark = match.group()
        position = match.start()
        if mark == "\n":
            depth, straight_open = 0, False
            close(position)
            continue
        if mark in _OPENERS:
            depth += 1
            continue
        if mark == '"':
            before = text[position - 1] if position else " "
            if not straight_open and (before.isspace() or before in "([—-:：,，"):
                straight_open = True
                depth += 1
                continue
            if straight_open:
                straight_open = False
                depth = max(0, depth - 1)
                mark = "”"
        if mark in _CLOSERS:
            depth = max(0, depth - 1)
            ends = depth == 0 and position and text[position - 1] in ".!?。！？"
            if ends and _NEXT_STARTS_SENTENCE.match(text, position + 1):
                close(position + 1)
            continue
        if depth == 0:
            end = match.end()
            if mark[0] in ".!?" and not _AFTER_ASCII_END.match(text, end):
                continue  # "3.5", "e.g. this", "Yahoo!News"
            if mark[0] == "." and _ABBREVIATION.search(text, max(0, position - 5), position):
                continue
            close(end)
    close(len(text))
    return tuple(spans)


_AFTER_ASCII_END = regex.compile(r"$|\s+(?:$|[\p{Lu}\p{Han}\d\"“「『(（])")
_ABBREVIATION = regex.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|St|No|Gen|Gov|Sen|Rep|Prof|Jr|Sr|vs))$")
