"""Storing suggestions: on import, idempotent re-runs, the suggest and evaluate commands."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from annotator.importing import DocumentRecord, import_record
from annotator.models import Annotation, Consensus, Suggestion
from annotator.suggestions.decisions import dismiss_suggestion
from annotator.suggestions.engine import store_suggestions

GOLD = Path(__file__).parent / "data" / "gold_suggestions.jsonl"


def test_import_stores_suggestions_for_each_seed(seeded):
    mao = seeded["000"]
    quote = Suggestion.objects.get(document=mao, detector="attributed-quotation")
    assert quote.exact == mao.body[quote.start : quote.end]
    assert 'he calmly told the staff: "A wonderful drama is about to be staged."' in quote.exact
    assert quote.flag.slug == "misattributed-quote"
    assert Suggestion.objects.filter(document=mao, flag__slug="redacted-name").count() == 17
    assert (
        Suggestion.objects.filter(document=seeded["001"], detector="attributed-quotation").count()
        == 3
    )
    # Suggestions are not annotations and never reach consensus.
    assert Annotation.objects.count() == 0
    assert Consensus.objects.count() == 0


def test_store_suggestions_is_idempotent(seeded):
    document = seeded["004"]
    before = list(Suggestion.objects.filter(document=document).values_list("pk", flat=True))
    assert before
    assert store_suggestions(document) == 0
    assert list(Suggestion.objects.filter(document=document).values_list("pk", flat=True)) == before


def test_stale_undecided_suggestions_are_removed_but_decided_ones_kept(seeded, reviewer):
    document = seeded["002"]
    flag = Suggestion.objects.filter(document=document).first().flag
    stale = Suggestion.objects.create(
        document=document,
        start=0,
        end=3,
        exact=document.body[:3],
        flag=flag,
        detector="retired-detector",
        reason="old",
        confidence=0.5,
    )
    decided = Suggestion.objects.create(
        document=document,
        start=3,
        end=6,
        exact=document.body[3:6],
        flag=flag,
        detector="retired-detector",
        reason="old",
        confidence=0.5,
    )
    dismiss_suggestion(decided, reviewer)
    store_suggestions(document)
    assert not Suggestion.objects.filter(pk=stale.pk).exists()
    assert Suggestion.objects.filter(pk=decided.pk).exists()


def test_new_revision_gets_its_own_suggestions(db):
    first = import_record(DocumentRecord(body='He said: "Hello there." Nothing else.', origin="x"))
    second = import_record(
        DocumentRecord(body='Marshal *** said: "Hello there." Nothing else.', origin="x")
    )
    assert second.result == "revised"
    assert Suggestion.objects.filter(document=second.document, flag__slug="redacted-name").exists()
    assert not Suggestion.objects.filter(
        document=first.document, flag__slug="redacted-name"
    ).exists()


def test_suggestions_survive_cjk_and_emoji_offsets(db):
    body = "🎭 標題\n\n毛主席卻說:好戲開始嘍 🎉 **表示同意。"
    outcome = import_record(DocumentRecord(body=body, origin="emoji.txt"))
    rows = {s.detector: s for s in Suggestion.objects.filter(document=outcome.document)}
    quote = rows["attributed-quotation"]
    assert quote.exact.startswith("毛主席卻說:好戲開始嘍")  # the sentence, from the speaker
    assert body[quote.start : quote.end] == quote.exact
    assert rows["redacted-name"].exact == "**"


def test_suggest_command_reports_progress_and_is_idempotent(seeded):
    removed, _ = Suggestion.objects.filter(document=seeded["002"]).delete()
    assert removed
    out = StringIO()
    call_command("suggest", stdout=out)
    text = out.getvalue()
    assert "[1/5]" in text and "[5/5]" in text
    assert f"002_3cbe17887b3935f8.txt: {removed} suggestions ({removed} new)" in text
    assert f"Done: 5 documents, {removed} new suggestions." in text
    out = StringIO()
    call_command("suggest", "--document", str(seeded["002"].pk), stdout=out)
    assert "[1/1]" in out.getvalue() and "(0 new)" in out.getvalue()


def test_suggest_command_unknown_document(db):
    with pytest.raises(CommandError, match="No document with id 999"):
        call_command("suggest", "--document", "999")


def test_evaluate_command_meets_the_targets_on_the_seed_gold_file(seeded):
    out = StringIO()
    call_command("evaluate_suggestions", str(GOLD), "--json", stdout=out)
    scores = {row["detector"]: row for row in json.loads(out.getvalue())}
    for detector in ("attributed-quotation", "redacted-name"):
        assert scores[detector]["recall"] >= 0.9, scores[detector]
        assert scores[detector]["precision"] >= 0.7, scores[detector]
    for row in scores.values():
        assert row["precision"] is None or row["precision"] >= 0.7, row
    table = StringIO()
    call_command("evaluate_suggestions", str(GOLD), stdout=table)
    assert "precision" in table.getvalue() and "attributed-quotation" in table.getvalue()


def test_evaluation_counts_misses_and_false_alarms(seeded, tmp_path):
    body = seeded["002"].body
    start = body.index("Stalin's role")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        json.dumps(
            {
                "document": seeded["002"].origin,
                "start": start,
                "end": start + 6,
                "flag": "redacted-name",
                "exact": "Stalin",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("evaluate_suggestions", str(gold), "--json", stdout=out)
    redaction = next(r for r in json.loads(out.getvalue()) if r["detector"] == "redacted-name")
    # The seed has two real ** redactions (false alarms against this gold) and misses "Stalin".
    assert (redaction["tp"], redaction["fp"], redaction["fn"]) == (0, 2, 1)
    assert redaction["precision"] == 0.0 and redaction["recall"] == 0.0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "not JSON"),
        (
            '{"document": "000_36e9ef5468f0e781.txt", "start": 5, "end": 2, "flag": "x"}',
            "start < end",
        ),
        ('{"document": "nope.txt", "start": 0, "end": 2, "flag": "x"}', "no document"),
        ('{"start": 0, "end": 2, "flag": "x"}', "'document'"),
        (
            '{"document": "000_36e9ef5468f0e781.txt", "start": 0, "end": 2, "flag": "x", '
            '"exact": "zz"}',
            "'exact' does not match",
        ),
    ],
)
def test_evaluate_command_rejects_bad_gold_lines(seeded, tmp_path, line, message):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match=message) as error:
        call_command("evaluate_suggestions", str(gold))
    assert ":1:" in str(error.value)
