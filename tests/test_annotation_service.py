"""The annotation write path: anchors, validation, history, optimistic concurrency."""

import pytest

from annotator.annotations import (
    create_annotation,
    update_annotation,
    withdraw_annotation,
)
from annotator.errors import AnnotationInputError, NotAllowedError, StaleVersionError
from annotator.importing import DocumentRecord, import_record
from annotator.models import AnnotationRevision, Claim

pytestmark = pytest.mark.django_db


def span_of(document, text):
    start = document.body.index(text)
    return start, start + len(text)


def test_flag_the_mao_quote_in_english_and_chinese_and_link_one_claim(seeded, reviewer):
    claim = Claim.objects.create(text="Mao said 'a wonderful drama is about to be staged'")
    en = seeded["000"]
    zh = seeded["001"]
    start, end = span_of(en, '"A wonderful drama is about to be staged."')
    first = create_annotation(
        reviewer=reviewer,
        document=en,
        start=start,
        end=end,
        exact=en.body[start:end],
        reliability=1,
        flags=["misattributed-quote"],
        claim=claim,
    )
    start, end = span_of(zh, "好戲開始嘍")
    second = create_annotation(
        reviewer=reviewer,
        document=zh,
        start=start,
        end=end,
        exact="好戲開始嘍",
        reliability=1,
        flags=["misattributed-quote"],
        claim=claim,
    )
    assert {a.document_id for a in claim.annotations.all()} == {en.pk, zh.pk}
    assert second.exact == "好戲開始嘍" and len(second.prefix) == 32
    assert zh.body[second.start - len(second.prefix) : second.start] == second.prefix
    assert first.passage.start <= first.start < first.passage.end
    assert [f.slug for f in first.flags.all()] == ["misattributed-quote"]


def test_offsets_are_code_points_with_emoji(reviewer):
    document = import_record(
        DocumentRecord(body="Title\n\n😀😀 毛主席說:好戲開始嘍 🎭", origin="emoji.txt")
    ).document
    start = document.body.index("好戲")
    annotation = create_annotation(
        reviewer=reviewer, document=document, start=start, end=start + 5, reliability=2
    )
    assert annotation.exact == "好戲開始嘍"
    assert annotation.prefix.endswith("毛主席說:") and annotation.suffix == " 🎭"
    with pytest.raises(AnnotationInputError) as error:
        # A UTF-16 offset (each emoji counted twice) no longer matches the text.
        create_annotation(
            reviewer=reviewer,
            document=document,
            start=start + 2,
            end=start + 7,
            exact="好戲開始嘍",
            reliability=2,
        )
    assert "exact" in error.value.errors


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"start": -1, "end": 3}, "start"),
        ({"start": 0, "end": 10**9}, "end"),
        ({"start": 5, "end": 5}, "end"),
        ({"start": "a", "end": 3}, "start"),
        ({"exact": "not the text"}, "exact"),
        ({"reliability": 6}, "reliability"),
        ({"reliability": "x"}, "reliability"),
        ({"reliability": None, "flags": []}, "reliability"),
        ({"flags": ["no-such-flag"]}, "flags"),
        ({"evidence": ["javascript:alert(1)"]}, "evidence"),
        ({"evidence": "https://example.org"}, "evidence"),
        ({"note": "x" * 10_001}, "note"),
    ],
)
def test_bad_input_names_the_field(seeded, reviewer, fields, field):
    document = seeded["000"]
    values = {"start": 0, "end": 10, "reliability": 3}
    values.update(fields)
    with pytest.raises(AnnotationInputError) as error:
        create_annotation(reviewer=reviewer, document=document, **values)
    assert field in error.value.errors
    assert not document.annotations.exists()


def test_evidence_accepts_urls_and_plain_citations(seeded, reviewer):
    annotation = create_annotation(
        reviewer=reviewer,
        document=seeded["000"],
        start=0,
        end=10,
        reliability=3,
        evidence=[
            "https://example.org/a",
            "  ",
            "People's Daily, 20 Feb 1958, p. 1",
            "Source: Xinhua",
        ],
    )
    assert annotation.evidence == [
        "https://example.org/a",
        "People's Daily, 20 Feb 1958, p. 1",
        "Source: Xinhua",
    ]


def test_duplicate_active_span_is_refused_with_a_clear_message(seeded, reviewer):
    create_annotation(reviewer=reviewer, document=seeded["000"], start=0, end=10, reliability=3)
    with pytest.raises(AnnotationInputError, match="already have an active annotation"):
        create_annotation(reviewer=reviewer, document=seeded["000"], start=0, end=10, reliability=4)


def test_edit_keeps_history_and_checks_the_version(seeded, reviewer, other_reviewer):
    annotation = create_annotation(
        reviewer=reviewer, document=seeded["000"], start=0, end=10, reliability=3
    )
    updated = update_annotation(
        annotation, by=reviewer, expected_version=1, reliability=2, flags=["factual-error"]
    )
    assert updated.version == 2 and updated.reliability == 2
    with pytest.raises(StaleVersionError) as stale:
        update_annotation(annotation, by=reviewer, expected_version=1, reliability=5)
    assert stale.value.current_version == 2
    with pytest.raises(NotAllowedError):
        update_annotation(annotation, by=other_reviewer, expected_version=2, reliability=5)
    revisions = list(annotation.revisions.order_by("version"))
    assert [r.action for r in revisions] == ["created", "updated"]
    assert revisions[1].before["reliability"] == 3 and revisions[1].after["reliability"] == 2
    assert revisions[1].after["flags"] == ["factual-error"]


def test_withdrawal_keeps_the_row_and_frees_the_span(seeded, reviewer):
    annotation = create_annotation(
        reviewer=reviewer, document=seeded["000"], start=0, end=10, reliability=3
    )
    withdrawn = withdraw_annotation(annotation, by=reviewer)
    assert withdrawn.status == "withdrawn" and withdrawn.version == 2
    assert AnnotationRevision.objects.filter(annotation=annotation, action="withdrawn").exists()
    again = create_annotation(
        reviewer=reviewer, document=seeded["000"], start=0, end=10, reliability=4
    )
    assert again.pk != annotation.pk
    with pytest.raises(AnnotationInputError, match="withdrawn annotation cannot be edited"):
        update_annotation(withdrawn, by=reviewer, expected_version=2, reliability=1)


def test_suspended_reviewers_cannot_annotate(seeded, reviewer):
    reviewer.is_active = False
    reviewer.save()
    with pytest.raises(NotAllowedError):
        create_annotation(reviewer=reviewer, document=seeded["000"], start=0, end=10, reliability=3)


def test_old_revisions_cannot_be_annotated(reviewer, tmp_path):
    old = import_record(DocumentRecord(body="T\n\nfirst", origin="x.txt")).document
    import_record(DocumentRecord(body="T\n\nsecond", origin="x.txt"))
    old.refresh_from_db()
    with pytest.raises(AnnotationInputError) as error:
        create_annotation(reviewer=reviewer, document=old, start=0, end=1, reliability=3)
    assert "document" in error.value.errors


def test_duplicate_inside_a_callers_transaction_names_the_existing_annotation(seeded, reviewer):
    """The duplicate is refused by the database constraint; the caller's transaction lives on."""
    from django.db import transaction

    from annotator.models import Annotation, Consensus

    document = seeded["000"]
    first = create_annotation(reviewer=reviewer, document=document, start=0, end=10, reliability=3)
    consensus_before = list(Consensus.objects.order_by("key").values())
    with transaction.atomic():
        with pytest.raises(AnnotationInputError) as error:
            create_annotation(reviewer=reviewer, document=document, start=0, end=10, reliability=4)
        # The connection is still usable inside the caller's transaction.
        assert Annotation.objects.filter(reviewer=reviewer).count() == 1
    assert error.value.errors == {
        "non_field_errors": [
            f"You already have an active annotation on this span (#{first.pk}); edit it."
        ]
    }
    assert AnnotationRevision.objects.filter(annotation__reviewer=reviewer).count() == 1
    assert list(Consensus.objects.order_by("key").values()) == consensus_before


def test_flag_history_through_create_edit_and_withdraw(seeded, reviewer):
    document = seeded["001"]
    start, end = span_of(document, "好戲開始嘍")
    annotation = create_annotation(
        reviewer=reviewer,
        document=document,
        start=start,
        end=end,
        reliability=2,
        flags=["unsupported-claim", "misattributed-quote"],
    )
    annotation = update_annotation(
        annotation, by=reviewer, expected_version=1, flags=["misattributed-quote", "anachronism"]
    )
    annotation = update_annotation(annotation, by=reviewer, expected_version=2, note="來源不明")
    withdraw_annotation(annotation, by=reviewer, expected_version=3)
    assert sorted(annotation.flags.values_list("slug", flat=True)) == [
        "anachronism",
        "misattributed-quote",
    ]
    revisions = list(annotation.revisions.order_by("version"))
    assert [(r.action, r.version) for r in revisions] == [
        ("created", 1),
        ("updated", 2),
        ("updated", 3),
        ("withdrawn", 4),
    ]
    assert revisions[0].before is None
    assert revisions[0].after["flags"] == ["misattributed-quote", "unsupported-claim"]
    assert revisions[1].before["flags"] == ["misattributed-quote", "unsupported-claim"]
    assert revisions[1].after["flags"] == ["anachronism", "misattributed-quote"]
    assert revisions[2].before["flags"] == revisions[2].after["flags"]
    assert revisions[2].after["note"] == "來源不明"
    assert revisions[3].before["flags"] == ["anachronism", "misattributed-quote"]
    assert revisions[3].after["flags"] == ["anachronism", "misattributed-quote"]
    assert revisions[3].after["status"] == "withdrawn"
    assert revisions[3].before == {**revisions[2].after}


def test_evidence_takes_dois_and_reports_every_bad_line_from_one(seeded, reviewer):
    document = seeded["000"]
    good = create_annotation(
        reviewer=reviewer,
        document=document,
        start=0,
        end=10,
        reliability=3,
        evidence=["doi:10.1017/S0305741000000000", "", "https://example.org/a", "Pravda, 1958"],
    )
    assert good.evidence == [
        "doi:10.1017/S0305741000000000",
        "https://example.org/a",
        "Pravda, 1958",
    ]
    with pytest.raises(AnnotationInputError) as error:
        create_annotation(
            reviewer=reviewer,
            document=document,
            start=10,
            end=20,
            reliability=3,
            evidence=["https://example.org/ok", "", "javascript:alert(1)", "ftp://x.org/f"],
        )
    problems = error.value.errors["evidence"]
    assert len(problems) == 2
    assert problems[0].startswith("Line 3 (“javascript:alert(1)”)")
    assert problems[1].startswith("Line 4 (“ftp://x.org/f”)")
    assert "DOI" in problems[0]
