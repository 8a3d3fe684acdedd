"""Quotations and reported speech attributed to someone, with no source in the paragraph.

Works per sentence (``sentences.sentence_spans``), on text folded to Simplified Chinese
(``folding.fold``) so that one pattern covers both scripts. A sentence is suggested when it
holds words attributed to a speaker:

- a quotation in “…” "…" 「…」 『…』 ‘…’ with a speech verb next to it (said, told, wrote, …;
  说/道/表示/称/透露/指出/笑着说 …; Japanese 「…」と言った; Korean "…"라고 말했다), or
- reported speech without marks: English "X said (that) …" with ``that``; Chinese "X说：…" or
  "X说，…" (a speaker before the verb, a colon or comma after it),

and neither the sentence (quotation contents left out) nor its paragraph names a source: a
publication, agency or broadcaster, a document (report, statement, press release, paper), a
press conference or interview, a citation mark or a URL. An institution speaking (警方表示,
"the bank said") is treated as an official, sourced statement. The span is the sentence.
"""

import re
from bisect import bisect_right

import regex

from .detectors import QUOTE_DETECTOR, QUOTE_FLAG, Candidate
from .folding import fold
from .sentences import sentence_spans
from .sources import SOURCE as _SOURCE

# Quotation contents: blanked before looking for a source, so that the words quoted cannot
# count as the quotation's own source.
_QUOTED = regex.compile(r'“[^“”\n]*”|"[^"\n]*"|「[^「」\n]*」|『[^『』\n]*』|‘[^‘’\n]*’')
_LEADING_SYMBOLS = regex.compile(r"[\p{So}\p{Sk}\p{Cf}\s]*")
_HAS_MARKS = regex.compile(r'[“「『"‘]')

_EN_VERB = (
    r"said|says|say|told|tells|wrote|writes|added|adds|insisted|insists|claimed|claims"
    r"|declared|stated|warned|explained|admitted|revealed|recalled|replied|remarked|joked"
    r"|laughed|shouted|argued|announced|complained|boasted|quipped|exclaimed|whispered"
    r"|confided|posted|tweeted"
)
# English: a verb right before an opening quotation mark, or right after a closing one.
_EN_BEFORE_QUOTE = regex.compile(
    rf"\b(?:{_EN_VERB})\b[^\"“‘.!?;()]{{0,60}}?[,:]?\s*[\"“‘]", regex.IGNORECASE
)
_EN_AFTER_QUOTE = regex.compile(
    rf"[\"”’]\s*,?\s*(?:[\w.,'’ -]{{0,50}}?\s)?(?:{_EN_VERB})\b", regex.IGNORECASE
)
# English reported speech: "<verb> [up to 4 words] that <clause>".
_EN_REPORTED = regex.compile(
    rf"\b(?:{_EN_VERB})\b(?:\s+[\w'’.-]+){{0,4}}?\s+that\s+\w", regex.IGNORECASE
)
_EN_IMPERSONAL = regex.compile(
    r"\b(?:it|which|this) (?:is|was|has been|(?:can|could|may|might|must) be) "
    r"(?:\w+ly )?(?:said|claimed|insisted|argued|stated)\b"
    r"|\b(?:we|one|you) (?:can|could|may|might|must) (?:\w+ )?say\b",
    regex.IGNORECASE,
)

# Chinese (folded to Simplified): a speech verb, optional 过/着/了/道, then [：:，,] or a mark.
_ZH_VERB = (
    r"笑着说|哭着说|说过|说道|说|表示|透露|指出|强调|坦言|直言|写道|问道|答道|叹道|笑道|抱怨道"
    r"|抱怨|感叹|爆料|宣称|声称|称|回应|坦承|承认|直呼|大喊|喊道|道"
)
_ZH_ATTRIBUTION = regex.compile(
    rf"(?P<verb>{_ZH_VERB})(?:过|着|了)?\s*(?P<punct>[:：，,]|(?=[“「『\"]))"
)
_ZH_NOT_SPEECH = regex.compile(
    r"(?:小|传|据|听|话|俗话|难|不用|换句话|就是|也就是|可以|好)说$|说(?:明|到|得|服|法)$"
    r"|(?:知|渠|街|轨|通|频|味|隧|难|报|大|人|一|车|航|赛|跑|街)道$|(?:名|号|简|对|自|堪|被)称$"
)
# Japanese and Korean: the verb follows the quotation.
_JA_KO_AFTER = regex.compile(
    r"[」』”\"]\s*(?:と|って)\s*(?:言|述べ|語|話|説明|強調|発言)"
    r"|[”\"’]\s*(?:이?라고|고)\s*(?:말했|밝혔|전했|했|강조했|주장했)"
)

_ZH_ADVERBS = r"(?:私下|随后|当场|事后|在现场|现场|兴奋地|气愤地|笑着|竟)$"
# A speaker that is an institution: its statement is official and sourced.
_ZH_INSTITUTION = regex.compile(
    r"(?:局|署|部|府|委|厅|处|所|法院|检察院|警方|公司|集团|银行|协会|学会|组织|医院|机构|当局"
    r"|政府|中心|办公室|发言人)"
    r"(?:今天|昨天|昨日|今日|日前|近日|随后|也|则|已|曾|还|又|再|随即|周[一二三四五六日])?$"
)
_EN_INSTITUTION = regex.compile(
    r"\b(?:the )?(?:police|department|ministry|agency|company|bank|board|council|authority"
    r"|office|court|government|spokes(?:man|woman|person)|paper|study|report|survey|district"
    r"|service|bureau|commission)\s+(?:\w+ly\s+)?(?:said|says|reported|stated|announced)\b",
    regex.IGNORECASE,
)


def _blank_quotes(text: str) -> str:
    return _QUOTED.sub(lambda m: m.group()[0] + " " * (len(m.group()) - 2) + m.group()[-1], text)


def _chinese_attributions(folded_sentence: str):
    """Speech verbs with a speaker before them in the sentence (not generic or institutional)."""
    for match in _ZH_ATTRIBUTION.finditer(folded_sentence):
        before = folded_sentence[: match.start("verb")]
        if not regex.search(r"[\p{Han}A-Za-z*○×□]", before):
            continue  # no speaker
        if _ZH_NOT_SPEECH.search(folded_sentence[: match.end("verb")]):
            continue
        if regex.search(r"(?:俗话|老话|据说|听说|所谓)", before):
            continue
        speaker = regex.sub(_ZH_ADVERBS, "", before)
        speaker = regex.split(r"[，,。；;]", speaker)[-1]
        if _ZH_INSTITUTION.search(speaker):
            continue
        after = folded_sentence[match.end() :]
        opens = match.group("punct") or _HAS_MARKS.match(after)
        if opens and regex.search(r"[\p{Han}\w]", after):
            yield match


def _english_attributed(sentence: str) -> bool:
    if _EN_IMPERSONAL.search(sentence) or _EN_INSTITUTION.search(sentence):
        return False
    if _HAS_MARKS.search(sentence) and (
        _EN_BEFORE_QUOTE.search(sentence) or _EN_AFTER_QUOTE.search(sentence)
    ):
        return True
    return bool(_EN_REPORTED.search(_blank_quotes(sentence)))


def _line_bounds(text: str, position: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return start, len(text) if end == -1 else end


_QUOTED_CONTENT = regex.compile(r"[“「『\"][^“”「」『』\"\n]{3,}|[:：](\p{Han}{3,})")
_ZH_ECHO_VERB = regex.compile(r"(?<=\p{Han})(?:说|道)(?=\p{Han}{3})")
_ECHO_PREFIX = 3


def _echoes(text: str, folded: str, found: list[Candidate]) -> list[Candidate]:
    """``说`` + the opening words of a quotation already suggested, without marks or colon.

    Content farms repeat their quotation through the page ("並對身邊人說好戲開始嘍"): once the
    document has an unsourced quotation, a later unmarked repetition is suggested too.
    """
    prefixes = set()
    for candidate in found:
        for match in _QUOTED_CONTENT.finditer(folded, candidate.start, candidate.end):
            content = (match.group(1) or match.group()[1:]).strip()
            if len(content) >= _ECHO_PREFIX:
                prefixes.add(content[:_ECHO_PREFIX])
    if not prefixes:
        return []
    echoes = []
    for match in _ZH_ECHO_VERB.finditer(folded):
        if folded[match.end() : match.end() + _ECHO_PREFIX] not in prefixes:
            continue
        if any(c.start <= match.start() < c.end for c in found):
            continue
        clause_start = max(
            folded.rfind(mark, 0, match.start()) for mark in ("，", ",", "。", "\n", "、")
        )
        start = clause_start + 1
        end = match.end() + _ECHO_PREFIX
        while end < len(folded) and regex.match(r"\p{Han}", folded[end]) and end - start < 60:
            end += 1
        echoes.append(
            Candidate(
                start,
                end,
                QUOTE_FLAG,
                QUOTE_DETECTOR,
                "Repeats a quotation attributed elsewhere in the document, again with no source.",
                0.6,
            )
        )
    return echoes


# Any speech verb, in any of the languages: sentences without one are skipped at once. English
# verbs are looked up word by word in a set (a case-insensitive alternation is much slower).
_EN_VERB_SET = frozenset(_EN_VERB.split("|"))
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")  # ``re`` is faster than ``regex`` here
_ANY_ZH_VERB = regex.compile(_ZH_VERB)  # on the folded text
# Japanese and Korean on the original text: folding would turn Japanese 語 into 语.
_ANY_JA_KO_VERB = regex.compile(
    r"(?:と|って)\s*(?:言|述べ|語|話|説明|強調|発言)|(?:라고|고)\s*(?:말했|밝혔|전했|했|강조했|주장했)"
)


def _sentences_with_a_verb(text: str, folded: str) -> list[tuple[int, int]]:
    spans = sentence_spans(text)
    starts = [start for start, _ in spans]
    chosen: dict[int, None] = {}
    english = (m for m in _LATIN_WORD.finditer(text) if m.group().lower() in _EN_VERB_SET)
    cjk = (*_ANY_ZH_VERB.finditer(folded), *_ANY_JA_KO_VERB.finditer(text))
    for match in (*english, *cjk):
        i = bisect_right(starts, match.start()) - 1
        if i >= 0 and match.start() < spans[i][1]:
            chosen[i] = None
    return [spans[i] for i in sorted(chosen)]


def detect_quotations(text: str) -> list[Candidate]:
    """Sentences attributing words to someone with no source in the sentence or paragraph."""
    folded = fold(text)
    candidates: list[Candidate] = []
    for start, end in _sentences_with_a_verb(text, folded):
        sentence = text[start:end]
        folded_sentence = folded[start:end]
        has_marks = bool(_HAS_MARKS.search(sentence))
        is_chinese = bool(regex.search(r"\p{Han}", _blank_quotes(sentence)))
        if is_chinese:
            attributed = any(True for _ in _chinese_attributions(folded_sentence))
        else:
            attributed = _english_attributed(sentence)
        attributed = attributed or (has_marks and bool(_JA_KO_AFTER.search(sentence)))
        if not attributed:
            continue
        line_start, line_end = _line_bounds(text, start)
        if _SOURCE.search(_blank_quotes(folded[line_start:line_end])):
            continue
        start += len(_LEADING_SYMBOLS.match(sentence).group())
        confidence = 0.9 if has_marks else 0.75
        reason = (
            "Quotation attributed to someone with no source or citation in the paragraph."
            if has_marks
            else "Reported speech (words attributed to someone) with no source in the paragraph."
        )
        candidates.append(Candidate(start, end, QUOTE_FLAG, QUOTE_DETECTOR, reason, confidence))
    return candidates + _echoes(text, folded, candidates)
