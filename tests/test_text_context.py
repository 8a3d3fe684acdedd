"""Context around a quotation is cut at word boundaries (CJK: at any character)."""

from annotator.text import words_after, words_before


def test_short_text_is_kept_whole():
    assert words_before("he said", 40) == "he said"
    assert words_after("and left.", 40) == "and left."


def test_cut_never_starts_or_ends_inside_a_word():
    text = "the commander calmly told the staff"
    assert words_before(text, 12) == "the staff"  # not "ld the staff"
    assert words_after(text, 12) == "the"  # not "the commande"
    assert words_before(text, 10) == "the staff"
    assert words_after(text, 13) == "the commander"


def test_cjk_text_is_cut_at_a_character():
    text = "毛主席卻說好戲開始嘍"
    assert words_before(text, 4) == "戲開始嘍"
    assert words_after(text, 3) == "毛主席"


def test_a_single_long_word_is_cut_anyway():
    assert words_before("x" * 50, 10) == "x" * 10
    assert words_after("y" * 50, 10) == "y" * 10
