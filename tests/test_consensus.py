"""Consensus per passage, exact span and claim, kept current by every write; adjudication."""

import pytest
from django.core.management import CommandError, call_command

from annotator import consensus, moderation
from annotator.annotations import (
    change_status,
    update_annotation,
    withdraw_annotation,
)
from annotator.errors import AnnotationInputError, NotAllowedError
from annotator.importing import DocumentRecord, import_record
from annotator.models import (
    AnnotationRevision,
    AnnotationStatus,
    Claim,
    Consensus,
    ModerationAction,
    Passage,
)
from tests.factories import annotate, make_user

pytestmark = pytest.mark.django_db

MAO_EN = '"A wonderful drama is about to be staged."'
MAO_ZH = "好戲開始嘍"


def span_of(document, text):
    start = document.body.index(text)
    return start, start + len(text)


@pytest.fixture
def reviewers(db):
    return [make_user(f"rev{i}", groups=["Reviewer"]) for i in range(6)]


@pytest.fixture
def small_doc(db):
    """A short document with CJK and emoji: three passages."""
    body = "標題 Title 😀\n\n毛主席說:好戲開始嘍 🎭 no source given.\n\nA third paragraph, 第三段."
    return import_record(
        DocumentRecord(body=body, origin="small.txt", source="Test Source")
    ).document


def passage_row(annotation):
    return Consensus.objects.get(key=f"passage:{annotation.passage_id}")


def span_row(annotation):
    return Consensus.objects.get(
        key=f"span:{annotation.document_id}:{annotation.start}:{annotation.end}"
    )


def test_pending_below_quorum_then_agreed(small_doc, reviewers):
    first = annotate(reviewers[0], small_doc, MAO_ZH, reliability=2)
    row = span_row(first)
    assert (row.kind, row.reviewer_count, row.status) == ("span", 1, "pending")
    assert (row.start, row.end) == (first.start, first.end)
    assert small_doc.body[row.start : row.end] == MAO_ZH
    annotate(reviewers[1], small_doc, MAO_ZH, reliability=2)
    assert span_row(first).status == "pending"
    annotate(reviewers[2], small_doc, MAO_ZH, reliability=3)
    row = span_row(first)
    assert row.reviewer_count == 3 and row.rating_count == 3
    assert row.status == row.computed_status == "agreed"
    assert (row.q1_reliability, row.median_reliability, row.q3_reliability) == (2.0, 2.0, 2.5)
    assert row.rating_distribution == {"1": 0, "2": 2, "3": 1, "4": 0, "5": 0}
    passage = passage_row(first)
    assert passage.kind == "passage" and passage.passage_id == first.passage_id
    assert (passage.start, passage.end) == (first.passage.start, first.passage.end)
    assert passage.reviewer_count == 3 and passage.status == "agreed"


def test_quorum_is_configurable(small_doc, reviewers, settings):
    settings.ANNOTATOR = {**settings.ANNOTATOR, "QUORUM": 2}
    first = annotate(reviewers[0], small_doc, MAO_ZH, reliability=4)
    annotate(reviewers[1], small_doc, MAO_ZH, reliability=4)
    assert span_row(first).status == "agreed"


def test_rating_spread_beyond_one_step_is_disputed(small_doc, reviewers):
    first = annotate(reviewers[0], small_doc, MAO_ZH, reliability=1)
    annotate(reviewers[1], small_doc, MAO_ZH, reliability=3)
    annotate(reviewers[2], small_doc, MAO_ZH, reliability=5)
    row = span_row(first)
    assert (row.q1_reliability, row.median_reliability, row.q3_reliability) == (2.0, 3.0, 4.0)
    assert row.status == "disputed"


def test_one_outlier_among_five_does_not_dispute(small_doc, reviewers):
    """IQR, not max − min: a single outlier among five reviewers leaves the group agreed."""
    first = annotate(reviewers[0], small_doc, MAO_ZH, reliability=1)
    for reviewer in reviewers[1:5]:
        annotate(reviewer, small_doc, MAO_ZH, reliability=4)
    row = span_row(first)
    assert row.q3_reliability - row.q1_reliability == 0
    assert row.status == "agreed"


def test_flag_support_between_thresholds_is_disputed(small_doc, reviewers):
    first = annotate(reviewers[0], small_doc, MAO_ZH, reliability=2, flags=["misattributed-quote"])
    annotate(reviewers[1], small_doc, MAO_ZH, reliability=2, flags=["misattributed-quote"])
    annotate(reviewers[2], small_doc, MAO_ZH, reliability=2)
    row = span_row(first)
    # 2 of 3 = 0.667 is above the upper bound 0.66: the flag is agreed, not disputed.
    assert row.flag_support == {"misattributed-quote": 0.6667}
    assert row.status == "agreed"
    annotate(reviewers[3], small_doc, MAO_ZH, reliability=2)
    row = span_row(first)
    assert row.flag_support == {"misattributed-quote": 0.5}
    assert row.status == "disputed"
    assert consensus.decided_flags(row) == []


def test_flag_only_annotations_count_as_reviewers_without_ratings(small_doc, reviewers):
    first = annotate(reviewers[0], small_doc, MAO_ZH, flags=["unsupported-claim"])
    annotate(reviewers[1], small_doc, MAO_ZH, flags=["unsupported-claim"])
    annotate(reviewers[2], small_doc, MAO_ZH, reliability=2, flags=["unsupported-claim"])
    row = span_row(first)
    assert (row.reviewer_count, row.rating_count, row.median_reliability) == (3, 1, 2.0)
    assert row.flag_support == {"unsupported-claim": 1.0}
    assert row.status == "agreed"


def test_one_reviewer_one_voice_in_a_passage(small_doc, reviewers):
    """Several spans by one reviewer in a passage: one voice, the lower median of the ratings."""
    alice = reviewers[0]
    first = annotate(alice, small_doc, "毛主席說", reliability=1)
    annotate(alice, small_doc, MAO_ZH, reliability=4, flags=["misattributed-quote"])
    annotate(alice, small_doc, "no source given", reliability=5)
    row = passage_row(first)
    assert (row.reviewer_count, row.rating_count, row.median_reliability) == (1, 1, 4.0)
    assert row.flag_support == {"misattributed-quote": 1.0}
    assert Consensus.objects.filter(kind="span", document=small_doc).count() == 3


def test_withdraw_hide_unhide_and_empty_group_keeps_its_row(small_doc, reviewers, moderator):
    first = annotate(reviewers[0], small_doc, MAO_ZH, reliability=2)
    second = annotate(reviewers[1], small_doc, MAO_ZH, reliability=4)
    assert span_row(first).reviewer_count == 2
    withdraw_annotation(first, by=reviewers[0])
    row = span_row(first)
    assert (row.reviewer_count, row.median_reliability) == (1, 4.0)
    change_status(
        second,
        status=AnnotationStatus.HIDDEN,
        by=moderator,
        action=AnnotationRevision.Action.HIDDEN,
    )
    row = span_row(first)
    assert (row.reviewer_count, row.rating_count, row.median_reliability) == (0, 0, None)
    assert row.status == "pending" and row.flag_support == {}
    assert passage_row(first).reviewer_count == 0
    change_status(
        second,
        status=AnnotationStatus.ACTIVE,
        by=moderator,
        action=AnnotationRevision.Action.UNHIDDEN,
    )
    assert span_row(first).reviewer_count == 1


def test_editing_a_rating_updates_consensus_and_note_edit_keeps_updated_at(small_doc, reviewers):
    first = annotate(reviewers[0], small_doc, MAO_ZH, reliability=2)
    stamp = span_row(first).updated_at
    first = update_annotation(first, by=reviewers[0], expected_version=1, note="a note only")
    assert span_row(first).updated_at == stamp
    update_annotation(first, by=reviewers[0], expected_version=2, reliability=5)
    row = span_row(first)
    assert row.median_reliability == 5.0 and row.updated_at > stamp


def test_claim_consensus_across_documents_and_languages(seeded, reviewers):
    claim = Claim.objects.create(
        text="Mao said in 1958 that 'a wonderful drama is about to be staged'"
    )
    en, zh = seeded["000"], seeded["001"]
    annotate(reviewers[0], en, MAO_EN, reliability=1, flags=["misattributed-quote"], claim=claim)
    annotate(reviewers[1], zh, MAO_ZH, reliability=2, flags=["misattributed-quote"], claim=claim)
    annotate(reviewers[2], zh, MAO_ZH, reliability=1, claim=claim, occurrence=1)
    row = consensus.consensus_for_claim(claim)
    assert row.kind == "claim" and row.key == f"claim:{claim.pk}"
    assert row.document_id is None and row.claim_id == claim.pk
    assert row.reviewer_count == 3 and row.median_reliability == 1.0
    assert row.flag_support == {"misattributed-quote": 0.6667}
    assert row.status == "agreed"
    en_span = consensus.consensus_for_span(en, *span_of(en, MAO_EN))
    assert en_span.reviewer_count == 1 and en_span.status == "pending"


def test_moving_the_claim_link_refreshes_old_and_new_claim(small_doc, reviewers):
    old = Claim.objects.create(text="old claim")
    new = Claim.objects.create(text="new claim")
    first = annotate(reviewers[0], small_doc, MAO_ZH, reliability=1, claim=old)
    assert consensus.consensus_for_claim(old).reviewer_count == 1
    update_annotation(first, by=reviewers[0], expected_version=1, claim=new)
    assert consensus.consensus_for_claim(old).reviewer_count == 0
    assert consensus.consensus_for_claim(new).reviewer_count == 1
    old.merged_into = new
    old.save()
    assert consensus.consensus_for_claim(old).key == f"claim:{new.pk}"


def test_suspended_reviewer_is_excluded_and_reinstated(small_doc, reviewers):
    first = annotate(reviewers[0], small_doc, MAO_ZH, reliability=1)
    annotate(reviewers[1], small_doc, MAO_ZH, reliability=4)
    annotate(reviewers[2], small_doc, MAO_ZH, reliability=4)
    assert span_row(first).median_reliability == 4.0
    suspended = reviewers[1]
    suspended.is_active = False
    suspended.save()
    consensus.reviewer_status_changed(suspended)
    row = span_row(first)
    assert (row.reviewer_count, row.median_reliability, row.status) == (2, 2.5, "pending")
    suspended.is_active = True
    suspended.save()
    consensus.reviewer_status_changed(suspended)
    assert span_row(first).reviewer_count == 3


def test_adjudication_overrides_until_the_group_changes(small_doc, reviewers, moderator):
    first = annotate(reviewers[0], small_doc, MAO_ZH, reliability=1)
    annotate(reviewers[1], small_doc, MAO_ZH, reliability=3)
    annotate(reviewers[2], small_doc, MAO_ZH, reliability=5)
    row = span_row(first)
    assert row.status == "disputed"
    decided = moderation.adjudicate(
        row,
        moderator=moderator,
        reliability=1,
        flags=["misattributed-quote"],
        reason="No record of the quote in Mao's collected works.",
    )
    assert decided.status == "adjudicated" and decided.computed_status == "disputed"
    assert decided.adjudicated_flags == ["misattributed-quote"]
    assert consensus.decided_reliability(decided) == 1
    assert consensus.decided_flags(decided) == ["misattributed-quote"]
    audit = ModerationAction.objects.get(action="adjudicate")
    assert audit.actor == moderator and audit.target_id == str(row.pk)
    assert audit.details["reliability"] == 1 and audit.details["previous"]["status"] == "disputed"

    # A note-only edit does not change the group: the decision holds.
    update_annotation(first, by=reviewers[0], expected_version=1, note="still think so")
    assert span_row(first).status == "adjudicated"
    # A new judgment does: back to the computed status, decision kept and marked stale.
    annotate(reviewers[3], small_doc, MAO_ZH, reliability=5)
    row = span_row(first)
    assert row.status == row.computed_status == "disputed"
    assert row.adjudication_stale and row.adjudicated_reliability == 1
    assert row.adjudication_reason.startswith("No record")
    again = moderation.adjudicate(
        row, moderator=moderator, reliability=1, flags=[], reason="Re-confirmed."
    )
    assert again.status == "adjudicated" and not again.adjudication_stale
    assert ModerationAction.objects.filter(action="adjudicate").count() == 2


def test_adjudication_validation_names_the_fields(small_doc, reviewers, moderator):
    row = span_row(annotate(reviewers[0], small_doc, MAO_ZH, reliability=1))
    with pytest.raises(AnnotationInputError) as error:
        moderation.adjudicate(row, moderator=moderator, reliability=7, flags=["nope"], reason=" ")
    assert set(error.value.errors) == {"reliability", "flags", "reason"}
    with pytest.raises(AnnotationInputError) as error:
        moderation.adjudicate(row, moderator=moderator, reliability=None, flags=[], reason="why")
    assert "reliability" in error.value.errors
    with pytest.raises(NotAllowedError):
        moderation.adjudicate(row, moderator=reviewers[1], reliability=2, flags=[], reason="why")
    row.refresh_from_db()
    assert row.status == "pending" and row.adjudicated_at is None
    assert not ModerationAction.objects.exists()


def test_read_functions(small_doc, reviewers):
    first = annotate(reviewers[0], small_doc, MAO_ZH, reliability=2)
    passage = Passage.objects.get(pk=first.passage_id)
    assert consensus.consensus_for_passage(passage).key == f"passage:{passage.pk}"
    other = Passage.objects.filter(document=small_doc).exclude(pk=passage.pk).first()
    assert consensus.consensus_for_passage(other) is None
    assert consensus.consensus_for_claim(Claim.objects.create(text="unjudged")) is None
    rows = list(consensus.consensus_for_document(small_doc))
    assert [row.kind for row in rows] == ["passage", "span"]
    data = consensus.as_dict(rows[1])
    assert data["decided_reliability"] == 2.0 and data["adjudication"] is None


def test_recompute_command_detects_and_repairs_drift(small_doc, reviewers, capsys):
    first = annotate(reviewers[0], small_doc, MAO_ZH, reliability=2, flags=["unsupported-claim"])
    annotate(reviewers[1], small_doc, MAO_ZH, reliability=3)
    third = annotate(reviewers[2], small_doc, "A third paragraph", reliability=5)
    call_command("recompute_consensus", "--check")
    assert "all current" in capsys.readouterr().out.lower()
    expected = {row.key: consensus.content_of(row) for row in Consensus.objects.all()}
    stamps = dict(Consensus.objects.values_list("key", "updated_at"))

    drifted = span_row(first).key
    Consensus.objects.filter(key=drifted).update(reviewer_count=99, flag_support={})
    Consensus.objects.filter(kind="passage").delete()
    with pytest.raises(CommandError, match="differ"):
        call_command("recompute_consensus", "--check")
    out = capsys.readouterr().out
    assert f"{drifted}: flag_support, reviewer_count" in out
    assert f"passage:{first.passage_id}: missing row" in out
    assert not Consensus.objects.filter(kind="passage").exists()  # --check wrote nothing

    call_command("recompute_consensus")
    assert "created 2, updated 1, 1 unchanged" in capsys.readouterr().out
    assert {row.key: consensus.content_of(row) for row in Consensus.objects.all()} == expected
    # Rows whose content did not change keep their timestamp (incremental exports rely on it).
    assert span_row(third).updated_at == stamps[span_row(third).key]
    assert span_row(first).updated_at > stamps[drifted]
    call_command("recompute_consensus", "--check")


def test_recompute_marks_a_drifted_adjudication_stale(small_doc, reviewers, moderator):
    first = annotate(reviewers[0], small_doc, MAO_ZH, reliability=2)
    row = moderation.adjudicate(
        span_row(first), moderator=moderator, reliability=2, flags=[], reason="r"
    )
    Consensus.objects.filter(pk=row.pk).update(reviewer_count=5)
    stats = consensus.recompute_all()
    assert stats.updated == 1 and stats.created == 0
    row.refresh_from_db()
    assert row.reviewer_count == 1 and row.adjudication_stale and row.status == "pending"


def test_a_write_costs_the_same_few_queries_whatever_the_group_size(
    small_doc, reviewers, django_assert_max_num_queries
):
    """Groups are created, locked and read together: the query count does not grow with the
    number of groups or members (a regression guard for the write path's cost)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    claim = Claim.objects.create(text="Mao announced a drama", language="en")
    counts = []
    for reviewer in reviewers:
        with CaptureQueriesContext(connection) as captured:
            annotation = annotate(
                reviewer, small_doc, MAO_ZH, reliability=2, flags=["unsupported-claim"], claim=claim
            )
        # Outbox events are left out: the write that changes a group's status writes one more.
        counts.append(sum("outboxevent" not in query["sql"] for query in captured))
    # The first write creates the passage, span and claim rows, and cuts the quotes of the
    # two with a span (one document read, one update); the others join them.
    assert counts[0] == counts[1] + 2, counts
    assert len(set(counts[1:])) == 1, counts
    with django_assert_max_num_queries(14):  # 13 + the annotation's outbox event
        annotate(reviewers[0], small_doc, "no source", reliability=4, claim=claim)
    with django_assert_max_num_queries(17):  # 16 + the annotation's outbox event
        update_annotation(annotation, by=reviewers[-1], expected_version=1, flags=["factual-error"])
    assert span_row(annotation).reviewer_count == len(reviewers)
    assert span_row(annotation).flag_support == {
        "unsupported-claim": round(5 / 6, 4),
        "factual-error": round(1 / 6, 4),
    }
    assert consensus.recompute_all(check=True).differences == {}


def test_groups_keep_their_quote_whichever_path_makes_them(reviewers):
    """The span's quote is cut once when a group's row is made, by a write or a rebuild,
    astral characters (CJK Extension B, a ZWJ family, a flag) included; claims have none."""
    body = "𠀀𠀁 intro 👨\u200d👩\u200d👧 family.\n\nSecond 好戲開始嘍 passage 🇹🇼 end."
    document = import_record(DocumentRecord(body=body, origin="quotes.txt")).document
    claim = Claim.objects.create(text=MAO_ZH, language="zh-Hant")
    annotation = annotate(reviewers[0], document, MAO_ZH, reliability=2, claim=claim)

    def quotes():
        return {
            row.key: (row.exact, row.prefix, row.suffix)
            for row in Consensus.objects.filter(key__in=keys)
        }

    span, passage = span_row(annotation), passage_row(annotation)
    keys = [span.key, passage.key, f"claim:{claim.pk}"]
    made_by_the_write = quotes()
    assert made_by_the_write[span.key] == (MAO_ZH, body[: annotation.start], body[annotation.end :])
    assert made_by_the_write[passage.key][0] == body[passage.start : passage.end]
    assert made_by_the_write[passage.key][0].startswith("Second")
    assert made_by_the_write[f"claim:{claim.pk}"] == (None, None, None)

    Consensus.objects.all().delete()
    consensus.recompute_all()
    assert quotes() == made_by_the_write


def test_migration_cuts_the_quotes_of_existing_rows(reviewers):
    """Migration 0015 gives rows made before it their quotes, as a write would have."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("annotator.migrations.0015_consensus_quotes")
    record = DocumentRecord(body="𠀀 one.\n\n🎭 two 好戲.", origin="m.txt")
    document = import_record(record).document
    annotate(reviewers[0], document, "好戲", reliability=3)
    annotate(reviewers[1], document, "𠀀 one.", reliability=4)
    made = sorted(Consensus.objects.values_list("key", "exact", "prefix", "suffix"))
    Consensus.objects.update(exact=None, prefix=None, suffix=None)

    migration.cut_existing_quotes(apps, SimpleNamespace(connection=connection))

    assert sorted(Consensus.objects.values_list("key", "exact", "prefix", "suffix")) == made
    assert {exact for _, exact, _, _ in made} >= {"好戲", "𠀀 one."}
