"""Fold Traditional Chinese to Simplified, character by character, so one pattern fits both.

The table is built once from OpenCC's ``t2s`` conversion of every CJK character, keeping only
the one-to-one mappings. Folding with ``str.translate`` never changes the length of a text, so an
offset found in the folded text is the same offset in the original.
"""

from functools import lru_cache

import opencc

_CJK_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))


@lru_cache(maxsize=1)
def _table() -> dict[int, int]:
    characters = "".join(chr(code) for low, high in _CJK_RANGES for code in range(low, high))
    simplified = opencc.OpenCC("t2s").convert(characters)
    if len(simplified) != len(characters):  # a multi-character mapping: fall back per character
        converter = opencc.OpenCC("t2s")
        simplified = "".join(
            converted if len(converted := converter.convert(c)) == 1 else c for c in characters
        )
    return {ord(a): ord(b) for a, b in zip(characters, simplified, strict=True) if a != b}


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=8)
def fold(text: str) -> str:
    """``text`` with Traditional characters replaced by Simplified ones (same length).

    OpenCC's converter is fast but works on phrases and may change the length; then the
    character table (slower, always length-preserving) is used instead. Cached, because every
    detector folds the same document.
    """
    converted = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    return text.translate(_table())
