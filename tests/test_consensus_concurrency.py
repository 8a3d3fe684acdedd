"""Concurrent writers on one passage: no lost update, no stale consensus, no deadlock."""

import threading

import pytest
from django.db import connection, transaction

from annotator import consensus
from annotator.annotations import create_annotation, update_annotation, withdraw_annotation
from annotator.importing import DocumentRecord, import_record
from annotator.models import Annotation, Claim, Consensus
from tests.factories import make_user

WRITERS = 6
ROUNDS = 4
SPANS = ["好戲開始嘍", "毛主席說", "no source 🎭", "two ** communications"]


def run_in_threads(workers, barrier):
    """Start every worker at once; each uses (and closes) its own database connection."""
    errors = []

    def wrap(work):
        try:
            barrier.wait(timeout=30)
            work()
        except Exception as error:  # reported below, with the thread's failure
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer hung (deadlock?)"
    assert errors == []


@pytest.mark.postgres
def test_concurrent_writes_to_one_passage_never_lose_an_update(transactional_db, migration_data):
    """Threads with their own connections, each committing for real."""
    document = import_record(
        DocumentRecord(
            body="Title\n\n毛主席說:好戲開始嘍 no source 🎭, and two ** communications.",
            origin="race.txt",
        )
    ).document
    claims = [Claim.objects.create(text="claim one"), Claim.objects.create(text="claim two")]
    reviewers = [make_user(f"racer{i}", groups=["Reviewer"]) for i in range(WRITERS)]
    # Writers wait for each other before each round: every round is a burst of contention.
    barrier = threading.Barrier(WRITERS)

    def writer(index, reviewer):
        def work():
            # Each writer touches every span of the passage, in its own order, and both claims,
            # so lock order is exercised as well as lost updates.
            order = SPANS[index % len(SPANS) :] + SPANS[: index % len(SPANS)]
            mine = []
            for text in order:
                start = document.body.index(text)
                mine.append(
                    create_annotation(
                        reviewer=reviewer,
                        document=document,
                        start=start,
                        end=start + len(text),
                        exact=text,
                        reliability=1 + index % 5,
                        flags=["unsupported-claim"] if index % 2 else [],
                        claim=claims[index % 2],
                    )
                )
            for round_ in range(ROUNDS):
                barrier.wait(timeout=60)
                for annotation in mine:
                    annotation = update_annotation(
                        annotation,
                        by=reviewer,
                        expected_version=None,
                        reliability=1 + (index + round_) % 5,
                        claim=claims[(index + round_) % 2],
                    )
            if index == 0:
                withdraw_annotation(mine[0], by=reviewer)

        return work

    run_in_threads([writer(i, reviewer) for i, reviewer in enumerate(reviewers)], barrier)

    stats = consensus.recompute_all(check=True)
    assert stats.differences == {}, "consensus is stale after concurrent writes"
    final = {i: 1 + (i + ROUNDS - 1) % 5 for i in range(WRITERS)}
    for text in SPANS:
        start = document.body.index(text)
        row = consensus.consensus_for_span(document, start, start + len(text))
        expected = sorted(final[i] for i in range(WRITERS) if not (i == 0 and text == SPANS[0]))
        assert row.reviewer_count == len(expected)
        distribution = {str(value): expected.count(value) for value in range(1, 6)}
        assert row.rating_distribution == distribution
    passage_row = Consensus.objects.get(kind="passage", document=document)
    assert passage_row.reviewer_count == WRITERS
    claim_counts = [consensus.consensus_for_claim(claim).reviewer_count for claim in claims]
    assert sum(claim_counts) == WRITERS
    assert Annotation.objects.filter(document=document).count() == WRITERS * len(SPANS)


@pytest.mark.postgres
def test_second_writer_waits_for_the_group_lock_and_counts_the_first(
    transactional_db, migration_data
):
    """A deterministic interleaving: the first writer holds its transaction open."""
    document = import_record(
        DocumentRecord(body="Title\n\n毛主席說:好戲開始嘍 🎭", origin="lock.txt")
    ).document
    early, first_reviewer, second_reviewer = (
        make_user(name, groups=["Reviewer"]) for name in ("early", "first", "second")
    )
    start = document.body.index(MAO := "好戲開始嘍")
    span = {"document": document, "start": start, "end": start + len(MAO), "exact": MAO}
    create_annotation(reviewer=early, reliability=3, **span)  # the group rows exist already
    first_done, release_first = threading.Event(), threading.Event()
    errors = []

    def first():
        try:
            with transaction.atomic():
                create_annotation(reviewer=first_reviewer, reliability=1, **span)
                first_done.set()
                release_first.wait(timeout=30)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            first_done.set()
            connection.close()

    def second():
        try:
            create_annotation(reviewer=second_reviewer, reliability=5, **span)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    first_thread = threading.Thread(target=first)
    first_thread.start()
    assert first_done.wait(timeout=30)
    second_thread = threading.Thread(target=second)
    second_thread.start()
    second_thread.join(timeout=1)
    assert second_thread.is_alive(), "the second writer should wait for the first's group lock"
    release_first.set()
    first_thread.join(timeout=30)
    second_thread.join(timeout=30)
    assert errors == []
    row = consensus.consensus_for_span(document, start, start + len(MAO))
    assert row.reviewer_count == 3
    assert row.rating_distribution == {"1": 1, "2": 0, "3": 1, "4": 0, "5": 1}
    assert consensus.recompute_all(check=True).differences == {}
