"""Cheap signals that two sentences state the same claim, whatever their language.

Numbers (digits, with 12,345 and 1.5 normalised; Chinese numerals such as 四十四萬 are not
converted), years (1000-2099), Latin-script names (capitalised words, the same in every
language that writes them so), and whether the sentence quotes someone.
"""

import regex

from ..suggestions.folding import fold

_NUMBER = regex.compile(r"\d[\d,]*(?:\.\d+)?")
_YEAR = regex.compile(r"^(?:1\d|20)\d\d$")
_NAME = regex.compile(r"\b\p{Lu}\p{Ll}{2,}(?:[ -]\p{Lu}\p{Ll}+)*")
_QUOTE = regex.compile(r"[“「『\"]|(?:说|道|表示|称)[:：]|\b(?:said|says|told)\b")
_COMMON_CAPITALS_TEXT = (
    "The This That These Those There Then When While After Before But And However In On At As"
    " It Its He She They We You I A An If So Yet"
)
_COMMON_CAPITALS = frozenset(_COMMON_CAPITALS_TEXT.split())


def extract(text: str) -> dict:
    """The signals of one sentence, as JSON-ready lists."""
    numbers = sorted({m.group().replace(",", "") for m in _NUMBER.finditer(text)})
    years = [n for n in numbers if _YEAR.match(n)]
    names = sorted({m.group() for m in _NAME.finditer(text)} - _COMMON_CAPITALS)
    return {
        "numbers": [n for n in numbers if n not in years],
        "years": years,
        "names": names,
        "quote": bool(_QUOTE.search(fold(text))),
    }


WEIGHTS = {"years": 0.08, "numbers": 0.06, "names": 0.05, "quote": 0.03}


def bonus(query: dict, candidate: dict) -> float:
    """Score added for shared signals (at most about 0.2): years, numbers, names, quoting."""
    total = 0.0
    for key in ("years", "numbers", "names"):
        if set(query.get(key, ())) & set(candidate.get(key, ())):
            total += WEIGHTS[key]
    if query.get("quote") and candidate.get("quote"):
        total += WEIGHTS["quote"]
    return total
