"""Folding text for search: lower case, and Traditional Chinese characters to Simplified.

The fold maps one code point to one code point, so that an offset into the folded text is the
same offset into the original: a match found in folded text is highlighted in the original
without any offset mapping. OpenCC's ``t2s`` table supplies the Chinese half; the one-to-many
conversions it also knows (phrases, characters whose lower case is longer) are left out, which
costs nothing for matching because query and text are folded the same way.
"""

from functools import cache

import opencc

# CJK Unified Ideographs, Extension A and the compatibility block: where t2s changes anything.
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


@cache
def _table() -> dict[int, int]:
    table: dict[int, int] = {}
    converter = opencc.OpenCC("t2s")
    characters = "".join(chr(c) for low, high in _CJK_RANGES for c in range(low, high + 1))
    # One call over all characters, separated by newlines, is far faster than one per character;
    # t2s keeps newlines and the character count, which the assertion checks.
    converted = converter.convert("\n".join(characters)).split("\n")
    assert len(converted) == len(characters)
    for original, simplified in zip(characters, converted, strict=True):
        if len(simplified) == 1 and simplified != original:
            table[ord(original)] = ord(simplified)
    for code in range(0x41, 0x5B):  # ASCII capitals, the common case, through the same table
        table[code] = code + 32
    for code in range(0xC0, 0x2C00):  # Latin, Greek, Cyrillic… capitals with one-letter lower case
        lower = chr(code).lower()
        if len(lower) == 1 and lower != chr(code):
            table[code] = ord(lower)
    return table


def fold(text: str) -> str:
    """Lower-case and Simplified; ``len(fold(text)) == len(text)`` always."""
    return text.translate(_table())
