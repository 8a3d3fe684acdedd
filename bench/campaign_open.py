"""Campaign benchmark: opening a big campaign, then a reviewer's queue in it.

    python bench/campaign_open.py [--passages 100000] [--reviewers 50] [--overlap 3]
                                  [--requests 200] [--database annot_campaign_bench]

Builds ``--passages`` passages (documents of 50 passages, bulk_create) in its own PostgreSQL
database (recreated each run), a pool of reviewers and a draft campaign over every document.
Then, in a fresh child process (so that its peak memory is the opening's, not the build's), it
opens the campaign (one INSERT … SELECT on PostgreSQL). Prints the wall time, rows per second,
the CPU time of the child and of its PostgreSQL backend (read from /proc when the server runs
on this machine), the load average before and after, and the child's peak RSS (ru_maxrss,
whole process: Python, Django and all).
Targets: ≤ 10 s and ≤ 200 MB for 100,000 passages, overlap 3, 50 reviewers.

Then times ``GET /next/`` and ``GET /api/v1/assignments/?campaign=ID`` (first page) with
Django's test client for one reviewer holding ~6,000 open assignments (100,000 × 3 / 50):
median and p95 over ``--requests`` requests each, CPU per request, queries per request and the
load average. Target p95 ≤ 30 ms.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._seed import (  # noqa: E402
    database_url,
    document_with_passages,
    fresh_database,
    load_average,
    server_cpu_seconds,
    setup_django,
)

os.environ.setdefault("LOG_LEVEL", "WARNING")
PASSAGES_PER_DOCUMENT = 50
PARAGRAPH = "Paragraph {p} of report {d}: officials said the figures were {n} percent higher."


def build(passages: int, reviewers: int, overlap: int) -> int:
    from django.contrib.auth.models import Group

    from annotator.campaigns.lifecycle import create_campaign
    from annotator.models import Document, User

    group = Group.objects.get(name="Reviewer")
    pool = User.objects.bulk_create(
        User(username=f"bench-{i:03d}", password="!") for i in range(reviewers)
    )
    group.user_set.add(*pool)
    lead = User.objects.create_user("bench-lead", password=None, is_superuser=True)
    documents = -(-passages // PASSAGES_PER_DOCUMENT)
    made = 0
    for d in range(documents):
        count = min(PASSAGES_PER_DOCUMENT, passages - made)
        paragraphs = [PARAGRAPH.format(p=p, d=d, n=p % 97) for p in range(count)]
        document_with_passages(paragraphs, title=f"Report {d}", origin=f"bench-{d}")
        made += count
    campaign = create_campaign(
        by=lead,
        name="Benchmark",
        documents=list(Document.objects.values_list("pk", flat=True)),
        reviewers=[user.username for user in pool],
        overlap=overlap,
        quorum=overlap,
    )
    return campaign.pk


def open_in_this_process(campaign_id: int) -> None:
    from django.db import connection

    from annotator.campaigns.lifecycle import open_campaign
    from annotator.models import Assignment, Campaign, User

    lead = User.objects.get(username="bench-lead")
    campaign = Campaign.objects.get(pk=campaign_id)
    print(f"open: load average before {load_average()}")
    server_before = server_cpu_seconds(connection)
    cpu_before = time.process_time()
    started = time.perf_counter()
    open_campaign(campaign, by=lead)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_before
    server_after = server_cpu_seconds(connection)
    rows = Assignment.objects.filter(campaign=campaign).count()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"open: {rows} assignments in {elapsed:.2f} s = {rows / elapsed:,.0f} rows/s")
    server = "unknown" if server_before is None else f"{server_after - server_before:.2f} s"
    print(f"open: CPU {cpu:.2f} s in Python, {server} in the PostgreSQL backend")
    print(f"open: load average after {load_average()}")
    print(f"open: peak RSS of the opening process {peak_mb:.0f} MB (target ≤ 200 MB)")
    print("open: PASS" if elapsed <= 10 and peak_mb <= 200 else "open: FAIL")


def time_queue(campaign_id: int, requests: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from annotator.models import Assignment, User

    setup_test_environment()  # the test client's host is allowed

    reviewer = User.objects.get(username="bench-000")
    held = Assignment.objects.filter(reviewer=reviewer, campaign_id=campaign_id).count()
    client = Client()
    client.force_login(reviewer)
    print(f"queue: reviewer {reviewer.username} holds {held} open assignments")
    worst = []
    for label, url in (
        ("/next/", "/next/"),
        ("/api/v1/assignments/", f"/api/v1/assignments/?campaign={campaign_id}"),
    ):
        timings, queries = [], []
        cpu_before = time.process_time()
        for number in range(requests + 10):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code in (200, 302), response.status_code
            if number >= 10:
                timings.append(elapsed)
                queries.append(len(captured))
        cpu = (time.process_time() - cpu_before) * 1000 / (requests + 10)
        timings.sort()
        p95 = timings[int(0.95 * len(timings)) - 1]
        worst.append(p95)
        print(
            f"queue: {label:<22} median {statistics.median(timings):6.2f} ms  p95 {p95:6.2f} ms"
            f"  CPU {cpu:5.2f} ms/request  queries {min(queries)}-{max(queries)}"
            f"  (load average {load_average()})"
        )
    print("queue: PASS" if max(worst) <= 30 else "queue: FAIL")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--reviewers", type=int, default=50)
    parser.add_argument("--overlap", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database", default="annot_campaign_bench")
    parser.add_argument("--open-campaign", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    url = database_url(options.database)
    if options.open_campaign:
        setup_django(url)
        open_in_this_process(options.open_campaign)
        return
    fresh_database(options.database)
    from django.db import connection

    started = time.perf_counter()
    campaign_id = build(options.passages, options.reviewers, options.overlap)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"database {options.database}: {options.passages} passages, {options.reviewers} "
        f"reviewers, overlap {options.overlap}; built in {time.perf_counter() - started:.1f} s"
    )
    subprocess.run(
        [
            sys.executable,
            __file__,
            "--database",
            options.database,
            "--open-campaign",
            str(campaign_id),
        ],
        check=True,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    time_queue(campaign_id, options.requests)


if __name__ == "__main__":
    main()
