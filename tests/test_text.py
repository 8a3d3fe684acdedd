import unicodedata

from annotator.text import (
    body_sha256,
    detect_language,
    detect_title,
    normalize_text,
    quote_selector,
    segment_passages,
)


def test_normalize_turns_crlf_and_cr_into_lf_and_composes_to_nfc():
    decomposed = "Cafe\u0301\r\nline two\rline three"
    result = normalize_text(decomposed)
    assert result == "Café\nline two\nline three"
    assert unicodedata.is_normalized("NFC", result)
    assert normalize_text(result) == result


def test_normalize_drops_a_leading_byte_order_mark():
    assert normalize_text("\ufeffHello") == "Hello"


def test_sha256_is_of_the_utf8_body():
    # Known SHA-256 of the UTF-8 bytes of "abc" (FIPS 180-2 test vector).
    assert body_sha256("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    assert body_sha256("好") != body_sha256("好".encode().decode("latin-1"))


def test_passages_are_paragraphs_with_whitespace_trimmed():
    body = "Title\n\n  First paragraph.  \n\nSecond\nstill second.\n\n\n"
    spans = segment_passages(body)
    assert [body[s:e] for s, e in spans] == ["Title", "First paragraph.", "Second\nstill second."]


def test_passages_fall_back_to_lines_when_there_are_no_blank_lines():
    body = "one\ntwo\nthree"
    assert [body[s:e] for s, e in segment_passages(body)] == ["one", "two", "three"]


def test_a_line_of_ideographic_spaces_counts_as_blank():
    body = "one\ntwo\n\u3000\nthree"
    assert [body[s:e] for s, e in segment_passages(body)] == ["one\ntwo", "three"]


def test_offsets_are_code_points_with_cjk_and_emoji():
    body = "前言😀\n\n毛主席說:好戲開始嘍 🎭 end"
    spans = segment_passages(body)
    assert [body[s:e] for s, e in spans] == ["前言😀", "毛主席說:好戲開始嘍 🎭 end"]
    start = body.index("好戲")
    # The emoji before it counts as one code point, not two UTF-16 units.
    assert start == 10
    selector = quote_selector(body, start, start + 5, context=4)
    assert selector.exact == "好戲開始嘍"
    assert selector.prefix == "毛主席說:"[-4:]
    assert selector.suffix == " 🎭 e"


def test_quote_selector_context_is_clipped_at_the_edges():
    selector = quote_selector("abcdef", 0, 2, context=32)
    assert (selector.prefix, selector.exact, selector.suffix) == ("", "ab", "cdef")


def test_language_detection_for_the_corpus_languages():
    assert detect_language("Chairman Mao laughed after he read the letter.") == "en"
    assert detect_language("毛主席卻說:好戲開始嘍,這是怎麽回事呢?") == "zh-Hant"
    assert detect_language("毛主席却说:好戏开始喽,这是怎么回事呢?") == "zh-Hans"
    assert detect_language("文本一") == "zh"  # no character tells the script
    assert detect_language("1958 — !!") == "und"
    assert detect_language("Kim Il Sung 1958") == "en"


def test_title_skips_navigation_crumbs():
    assert detect_title("當前位置: 華文頭條 > 歷史\n\n1958年金日成") == "1958年金日成"
    assert detect_title("Go to contents\n\n“Kim Il-sung Persuaded Stalin”\n") == (
        "Kim Il-sung Persuaded Stalin"
    )
    assert detect_title("\n\n") == "Untitled"
