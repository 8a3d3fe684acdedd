"""Campaign write benchmark: an annotation write that disputes a passage of an open campaign,
tie-breaker routing included, as the corpus grows.

    python bench/campaign_write.py [--sizes 1000,10000,100000] [--writes 200]
                                   [--database annot_campaign_write_bench]

Mirrors bench/consensus_write.py and reuses its synthetic corpus (documents of 50 passages,
5 reviewers per passage). At each size: the corpus grows, consensus is rebuilt, the previous
campaign closes and a new one opens over every document (overlap 2, campaign quorum 2, a pool
of the 40 corpus reviewers), so assignments grow with the corpus too. One more document holds
the timed passages: each has one rating of 5 by one of its assignees (pending under the quorum
of 2); the timed write is its other assignee's rating of 1, which disputes it, and the write
assigns a tie-breaker in its transaction. Prints per-write median / mean / p90, queries per
write, tie-breakers assigned, CPU per write (this process, and the PostgreSQL backend when the
server runs on this machine), the load average, and the ratio largest/smallest of the median.
Target: ratio ≤ 1.5.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("LOG_LEVEL", "WARNING")

from bench._seed import (  # noqa: E402
    document_with_passages,
    fresh_database,
    load_average,
    server_cpu_seconds,
)
from bench.consensus_write import WARMUP, Corpus  # noqa: E402


def dispute_document(label: str, passages: int):
    paragraphs = [
        f"Disputed paragraph {p} of {label}: a claim without a source." for p in range(passages)
    ]
    document, _ = document_with_passages(
        paragraphs, title=f"Disputes {label}", origin=f"disputes-{label}"
    )
    return document


def write(reviewer, passage, rating):
    from annotator.annotations import create_annotation

    document = passage.document
    return create_annotation(
        reviewer=reviewer,
        document=document,
        start=passage.start,
        end=passage.end,
        exact=document.body[passage.start : passage.end],
        reliability=rating,
    )


def run_size(corpus: Corpus, size: int, writes: int, lead, previous) -> tuple[dict, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from annotator.campaigns.lifecycle import close_campaign, create_campaign, open_campaign
    from annotator.models import Assignment, Document, Passage, User

    if previous is not None:
        close_campaign(previous, by=lead)
    document = dispute_document(str(size), WARMUP + writes)
    campaign = create_campaign(
        by=lead,
        name=f"Bench {size}",
        documents=list(Document.objects.values_list("pk", flat=True)),
        reviewers=[user.username for user in corpus.reviewers],
        overlap=2,
        quorum=2,
    )
    started = time.perf_counter()
    open_campaign(campaign, by=lead)
    opened = time.perf_counter() - started
    passages = list(Passage.objects.filter(document=document).select_related("document"))
    holders = {}
    for passage_id, reviewer_id in Assignment.objects.filter(
        campaign=campaign, document=document
    ).values_list("passage_id", "reviewer_id"):
        holders.setdefault(passage_id, []).append(reviewer_id)
    users = User.objects.in_bulk({pk for pair in holders.values() for pk in pair})
    for passage in passages:
        write(users[holders[passage.pk][0]], passage, 5)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings, queries, cpu, server = [], [], 0.0, 0.0
    for number, passage in enumerate(passages):
        connection.queries_log.clear()
        server_before = server_cpu_seconds(connection) or 0.0
        cpu_before = time.process_time()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            write(users[holders[passage.pk][1]], passage, 1)
        elapsed = time.perf_counter() - started
        if number >= WARMUP:
            timings.append(elapsed * 1000)
            queries.append(len(captured))
            cpu += time.process_time() - cpu_before
            server += (server_cpu_seconds(connection) or 0.0) - server_before
    ties = Assignment.objects.filter(campaign=campaign, kind="tie-breaker").count()
    timings.sort()
    figures = {
        "median": statistics.median(timings),
        "mean": statistics.fmean(timings),
        "p90": timings[int(len(timings) * 0.9) - 1],
        "queries": statistics.median(queries),
        "ties": ties,
        "assignments": Assignment.objects.filter(campaign=campaign).count(),
        "open": opened,
        "cpu": cpu * 1000 / len(timings),
        "server": server * 1000 / len(timings),
        "load": load_average().split()[0],
    }
    return figures, campaign


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--database", default="annot_campaign_write_bench")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    fresh_database(options.database)
    from django.contrib.auth.models import Group

    from annotator.consensus import recompute_all
    from annotator.models import Annotation, User

    corpus = Corpus()
    Group.objects.get(name="Reviewer").user_set.add(*corpus.reviewers)
    lead = User.objects.create_user("bench-lead", password=None, is_superuser=True)
    print(f"database {options.database}; {options.writes} timed writes per size after {WARMUP}")
    print(
        f"{'annotations':>12} {'assignments':>11} {'open s':>7} {'median ms':>9} {'mean ms':>8}"
        f" {'p90 ms':>7} {'queries':>7} {'tie-breakers':>12} {'CPU ms':>6} {'server ms':>9}"
        f" {'load':>5}"
    )
    results, campaign = [], None
    for size in sizes:
        corpus.grow_to(size)
        recompute_all()
        figures, campaign = run_size(corpus, size, options.writes, lead, campaign)
        results.append(figures)
        print(
            f"{Annotation.objects.count():>12} {figures['assignments']:>11} {figures['open']:>7.1f}"
            f" {figures['median']:>9.2f} {figures['mean']:>8.2f} {figures['p90']:>7.2f}"
            f" {figures['queries']:>7.0f} {figures['ties']:>12} {figures['cpu']:>6.2f}"
            f" {figures['server']:>9.2f} {figures['load']:>5}",
            flush=True,
        )
    ratio = results[-1]["median"] / results[0]["median"]
    print(f"ratio largest/smallest corpus, median write: {ratio:.2f} (target ≤ 1.5)")
    mean_ratio = results[-1]["mean"] / results[0]["mean"]
    print(f"ratio largest/smallest corpus, mean write:   {mean_ratio:.2f}")
    every = all(f["ties"] == WARMUP + options.writes for f in results)
    print("every timed write assigned a tie-breaker" if every else "MISSING tie-breakers")
    print("PASS" if ratio <= 1.5 and every else "FAIL")


if __name__ == "__main__":
    main()
