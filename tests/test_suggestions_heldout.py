"""The detectors on the held-out set (tests/data/heldout/): targets on the test half."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from annotator.suggestions.engine import raw_suggest, suggest
from annotator.suggestions.heldout import read_heldout

HELDOUT = Path(__file__).parent / "data" / "heldout"
TARGETS = {
    "attributed-quotation": (0.8, 0.85),
    "redacted-name": (0.8, 0.85),
    "content-farm-marker": (0.7, None),
    "unsourced-number": (0.7, None),
    "broken-text": (0.7, None),
}


def _scores(half: str, *extra: str) -> dict:
    out = StringIO()
    call_command(
        "evaluate_suggestions", "--heldout", str(HELDOUT / half), "--json", *extra, stdout=out
    )
    return json.loads(out.getvalue())


def test_the_set_is_large_enough_and_covers_three_languages_and_the_genres():
    test, dev = read_heldout(HELDOUT / "test.txt"), read_heldout(HELDOUT / "dev.txt")
    assert len(test) + len(dev) >= 60
    for half in (test, dev):
        assert {d.language for d in half} == {"en", "zh-Hant", "zh-Hans"}
        assert {d.genre for d in half} >= {"news", "farm", "garbled", "negative"}
    assert not {d.text for d in test} & {d.text for d in dev}


def test_targets_on_the_held_out_test_half():
    scores = {row["detector"]: row for row in _scores("test.txt")["all"]}
    for detector, (precision, recall) in TARGETS.items():
        assert scores[detector]["precision"] >= precision, scores[detector]
        if recall is not None:
            assert scores[detector]["recall"] >= recall, scores[detector]


def test_scores_are_reported_per_language():
    scores = _scores("dev.txt")
    assert set(scores) == {"all", "en", "zh-Hant", "zh-Hans"}
    detectors = {row["detector"] for row in scores["zh-Hant"]}
    assert detectors == set(TARGETS)


def test_negative_documents_get_no_quotation_or_number_suggestion():
    for half in ("test.txt", "dev.txt"):
        for document in read_heldout(HELDOUT / half):
            if document.genre != "negative":
                continue
            flags = {c.flag for c in suggest(document.text)}
            assert not flags & {"misattributed-quote", "unsourced-number"}, document.id


def test_confidence_is_calibrated_and_the_threshold_hides_weak_suggestions():
    text = "標題\n一名員工私下表示，裁員是上面的決定。"
    [raw] = [c for c in raw_suggest(text) if c.detector == "attributed-quotation"]
    [calibrated] = [c for c in suggest(text) if c.detector == "attributed-quotation"]
    assert raw.confidence == 0.75 and calibrated.confidence != raw.confidence
    everything = _scores("dev.txt", "--threshold", "0")["all"]
    strict = _scores("dev.txt", "--threshold", "0.99")["all"]
    found = sum(row["tp"] + row["fp"] for row in everything)
    assert sum(row["tp"] + row["fp"] for row in strict) < found


def test_calibration_refuses_the_test_half():
    with pytest.raises(CommandError, match="dev half only"):
        call_command("calibrate_suggestions", "--heldout", str(HELDOUT / "test.txt"))


def test_bad_heldout_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("### x1 en news\nText with ⟦Q|an open marker\n", encoding="utf-8")
    with pytest.raises(CommandError, match="unclosed"):
        call_command("evaluate_suggestions", "--heldout", str(bad))
