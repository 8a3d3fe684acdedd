"""Krippendorff's alpha against published examples, reviewer calibration, source summaries."""

import math

import pytest

from annotator import consensus, moderation
from annotator.agreement import (
    corpus_agreement,
    document_agreement,
    krippendorff_alpha,
    reviewer_calibration,
    source_agreement,
)
from annotator.annotations import AnnotationRevision, change_status, create_annotation
from annotator.importing import DocumentRecord, import_record
from annotator.models import AnnotationStatus, Passage, Source
from annotator.source_reliability import source_summary
from tests.factories import make_user

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four observers,
# twelve units, missing data. Published: nominal .743, ordinal .815, interval .849, ratio .797.
_ = None
RELIABILITY_DATA = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    "C": [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
}
# Same paper, section A: two observers, ten units, binary data. Published nominal alpha .095.
BINARY_DATA = {
    "A": [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    "B": [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
}


def as_units(data):
    units = {}
    for coder, values in data.items():
        for unit, value in enumerate(values):
            if value is not None:
                units.setdefault(unit, {})[coder] = value
    return units


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_published_example_with_missing_data(level, published):
    result = krippendorff_alpha(as_units(RELIABILITY_DATA), level=level)
    assert round(result["alpha"], 3) == published
    # Unit 12 has a single value: it cannot be paired and is left out.
    assert result["units"] == 11 and result["pairable_values"] == 40 and result["coders"] == 4


def test_krippendorff_published_binary_example():
    result = krippendorff_alpha(as_units(BINARY_DATA), level="nominal")
    assert round(result["alpha"], 3) == 0.095
    assert (result["units"], result["pairable_values"]) == (10, 20)


def test_alpha_is_undefined_without_pairs_or_variation():
    lonely = krippendorff_alpha({1: {"a": 3}, 2: {"b": 4}})
    assert lonely["alpha"] is None and "two or more" in lonely["reason"]
    uniform = krippendorff_alpha({1: {"a": 3, "b": 3}, 2: {"a": 3, "c": 3}})
    assert uniform["alpha"] is None and "identical" in uniform["reason"]
    assert uniform["units"] == 2


@pytest.fixture
def twelve_passages(db):
    body = "\n\n".join(f"Passage {n}: 第{n}段 text 😀." for n in range(1, 13))
    record = DocumentRecord(body=body, origin="kripp.txt", source="Example Press", language="en")
    return import_record(record).document


def rate_passage(reviewer, passage, reliability=None, flags=()):
    document = passage.document
    return create_annotation(
        reviewer=reviewer,
        document=document,
        start=passage.start,
        end=passage.end,
        exact=document.body[passage.start : passage.end],
        reliability=reliability,
        flags=list(flags),
    )


def test_document_agreement_reproduces_the_published_example(twelve_passages):
    """The reliability data entered as annotations gives the published ordinal alpha."""
    passages = list(Passage.objects.filter(document=twelve_passages).order_by("index"))
    assert len(passages) == 12
    reviewers = {name: make_user(f"kripp-{name}", groups=["Reviewer"]) for name in RELIABILITY_DATA}
    for name, values in RELIABILITY_DATA.items():
        for passage, value in zip(passages, values, strict=True):
            if value is not None:
                rate_passage(reviewers[name], passage, value)
    result = document_agreement(twelve_passages)
    assert round(result["alpha"], 3) == 0.815
    assert result["level"] == "ordinal" and result["unit"] == "passage"
    assert (result["units"], result["pairable_values"], result["reviewers"]) == (11, 40, 4)
    assert result["annotations"] == 41 and result["flags"] == {}
    # Same units on exact spans, and the source and corpus views over the same data.
    assert round(document_agreement(twelve_passages, unit="span")["alpha"], 3) == 0.815
    assert round(source_agreement(twelve_passages.source)["alpha"], 3) == 0.815
    assert round(corpus_agreement()["alpha"], 3) == 0.815


def test_per_flag_nominal_alpha_reproduces_the_binary_example(twelve_passages):
    passages = list(Passage.objects.filter(document=twelve_passages).order_by("index"))[:10]
    reviewers = {name: make_user(f"bin-{name}", groups=["Reviewer"]) for name in BINARY_DATA}
    for name, values in BINARY_DATA.items():
        for passage, raised in zip(passages, values, strict=True):
            flags = ["unsupported-claim"] if raised else []
            rate_passage(reviewers[name], passage, reliability=3, flags=flags)
    result = document_agreement(twelve_passages)
    assert result["alpha"] is None  # every rating is 3: no variation, alpha undefined
    flag = result["flags"]["unsupported-claim"]
    assert round(flag["alpha"], 3) == 0.095 and flag["pairable_values"] == 20


def test_hidden_withdrawn_and_suspended_are_left_out_of_agreement(twelve_passages, moderator):
    passages = list(Passage.objects.filter(document=twelve_passages).order_by("index"))
    a, b, c = (make_user(name, groups=["Reviewer"]) for name in ("ann", "ben", "cat"))
    for passage, (x, y) in zip(passages[:4], [(1, 1), (2, 2), (4, 4), (5, 5)], strict=True):
        rate_passage(a, passage, x)
        rate_passage(b, passage, y)
    assert document_agreement(twelve_passages)["alpha"] == 1.0
    noisy = [rate_passage(c, passage, 6 - index) for index, passage in enumerate(passages[:4], 1)]
    assert document_agreement(twelve_passages)["alpha"] < 0.5
    for annotation in noisy[:2]:
        change_status(
            annotation,
            status=AnnotationStatus.HIDDEN,
            by=moderator,
            action=AnnotationRevision.Action.HIDDEN,
        )
    c.is_active = False
    c.save()
    result = document_agreement(twelve_passages)
    assert result["alpha"] == 1.0 and result["reviewers"] == 2


def test_reviewer_calibration_leave_one_out(twelve_passages):
    passages = list(Passage.objects.filter(document=twelve_passages).order_by("index"))
    steady = [make_user(f"steady{i}", groups=["Reviewer"]) for i in range(3)]
    contrarian = make_user("contrarian", groups=["Reviewer"])
    suspended = make_user("suspended", groups=["Reviewer"])
    for passage, rating in zip(passages[:6], [1, 2, 3, 4, 5, 4], strict=True):
        for reviewer in steady:
            rate_passage(reviewer, passage, rating, flags=["factual-error"] if rating < 3 else [])
        rate_passage(contrarian, passage, 6 - rating, flags=["factual-error"])
        rate_passage(suspended, passage, 1)
    suspended.is_active = False
    suspended.save()
    rows = {row["username"]: row for row in reviewer_calibration()}
    assert "suspended" not in rows
    bad = rows["contrarian"]
    assert bad["units"] == 6
    # |(6-r) - r| for r in 1,2,3,4,5,4 = 4,2,0,2,4,2
    assert bad["mean_absolute_difference"] == pytest.approx(14 / 6, abs=1e-4)
    assert bad["exact_agreement"] == pytest.approx(1 / 6, abs=1e-4)
    assert bad["within_one_step"] == pytest.approx(1 / 6, abs=1e-4)
    assert bad["flag_decisions"] == 6 and bad["flag_agreement"] == pytest.approx(2 / 6, abs=1e-4)
    good = rows["steady0"]
    assert good["units"] == 6 and good["mean_absolute_difference"] == 0.0
    assert good["bias"] == 0.0 and good["flag_agreement"] == 1.0
    assert good["agreement"] == 1.0 and bad["agreement"] < 0.3
    assert bad["comparisons"] == 12


def test_source_summary_with_counts(twelve_passages, moderator):
    passages = list(Passage.objects.filter(document=twelve_passages).order_by("index"))
    reviewers = [make_user(f"s{i}", groups=["Reviewer"]) for i in range(4)]
    for reviewer in reviewers[:3]:
        rate_passage(reviewer, passages[0], 2, flags=["unsupported-claim"])  # agreed, flagged
        rate_passage(reviewer, passages[1], 4)  # agreed
    for reviewer, rating in zip(reviewers, [1, 1, 5, 5], strict=True):
        rate_passage(reviewer, passages[2], rating)  # disputed, median 3
    rate_passage(reviewers[0], passages[3], 5, flags=["loaded-language"])  # pending
    row = consensus.consensus_for_passage(passages[1])
    moderation.adjudicate(row, moderator=moderator, reliability=5, flags=[], reason="Checked.")
    summary = source_summary(twelve_passages.source)
    assert summary["name"] == "Example Press" and summary["documents"] == 1
    assert (summary["passages"], summary["passages_judged"], summary["decided_passages"]) == (
        12,
        4,
        3,
    )
    assert (summary["annotations"], summary["reviewers"]) == (11, 4)
    assert summary["status_counts"] == {"pending": 1, "agreed": 1, "disputed": 1, "adjudicated": 1}
    assert summary["median_distribution"]["2"] == 1
    assert summary["median_distribution"]["3"] == 1 and summary["median_distribution"]["5"] == 1
    assert sum(summary["median_distribution"].values()) == 3
    assert summary["median_of_passage_medians"] == 3.0
    assert summary["passages_with_any_flag"] == 2 and summary["passages_with_agreed_flag"] == 1
    assert summary["flag_passages"] == {"unsupported-claim": 1}
    assert summary["share_with_agreed_flag"] == pytest.approx(1 / 3, abs=1e-4)
    assert not math.isnan(summary["agreement"]["alpha"])
    assert source_summary(Source.objects.get(name="Example Press"))["passages"] == 12
