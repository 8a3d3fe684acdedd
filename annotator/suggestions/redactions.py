"""Masks standing in for a name: ``**``, ``○○``, ``XX``, ``××``, ``□□``, ``某某``, ``[redacted]``.

Only the mask is the span (``王○○`` → ``○○``). Not masks: Markdown emphasis (``**bold**``),
powers (``2**10``), dividers (four or more ``*``), sizes and roman numerals (``XXL``,
``Super Bowl XX``), Chinese zero (二〇二四), and 某 meaning "some" (某些, 某种, 某市).
"""

import regex

from .detectors import REDACTION_DETECTOR, REDACTION_FLAG, Candidate

_COMMON_SURNAMES = (
    "王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何林高罗羅郑鄭梁谢謝宋唐许許韩韓冯馮邓鄧"
    "曹彭曾萧蕭田董潘袁蔡蒋蔣余于杜叶葉程苏蘇魏吕呂丁任沈姚卢盧姜崔钟鍾谭譚陆陸汪范金石廖贾賈"
    "夏韦韋傅方邹鄒孟熊秦邱江尹薛闫閻段雷侯龙龍史陶黎贺賀顾顧毛郝龚龔邵万萬钱錢严嚴洪武戴莫孔"
)
_MASK = regex.compile(
    # Every alternative starts with one of these characters: checking first is much faster.
    r"(?=[*＊○◯●〇□■◻◼×✕╳XYZＸ某A-Z\[［(（])(?:"
    r"(?P<stars>(?<![*\d])(?:\*{2,3}|＊{2,3})(?![*\d]))"
    r"|(?P<circles>[○◯●〇]{2,4})"
    r"|(?P<boxes>[□■◻◼]{2,4})"
    r"|(?P<crosses>(?<![×x\d])[×✕╳]{2,3}(?![×\d]))"
    r"|(?P<exes>(?<![A-Za-z\d])(?:XX|XXX|ＸＸ|ＸＸＸ)(?![A-Za-z\d]))"
    r"|(?P<mr_x>(?<=\b(?:Mr|Ms|Mrs|Dr|Miss|Mister)\.?\s)[XYZ](?![\p{L}\d]))"
    r"|(?P<moumou>某某)"
    rf"|(?P<surname_mou>(?<=[{_COMMON_SURNAMES}])某|(?<![A-Za-z])[A-Z]某)"
    r"(?![某些种種类類人天日年月时時方样樣个個位件项項家国國市县縣地处處部])"
    r"|(?P<bracket>[\[［(（](?i:redacted|name (?:withheld|redacted|removed)|withheld"
    r"|姓名略|名字略|略去)[\]］)）]))"
)
_ROMAN_CONTEXT = regex.compile(
    r"(?:Bowl|War|Part|Chapter|Volume|Vol\.|Book|Act|Century|King|Pope|Louis|Henry|Pius|Leo"
    r"|Olympiad|Dynasty|Games|Congress|Size|size)\s*$"
)
_CJK_DIGITS = "零一二三四五六七八九十〇两兩百千"


def detect_redactions(text: str) -> list[Candidate]:
    """Every mask in ``text`` that stands for (part of) a name."""
    candidates = []
    for match in _MASK.finditer(text):
        kind = match.lastgroup
        start, end = match.span()
        before = text[max(0, start - 12) : start]
        after = text[end : end + 1]
        if kind == "stars":
            glued_before = start > 0 and text[start - 1].isascii() and text[start - 1].isalpha()
            glued_after = after.isascii() and after.isalpha()
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", end) % (len(text) + 1)
            if glued_after and ("**" in text[end:line_end] or not text[line_start:start].strip()):
                continue  # **bold**, or **Emphasis at the start of a line
            if glued_before and not glued_after:
                continue  # the closing half of **bold**
        if kind == "circles" and "〇" in match.group():
            neighbours = text[max(0, start - 1) : start] + after
            if neighbours and all(c in _CJK_DIGITS for c in neighbours):
                continue  # 二〇二四年
        if kind == "exes" and (_ROMAN_CONTEXT.search(before) or after in "LS"):
            continue
        confidence = {"moumou": 0.85, "surname_mou": 0.7, "exes": 0.8, "mr_x": 0.8}.get(kind, 0.9)
        candidates.append(
            Candidate(
                start,
                end,
                REDACTION_FLAG,
                REDACTION_DETECTOR,
                f"'{match.group()}' stands in for a name: the text hides who is meant.",
                confidence,
            )
        )
    return candidates
