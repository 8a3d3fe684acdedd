"""Form problems of scraped and machine-translated text that need no knowledge of the topic.

Mojibake (UTF-8 read as Latin-1: ``â€™``, ``Ã©``, ``æˆ``), HTML entities left in the text
(``&nbsp;``), doubled punctuation and doubled Chinese words (``,,``, ``的的``, ``无毒无毒``),
Chinese numbers dropped before a unit (``成人元``, ``于日内``), and English words run together
that a word-frequency list (``wordfreq``) can split into two common words (``theback``).
Each returns ``(start, end, reason)`` for ``detectors.detect_broken_text`` to merge.
"""

from collections import Counter
from functools import lru_cache

import regex
from wordfreq import get_frequency_dict

# UTF-8 bytes read as Windows-1252: a lead byte (Ã Â â æ å ç é è ä ö ï …) then continuation
# bytes. Typographic quotes and dashes are left out of the second position, so that "café”"
# is not mojibake; "â€" (the start of every curly quote or dash so garbled) always is.
_MOJIBAKE = regex.compile(
    r"(?:â€\S?|[ÃÂæåçéèäöï][\x80-\xbf€™œžŸ¢£¤¥¦§¨©ª«¬®¯°±²³´µ¶·¸¹º»¼½¾‹›†‡ˆ‰Š˜]\S?)+"
)
_ENTITY = regex.compile(r"&(?:nbsp|amp|quot|lt|gt|apos|#\d{2,5});")
_DOUBLED = regex.compile(r"[,，。.]{2,}(?!\.)|(?<![目])的的(?!确)|(?!一)(\p{Han}{2})\1(?!\1)")
_ZH_DROPPED_NUMBER = regex.compile(r"(?:成人|儿童|兒童|每人|票价|票價|价格|價格)元|于日内|於日內")
# Text run together loses the space next to a short, frequent word: "madeof", "Kenyaand".
# Requiring one part to be such a word keeps brand names ("Greenway", "Homeway") out.
_FUNCTION_WORDS_TEXT = (
    "a an the of to in on at by for from with and or but was were is are be been has had"
    " have that which who where when while this these those there their they he she it its"
    " his her we our you your not as than then into after before during"
)
_FUNCTION_WORDS = frozenset(_FUNCTION_WORDS_TEXT.split())
_LATIN_WORD = regex.compile(r"(?<![\w'’-])[A-Za-z]{6,}(?![\w'’-])")
# Legitimate Chinese reduplications (ABAB verbs, AABB adverbs are not matched by the pattern).
_REAL_DOUBLES = frozenset({"研究研究", "讨论讨论", "討論討論", "考虑考虑", "考慮考慮", "休息休息"})


@lru_cache(maxsize=1)
def _english_words() -> dict[str, float]:
    return get_frequency_dict("en", wordlist="small")


def _split_glued(word: str, frequencies: dict[str, float]) -> tuple[str, str] | None:
    """Two common words that ``word`` is made of, if ``word`` itself is not a known word."""
    lower = word.lower()
    if lower in frequencies:
        return None
    for cut in range(2, len(lower) - 1):
        head, tail = lower[:cut], lower[cut:]
        if len(head) < 2 or len(tail) < 2:
            continue
        if head not in _FUNCTION_WORDS and tail not in _FUNCTION_WORDS:
            continue
        if frequencies.get(head, 0) >= 1e-5 and frequencies.get(tail, 0) >= 1e-5:
            return word[:cut], word[cut:]
    return None


def garbled_spans(text: str) -> list[tuple[int, int, str]]:
    """Problems of form found in ``text``: (start, end, reason)."""
    spans: list[tuple[int, int, str]] = []
    for match in _MOJIBAKE.finditer(text):
        spans.append((match.start(), match.end(), "mojibake (decoded with the wrong encoding)"))
    for match in _ENTITY.finditer(text):
        spans.append((match.start(), match.end(), "an HTML entity left in the text"))
    for match in _DOUBLED.finditer(text):
        if match.group() not in _REAL_DOUBLES:
            spans.append((match.start(), match.end(), "a word or mark doubled"))
    for match in _ZH_DROPPED_NUMBER.finditer(text):
        spans.append((match.start(), match.end(), "a number seems to be missing"))
    frequencies = _english_words()
    words = list(_LATIN_WORD.finditer(text))
    seen_twice = {w for w, n in Counter(m.group().lower() for m in words).items() if n > 1}
    for match in words:
        if match.group().lower() in seen_twice:
            continue  # a word used twice is meant
        parts = _split_glued(match.group(), frequencies)
        if parts:
            reason = f"'{parts[0]}' and '{parts[1]}' run together"
            spans.append((match.start(), match.end(), reason))
    return spans
