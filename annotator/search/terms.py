"""Search terms: words for alphabetic scripts, overlapping bigrams for Chinese, Japanese, Korean.

Both the index and the queries go through :func:`tokens`, so that they always agree. A run of
CJK characters ``ABCD`` gives the bigrams ``AB BC CD`` (a lone character gives itself), so a
query of two to four characters is a phrase of consecutive bigrams, found through an ordinary
inverted index (PostgreSQL GIN over a ``simple`` tsvector, SQLite FTS5).
"""

import re
from dataclasses import dataclass

from .folding import fold

_CJK = (
    "\u3040-\u30ff"  # kana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # ideographs
    "\uac00-\ud7af"  # hangul
)
_RUN = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")


_CJK_START = re.compile(rf"[{_CJK}]")


def _is_cjk_run(run: str) -> bool:
    return _CJK_START.match(run) is not None


def tokens(text: str) -> list[str]:
    """The search terms of ``text`` (folded first), in order."""
    result: list[str] = []
    for run in _RUN.findall(fold(text)):
        if run[0] < "\u3040":  # the common case: not CJK, one word
            result.append(run)
        elif _is_cjk_run(run):
            if len(run) == 1:
                result.append(run)
            else:
                result.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            result.append(run)
    return result


def terms_text(text: str) -> str:
    """What a SearchEntry stores: the tokens separated by spaces."""
    return " ".join(tokens(text))


@dataclass(frozen=True)
class QueryPart:
    """One whitespace-separated part of a query: a phrase of consecutive terms.

    ``prefix`` marks a lone CJK character: it matches any bigram that starts with it.
    """

    terms: tuple[str, ...]
    text: str
    prefix: bool = False


def parse_query(query: str) -> list[QueryPart]:
    """Split a query into parts, all of which must match (AND); each part is a phrase."""
    parts = []
    for chunk in query.split():
        chunk_tokens = tokens(chunk)
        if not chunk_tokens:
            continue
        lone_cjk = len(chunk_tokens) == 1 and len(chunk_tokens[0]) == 1
        lone_cjk = lone_cjk and _is_cjk_run(chunk_tokens[0])
        parts.append(QueryPart(tuple(chunk_tokens), fold(chunk), prefix=lone_cjk))
    return parts
