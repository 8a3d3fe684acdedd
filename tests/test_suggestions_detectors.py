"""Each detector on its own, with English and Chinese examples (pure functions, no database)."""

import pytest

from annotator.suggestions.detectors import detect_broken_text, detect_content_farm_markers
from annotator.suggestions.engine import suggest
from annotator.suggestions.numbers import detect_numbers
from annotator.suggestions.quotations import detect_quotations
from annotator.suggestions.redactions import detect_redactions


def spans(candidates, text):
    return [text[c.start : c.end] for c in candidates]


# --- attributed quotations (annotator/suggestions/quotations.py) ---------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'After reading the letter, he calmly told the staff: "A wonderful drama is about '
            'to be staged." Next sentence.',
            'After reading the letter, he calmly told the staff: "A wonderful drama is about '
            'to be staged."',
        ),
        ("“We will win,” said Marshal Peng after the meeting.", None),
        ('"It is over," he laughed.', None),
        ("Chairman Mao wrote: “The east wind prevails.”", None),
        ('Later ** declared that "the war is won".', None),
        ("The nurse said the ward “was chaos every single night.”", None),
        # Reported speech without marks.
        ("The coach said that the team would win the league.", None),
        ("A neighbour told reporters that the house had been empty for years.", None),
    ],
)
def test_english_attributed_quotations(text, expected):
    [candidate] = detect_quotations(text)
    assert spans([candidate], text) == [expected or text]
    assert candidate.flag == "misattributed-quote"
    assert 0 <= candidate.confidence <= 1


@pytest.mark.parametrize(
    "text",
    [
        # A source in the sentence or paragraph: no suggestion.
        'According to the Xinhua report, Mao said: "A wonderful drama is about to be staged."',
        'Mao said "the drama begins" [1].',
        'Mao said "the drama begins" (see https://example.org/mao).',
        '"Prices will fall," the minister told a press conference in Rome.',
        '"We are ready," the coach told Reuters.',
        "The company said in a statement that the plant would close.",
        # An institution speaking, or no speech verb: scare quotes and names.
        "The police said that two men were arrested.",
        'Kim had the intention of "crossing the river and demolishing the bridge".',
        'He began calling himself "Great Leader".',
        "It is said that the bridge is haunted.",
    ],
)
def test_english_quotations_not_suggested(text):
    assert detect_quotations(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "毛澤東笑著說:「好戲開始了。」",
        "彭德懷表示：『這一仗必須打。』",
        "毛泽东指出“帝国主义是纸老虎”，全场鼓掌。",
        "**笑稱「這是好戲」。",
        "毛主席說：好戲開始嘍",  # unmarked, after a colon
        "有網友說，這家店的老闆早就跑路了。",  # reported speech, vague speaker
        "一名員工私下表示，裁員是「上面的決定」。",
        "社長は「来年は必ず黒字にする」と語った。",  # Japanese
        "그는 “내일 다시 오겠다”라고 말했다.",  # Korean
    ],
)
def test_chinese_japanese_korean_quotations(text):
    [candidate] = detect_quotations(text)
    assert spans([candidate], text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "據新華社報導,毛主席說:「好戲開始了。」",  # cited
        "毛主席說「好戲開始了」【1】",  # bracketed reference
        "局長在記者會上說：「票價明年調整。」",  # a press conference
        "警方表示，兩名男子已被逮捕。",  # an institution's statement
        "说到底都是因为他自己也很清楚。",  # 說到底 is "in the end", not speech
        "小說:一部好戲開始了",  # 小說 is "novel"
        "俗話說：「早起的鳥兒有蟲吃。」",  # a proverb
    ],
)
def test_chinese_quotations_not_suggested(text):
    assert detect_quotations(text) == []


def test_quotation_offsets_are_code_points_after_emoji():
    text = "🎭🎭 毛主席說:「好戲開始嘍」"
    [candidate] = detect_quotations(text)
    assert text[candidate.start : candidate.end] == "毛主席說:「好戲開始嘍」"
    assert candidate.start == 3


# --- redacted names (annotator/suggestions/redactions.py) ----------------------------------


def test_redactions_in_english_and_chinese():
    text = (
        "Marshal *** was angry. ** Clearly aware of it, 毛**說好。王○○、李□□、陳XX、"
        "張××與劉某某到場，嫌犯A某在逃。Mr. X and [redacted] refused; ＊＊ agreed."
    )
    found = detect_redactions(text)
    assert spans(found, text) == [
        "***", "**", "**", "○○", "□□", "XX", "××", "某某", "A某", "X", "[redacted]", "＊＊"
    ]  # fmt: skip
    assert {c.flag for c in found} == {"redacted-name"}


@pytest.mark.parametrize(
    "text",
    [
        "**From the Internet, if there is any infringement, contact to delete!",  # emphasis
        "This is **very** important.",  # emphasis mid-line
        "2**10 is 1024.",  # a power
        "*****",  # a divider
        "A single * footnote.",
        "Sizes: M, L, XL, XXL.",
        "Super Bowl XX was played in 1986.",
        "二〇二四年某些人說某種方法在某市有效。",  # Chinese zero; 某 meaning "some"
    ],
)
def test_masks_that_are_not_redactions(text):
    assert detect_redactions(text) == []


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


# --- unsourced numbers (annotator/suggestions/numbers.py) ---------------------------------


def test_precise_figures_without_a_source_are_suggested():
    text = (
        "Title line with 99%\n"
        "There were still about 440,000 volunteers stationed there until 1956. "
        "The utility serves 4.6 million homes and 87% of them pay late, costing $250,000."
    )
    found = spans(detect_numbers(text), text)
    assert found == ["440,000", "4.6 million", "87%", "$250,000"]


def test_chinese_figures_in_both_scripts():
    text = (
        "標題\n共有44萬人參戰，損失了200架飛機。"
        "九成的人不知道，12,345 人受害，損失1.2亿元，五十萬人見證。"
    )
    found = spans(detect_numbers(text), text)
    assert found == ["44萬人", "200架", "九成", "12,345 人", "1.2亿元", "五十萬人"]


@pytest.mark.parametrize(
    "text",
    [
        "Title\nAccording to the report, the Soviet Union secretly sent 200 MIG jets to Korea.",
        "標題\n據人民網報導，志願軍共有44萬人參戰，這是確定的事情。",
        "Title\nIn 1958 the volunteers went home after eight years in Korea.",  # bare years
        "Title\nThey held the line at the 38th parallel for a long time.",  # ordinal
        "Title\nThe museum opens at 9 and closes at 5.",  # times, small numbers
        "Title\nUnemployment fell to 3.8%, the Bureau of Labor Statistics said.",
        "標題\n國家統計局公布，GDP增長4.6%。",
    ],
)
def test_figures_not_suggested(text):
    assert detect_numbers(text) == []


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
    text = "金日成於年月日率北韓政府存取中國,雙方實作停戰。他走了。"
    # Problems in one sentence are one span for the reviewer; each is named in the reason.
    [candidate] = detect_broken_text(text)
    assert text[candidate.start : candidate.end] == "於年月日率北韓政府存取中國,雙方實作停戰"
    assert candidate.reason.count("converter") == 1 and "missing" in candidate.reason


def test_chinese_clean_text_is_not_broken():
    assert detect_broken_text("使用者可以存取權限設定,工程師實作程式。1958年10月撤軍。") == []


# --- engine --------------------------------------------------------------------------------


def test_suggest_runs_every_detector_and_orders_by_position():
    text = (
        "A title\n"
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
