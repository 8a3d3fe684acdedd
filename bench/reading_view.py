"""Benchmark: render the reading view of a 1,000-passage document with 5,000 annotations.

Target: under 300 ms per request on this machine. Runs in a throw-away test database
(``test_<name>`` of DATABASE_URL, PostgreSQL when set, else SQLite in memory) through the full
Django stack (middleware, session, auth) with the test client.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/annot_web python bench/reading_view.py
    python bench/reading_view.py --runs 30 --passages 1000 --annotations 5000
    python bench/reading_view.py --languages en,zh-hant   # the reader's interface language
    python bench/reading_view.py --profile 25   # also the 25 costliest functions of one request

Prints wall time and the process's CPU time per request (the machine may be shared: compare
them, and the load average printed beside them).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

TARGET_MS = 300.0


def client_for(user, language: str):
    from django.test import Client

    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def measure(client, document, runs: int, language: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = f"/documents/{document.pk}/"
    client.get(url)  # warm-up: template loading, connection, catalogue
    timings, cpu = [], []
    size = data_size = 0
    load_before = os.getloadavg()
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            begin, begin_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            timings.append((time.perf_counter() - begin) * 1000)
            cpu.append((time.process_time() - begin_cpu) * 1000)
        assert response.status_code == 200
        assert response.headers.get("Content-Language") == language, response.headers
        size = len(response.content)
        page = response.content.decode()
        data_start = page.find('<script id="annotations-data"')
        data_size = len(page[data_start : page.find("</script>", data_start)].encode())
    load_after = os.getloadavg()
    timings.sort()
    cpu.sort()
    median = statistics.median(timings)
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    cpu_p95 = cpu[min(len(cpu) - 1, round(0.95 * (len(cpu) - 1)))]
    print(f"[{language}]")
    print(
        f"response: {size / 1024:.0f} KiB (annotation data {data_size / 1024:.0f} KiB), "
        f"{len(queries.captured_queries)} SQL queries"
    )
    print(
        f"reading view, {runs} runs: wall median {median:.1f} ms, p95 {p95:.1f} ms; "
        f"CPU median {statistics.median(cpu):.1f} ms, p95 {cpu_p95:.1f} ms"
    )
    print(
        f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after "
        f"({os.cpu_count()} CPUs)"
    )
    print(
        f"ratio to the {TARGET_MS:.0f} ms target: median {median / TARGET_MS:.2f}, "
        f"p95 {p95 / TARGET_MS:.2f} ({'OK' if p95 < TARGET_MS else 'OVER TARGET'})"
    )


def profile_one(client, document, top: int) -> None:
    """Where one request's time goes (cProfile, by cumulative then own time)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(client.get, f"/documents/{document.pk}/")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--passages", type=int, default=1000)
    parser.add_argument("--annotations", type=int, default=5000)
    parser.add_argument(
        "--languages", default="en", help="comma-separated interface languages (en,zh-hant)"
    )
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="print one request's N costliest calls"
    )
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from annotator.web.synthetic import build_big_document
    from tests.conftest import make_user

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        reviewers = [make_user(f"bench{number}") for number in range(5)]
        document = build_big_document(
            reviewers, passages=args.passages, annotations=args.annotations, label="bench"
        )
        print(
            f"data: {args.passages} passages, {args.annotations} annotations "
            f"on {connection.vendor} in {time.perf_counter() - started:.1f} s"
        )
        for language in args.languages.split(","):
            client = client_for(reviewers[0], language)
            measure(client, document, args.runs, language)
            if args.profile:
                profile_one(client, document, args.profile)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
