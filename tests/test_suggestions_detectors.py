"""Each detector on its own, with English and Chinese examples (pure functions, no database)."""

import pytest

from annotator.suggestions.detectors import (
    detect_attributed_quotations,
    detect_broken_text,
    detect_content_farm_markers,
    detect_redacted_names,
    detect_unsourced_numbers,
)
from annotator.suggestions.engine import suggest


def spans(candidates, text):
    return [text[c.start : c.end] for c in candidates]


# --- attributed quotations -----------------------------------------------------------------


def test_english_quotation_with_attribution_before_and_odd_closing_quote():
    text = (
        "After reading the letter, he calmly told the staff: "
        '"A wonderful drama is about to be staged." ”\nNext paragraph.'
    )
    [candidate] = detect_attributed_quotations(text)
    assert spans([candidate], text) == [
        'he calmly told the staff: "A wonderful drama is about to be staged." ”'
    ]
    assert candidate.flag == "misattributed-quote"
    assert 0 <= candidate.confidence <= 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "“We will win,” said Marshal Peng after the meeting.",
            "“We will win,” said Marshal Peng",
        ),
        ('"It is over," he laughed.', '"It is over," he laughed'),
        (
            "Chairman Mao wrote: “The east wind prevails.”",
            "Chairman Mao wrote: “The east wind prevails.”",
        ),
        ('Later ** declared that "the war is won".', '** declared that "the war is won"'),
    ],
)
def test_english_attribution_forms(text, expected):
    assert spans(detect_attributed_quotations(text), text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        # A citation nearby: no suggestion.
        'According to the Xinhua report, Mao said: "A wonderful drama is about to be staged."',
        'Mao said "the drama begins" [1].',
        'Mao said "the drama begins" (see https://example.org/mao).',
        # Not a person speaking, or no speech verb: scare quotes and names.
        "The program reported, “Stalin first opposed the invasion.”",
        'Kim had the intention of "crossing the river and demolishing the bridge".',
        'He began calling himself "Great Leader".',
    ],
)
def test_english_quotations_not_suggested(text):
    assert detect_attributed_quotations(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("毛澤東笑著說:「好戲開始了。」他轉身離開。", "毛澤東笑著說:「好戲開始了。」"),
        ("彭德懷表示：『這一仗必須打。』", "彭德懷表示：『這一仗必須打。』"),
        ("毛泽东指出“帝国主义是纸老虎”，全场鼓掌。", "毛泽东指出“帝国主义是纸老虎”"),
        ("**笑稱「這是好戲」。", "**笑稱「這是好戲」"),
    ],
)
def test_chinese_marked_quotations(text, expected):
    assert spans(detect_attributed_quotations(text), text) == [expected]


def test_chinese_unmarked_quotation_after_colon_and_its_echo():
    text = (
        "毛主席卻說:好戲開始嘍\n\n"
        "有人說他過河拆橋,但毛主席答應了,並對身邊人說好戲開始嘍,這是怎麼回事?"
    )
    found = spans(detect_attributed_quotations(text), text)
    assert found == ["毛主席卻說:好戲開始嘍", "並對身邊人說好戲開始嘍"]


@pytest.mark.parametrize(
    "text",
    [
        "有人說:金日成這是過河拆橋。",  # "someone said": nobody to ask
        "據新華社報導,毛主席說:「好戲開始了。」",  # cited
        "毛主席說「好戲開始了」【1】",  # bracketed reference
        "說到底都是因為他自己也很清楚。",  # 說到底 is "in the end", not speech
        "小說:一部好戲開始了",  # 小說 is "novel"
    ],
)
def test_chinese_quotations_not_suggested(text):
    assert detect_attributed_quotations(text) == []


def test_quotation_offsets_are_code_points_after_emoji():
    text = "🎭🎭 毛主席說:「好戲開始嘍」"
    [candidate] = detect_attributed_quotations(text)
    assert text[candidate.start : candidate.end] == "毛主席說:「好戲開始嘍」"
    assert candidate.start == 3


# --- redacted names ------------------------------------------------------------------------


def test_redactions_in_english_and_chinese():
    text = "Marshal *** was angry. ** Clearly aware of it, 毛**說好。"
    found = detect_redacted_names(text)
    assert spans(found, text) == ["***", "**", "**"]
    assert found[0].confidence > found[1].confidence  # a title before the mask
    assert {c.flag for c in found} == {"redacted-name"}


@pytest.mark.parametrize(
    "text",
    [
        "**From the Internet, if there is any infringement, contact to delete!",  # emphasis
        "2**10 is 1024.",  # a power
        "*****",  # a divider
        "A single * footnote.",
    ],
)
def test_stars_that_are_not_redactions(text):
    assert detect_redacted_names(text) == []


# --- content-farm markers ------------------------------------------------------------------


def test_disclaimer_and_related_pages_tail():
    text = (
        "Body text here.\n\n**From the Internet, if there is any infringement, contact to "
        "delete!\n\nRelated Pages"
    )
    found = spans(detect_content_farm_markers(text), text)
    assert found == [
        "**From the Internet, if there is any infringement, contact to delete!",
        "Related Pages",
    ]


def test_chinese_disclaimer_and_related_reading():
    text = "正文內容。\n\n本文來源於網絡,如有侵權請聯繫刪除。\n\n相關閱讀\n"
    found = spans(detect_content_farm_markers(text), text)
    assert found == ["本文來源於網絡,如有侵權請聯繫刪除。", "相關閱讀"]


def test_repeated_keyword_lines_after_the_first():
    keyword = "kim il sung relationship with stalin"
    text = f"{keyword}\n\nSome text.\n\n{keyword}\n\nMore text.\n\n{keyword}\n"
    found = detect_content_farm_markers(text)
    assert spans(found, text) == [keyword, keyword]
    assert found[0].start == text.index(keyword, 1)


def test_lines_repeated_twice_or_ending_a_sentence_are_not_keyword_stuffing():
    text = "Short line\n\nShort line\n\nSame sentence.\n\nSame sentence.\n\nSame sentence.\n"
    assert detect_content_farm_markers(text) == []


# --- unsourced numbers ---------------------------------------------------------------------


def test_precise_figures_without_a_source_are_suggested():
    text = (
        "There were still about 440,000 Chinese volunteers stationed in Korea until 1956. "
        "It was not until October 26 that the last group of volunteers left North Korea."
    )
    assert spans(detect_unsourced_numbers(text), text) == ["440,000", "October 26"]


def test_chinese_figures():
    text = "志願軍於1958年10月26日全部撤離北韓,共有44萬人參戰,損失了200架飛機。"
    assert spans(detect_unsourced_numbers(text), text) == ["1958年10月26日", "44萬人", "200架"]


@pytest.mark.parametrize(
    "text",
    [
        "According to the report, the Soviet Union secretly sent 200 MIG jet fighters to Korea.",
        "據人民網報導,志願軍於1958年10月26日全部撤離北韓,這是確定的事情。",
        "In 1958 the volunteers went home after eight years in Korea.",  # bare years, words
        "They held the line at the 38th parallel for a long time.",  # ordinal
        "Posted September. 09, 2004 21:50",  # a byline
        "Reserve Colonel Gregory Mcclair (95 years old) was interviewed at home.",  # an age
    ],
)
def test_figures_not_suggested(text):
    assert detect_unsourced_numbers(text) == []


# --- broken text ---------------------------------------------------------------------------


def test_run_together_words_and_missing_years():
    text = (
        "The army fought hard. A grueling period of trench warfare lasted from the summer of "
        "to Julythe front was stabilized. The economy became a command economywith all "
        "industry owned by the state."
    )
    found = spans(detect_broken_text(text), text)
    assert found == ["of to Julythe", "economywith"]
    assert all(c.flag == "machine-translation" for c in detect_broken_text(text))


def test_missing_decades_and_glued_sentence_starts():
    text = (
        "Kim was denounced in the late s. Inhe joined Mao. The war ended in Although it was hard."
    )
    assert spans(detect_broken_text(text), text) == ["late s", "Inhe", "in Although"]


def test_clean_english_is_not_broken():
    text = (
        "Together they breathe and bathe elsewhere; the ringleader was there in 1950. "
        "In the summer of 1951 to July 1953 the front was stable. He lived in The Hague."
    )
    assert detect_broken_text(text) == []


def test_chinese_missing_digits_and_converter_mistakes():
    text = "金日成於年月日率北韓政府存取中國,雙方實作停戰。"
    assert spans(detect_broken_text(text), text) == ["於年月日", "存取中國", "實作停戰"]


def test_chinese_clean_text_is_not_broken():
    assert detect_broken_text("使用者可以存取權限設定,工程師實作程式。1958年10月撤軍。") == []


# --- engine --------------------------------------------------------------------------------


def test_suggest_runs_every_detector_and_orders_by_position():
    text = (
        'Marshal *** said: "We attack at dawn." The army had 440,000 men in the field then.\n\n'
        "Related Pages"
    )
    candidates = suggest(text)
    assert [c.detector for c in candidates] == [
        "attributed-quotation",
        "redacted-name",
        "unsourced-number",
        "content-farm-marker",
    ]
    assert candidates == sorted(candidates, key=lambda c: (c.start, c.end))
    assert suggest(text) == candidates  # deterministic
