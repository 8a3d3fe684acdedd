"""Consensus write benchmark: one annotation write, consensus upkeep included, as the corpus grows.

    python bench/consensus_write.py [--sizes 1000,10000,100000] [--writes 200]
                                    [--database annot_consensus_bench]

Builds a synthetic corpus with bulk_create in its own PostgreSQL database (recreated each run,
127.0.0.1:5432 unless DATABASE_URL's host says otherwise): documents of 50 passages, each
passage judged by 5 reviewers on the whole paragraph, every 10 annotations sharing a claim,
some flags. So groups keep the same size while the corpus grows, as in real use. At each size
``recompute_all`` builds the consensus rows from scratch (its time is printed too), then
``--writes`` single ``create_annotation`` calls are timed, each joining an existing passage,
span and claim group. Prints per-write median / mean / p90 and queries per write, and the
ratio largest/smallest of the median. Target: ratio < 1.5 (the cost follows the group, not the
corpus).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._seed import document_with_passages, fresh_database  # noqa: E402

PASSAGES_PER_DOCUMENT = 50
REVIEWERS_PER_PASSAGE = 5
ANNOTATIONS_PER_CLAIM = 10
REVIEWER_POOL = 40
WARMUP = 20
FLAG_SLUGS = ["unsupported-claim", "misattributed-quote", "unsourced-number", "loaded-language"]
PARAGRAPH = (
    "Paragraph {p} of report {d}: officials said the figures were {n} percent higher, "
    "according to a source who asked not to be named; 好戲開始嘍 was quoted without a citation. 🎭"
)


class Corpus:
    """Grows the synthetic corpus in place with bulk_create."""

    def __init__(self) -> None:
        from annotator.models import FlagType, Source, User

        self.rng = random.Random(4)
        self.source = Source.objects.create(name="Synthetic Wire")
        self.reviewers = User.objects.bulk_create(
            User(username=f"bench-reviewer-{i}", password="!") for i in range(REVIEWER_POOL)
        )
        self.flags = list(FlagType.objects.filter(slug__in=FLAG_SLUGS))
        self.documents = 0
        self.annotations = 0

    def grow_to(self, annotations: int) -> None:
        from annotator.models import Annotation, Claim

        while self.annotations < annotations:
            d = self.documents
            paragraphs = [
                PARAGRAPH.format(p=p, d=d, n=self.rng.randint(1, 99))
                for p in range(PASSAGES_PER_DOCUMENT)
            ]
            document, passages = document_with_passages(
                paragraphs,
                title=f"Synthetic report {d}",
                origin=f"synthetic-{d}",
                source=self.source,
            )
            body = document.body
            per_document = PASSAGES_PER_DOCUMENT * REVIEWERS_PER_PASSAGE
            claims = Claim.objects.bulk_create(
                Claim(text=f"Claim {d}.{c}", language="en")
                for c in range(per_document // ANNOTATIONS_PER_CLAIM)
            )
            rows = []
            for passage in passages:
                reviewers = self.rng.sample(self.reviewers, REVIEWERS_PER_PASSAGE)
                base = self.rng.randint(1, 5)
                for reviewer in reviewers:
                    rating = min(5, max(1, base + self.rng.choice([-1, 0, 0, 1])))
                    rows.append(
                        Annotation(
                            document=document,
                            passage=passage,
                            reviewer=reviewer,
                            start=passage.start,
                            end=passage.end,
                            exact=body[passage.start : passage.end],
                            reliability=rating,
                            claim=claims[len(rows) // ANNOTATIONS_PER_CLAIM],
                        )
                    )
            rows = Annotation.objects.bulk_create(rows)
            through = Annotation.flags.through
            through.objects.bulk_create(
                through(annotation_id=row.pk, flagtype_id=self.rng.choice(self.flags).pk)
                for row in rows
                if self.rng.random() < 0.3
            )
            self.documents += 1
            self.annotations += len(rows)


def time_writes(writes: int, size: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from annotator.annotations import create_annotation
    from annotator.models import Claim, Passage, User

    passage_ids = list(Passage.objects.values_list("pk", flat=True))
    total = WARMUP + writes
    chosen = random.Random(size).sample(passage_ids, min(total, len(passage_ids)))
    # A small corpus may have fewer passages than writes: a second writer goes round again.
    writers = [
        User.objects.create_user(username=f"bench-writer-{size}-{n}", password=None)
        for n in range(-(-total // len(chosen)))
    ]
    passages = Passage.objects.select_related("document").in_bulk(chosen)
    claim_of = dict(
        Passage.objects.filter(pk__in=chosen)
        .values_list("pk", "annotations__claim")
        .order_by("pk", "annotations__id")
        .distinct("pk")
    )
    claims = Claim.objects.in_bulk(set(claim_of.values()))
    timings, queries = [], []
    for number in range(total):
        pk = chosen[number % len(chosen)]
        writer = writers[number // len(chosen)]
        passage = passages[pk]
        document = passage.document
        connection.queries_log.clear()  # a bounded deque: a full one would count nothing
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            create_annotation(
                reviewer=writer,
                document=document,
                start=passage.start,
                end=passage.end,
                exact=document.body[passage.start : passage.end],
                reliability=2,
                flags=["unsupported-claim"],
                claim=claims[claim_of[pk]],
            )
        elapsed = time.perf_counter() - started
        if number >= WARMUP:
            timings.append(elapsed * 1000)
            queries.append(len(captured))
    timings.sort()
    return {
        "median": statistics.median(timings),
        "mean": statistics.fmean(timings),
        "p90": timings[int(len(timings) * 0.9) - 1],
        "queries": statistics.median(queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--database", default="annot_consensus_bench")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]

    fresh_database(options.database)
    from django.db import connection

    from annotator.consensus import recompute_all
    from annotator.models import Annotation, Consensus

    corpus = Corpus()
    results = []
    print(f"database {options.database}; {options.writes} timed writes per size after {WARMUP}")
    print(
        f"{'annotations':>12} {'groups':>8} {'build s':>8} {'rebuild s':>9} "
        f"{'median ms':>9} {'mean ms':>8} {'p90 ms':>7} {'queries':>7}"
    )
    for size in sizes:
        started = time.perf_counter()
        corpus.grow_to(size)
        built = time.perf_counter() - started
        started = time.perf_counter()
        recompute_all()
        rebuilt = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        figures = time_writes(options.writes, size)
        results.append(figures)
        print(
            f"{Annotation.objects.count():>12} {Consensus.objects.count():>8} {built:>8.1f} "
            f"{rebuilt:>9.1f} {figures['median']:>9.2f} {figures['mean']:>8.2f} "
            f"{figures['p90']:>7.2f} {figures['queries']:>7.0f}",
            flush=True,
        )
    medians = [figures["median"] for figures in results]
    means = [figures["mean"] for figures in results]
    ratio = medians[-1] / medians[0]
    print(f"ratio largest/smallest corpus, median write: {ratio:.2f} (target < 1.5)")
    print(f"ratio largest/smallest corpus, mean write:   {means[-1] / means[0]:.2f}")
    print("PASS" if ratio < 1.5 else "FAIL")


if __name__ == "__main__":
    main()
