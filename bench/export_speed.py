"""Export benchmark: every format of both exports over HTTP through gunicorn vs PostgreSQL COPY.

    python bench/export_speed.py [--passages 20000] [--reviewers 5] [--port 8102]
                                 [--formats jsonl,csv,...] [--what annotations,consensus]

Builds a synthetic corpus in its own PostgreSQL database (default `annot_api_bench` on
127.0.0.1:5432, recreated each run): documents of 100 passages, every passage annotated by
each reviewer. After the first reviewer (passages annotations) and after the last
(passages × reviewers) it starts a fresh gunicorn worker (production settings), pulls
/api/v1/exports/annotations as JSON Lines with an export token, and records the time, rows/s,
the worker's peak RSS (VmHWM) and the ratio to `psql \\copy (SELECT ...) TO STDOUT` of the
same rows. Targets: ratio < 3, peak RSS < 150 MB, memory flat from the small to the big size.

Every format of both exports is measured the same way (a fresh worker each, so each peak RSS
is that format's own): annotations as jsonl, json, csv, jsonld, parquet; consensus as jsonl,
json, csv, jsonld, parquet against `\\copy` of the consensus rows (the consensus table is
rebuilt with recompute_all() after the bulk-written annotations). The table prints
size × format × time × ratio × RSS. With the defaults: 20,000 passages × 5 reviewers =
100,000 annotations and 40,000 groups (one passage and one span group per passage).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432/"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")

COPY_SQL = """
SELECT a.id, a.document_id, d.sha256, u.username, a.start, a."end", a.exact, a.prefix,
       a.suffix, a.reliability, a.note, a.evidence, a.claim_id, a.suggestion_id, a.status,
       a.version, a.created_at, a.updated_at,
       (SELECT string_agg(f.slug, ',' ORDER BY f.slug)
          FROM annotator_annotation_flags af JOIN annotator_flagtype f ON f.id = af.flagtype_id
         WHERE af.annotation_id = a.id) AS flags
  FROM annotator_annotation a
  JOIN annotator_document d ON d.id = a.document_id
  JOIN annotator_user u ON u.id = a.reviewer_id
 ORDER BY a.updated_at, a.id
"""


COPY_CONSENSUS_SQL = """
SELECT c.id, c.key, c.kind, c.document_id, c.passage_id, c.claim_id, c.start, c."end",
       c.reviewer_count, c.rating_count, c.median_reliability, c.q1_reliability,
       c.q3_reliability, c.rating_distribution, c.flag_support, c.computed_status, c.status,
       c.adjudicated_reliability, c.adjudicated_flags, c.adjudication_reason, c.adjudicated_at,
       c.adjudication_stale, c.updated_at
  FROM annotator_consensus c
 WHERE c.reviewer_count > 0
 ORDER BY c.updated_at, c.id
"""
FORMATS = {
    "annotations": ("jsonl", "json", "csv", "jsonld", "parquet"),
    "consensus": ("jsonl", "json", "csv", "jsonld", "parquet"),
}


def setup_django(database_url: str):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def recreate_database(name: str):
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)


PARAGRAPH = (
    "Paragraph {p} of report {d}: officials said the figures were {n} percent higher, "
    "according to a source who asked not to be named; 好戲開始嘍 was quoted without a citation."
)


def build_corpus(passages: int):
    from django.core.management import call_command

    from annotator.models import Document, Passage, Source

    call_command("migrate", verbosity=0)
    source = Source.objects.create(name="Synthetic Wire")
    per_doc = 100
    rng = random.Random(7)
    for d in range(passages // per_doc):
        paragraphs = [PARAGRAPH.format(p=p, d=d, n=rng.randint(1, 99)) for p in range(per_doc)]
        body = "\n\n".join(paragraphs)
        import hashlib

        doc = Document.objects.create(
            source=source,
            title=f"Synthetic report {d}",
            language="en",
            body=body,
            sha256=hashlib.sha256(body.encode()).hexdigest(),
            origin=f"synthetic-{d}",
        )
        offset, rows = 0, []
        for index, text in enumerate(paragraphs):
            rows.append(Passage(document=doc, index=index, start=offset, end=offset + len(text)))
            offset += len(text) + 2
        Passage.objects.bulk_create(rows)


def add_reviewer_annotations(number: int):
    """One reviewer annotates every passage (rows written in bulk: this is test data)."""
    from django.utils import timezone

    from annotator.models import Annotation, FlagType, Passage, User
    from annotator.text import QUOTE_CONTEXT

    reviewer = User.objects.create_user(f"reviewer{number}", password="x")
    flags = list(FlagType.objects.filter(slug__in=["unsupported-claim", "unsourced-number"]))
    rng = random.Random(number)
    through = Annotation.flags.through
    batch, now = [], timezone.now()
    passages = Passage.objects.select_related("document").order_by("id").iterator(chunk_size=2000)
    for passage in passages:
        body = passage.document.body
        batch.append(
            Annotation(
                document_id=passage.document_id,
                passage_id=passage.id,
                reviewer=reviewer,
                start=passage.start,
                end=passage.end,
                exact=body[passage.start : passage.end],
                prefix=body[max(0, passage.start - QUOTE_CONTEXT) : passage.start],
                suffix=body[passage.end : passage.end + QUOTE_CONTEXT],
                reliability=rng.randint(1, 5),
                note="Checked against the archive." if rng.random() < 0.3 else "",
                evidence=["https://example.org/archive"] if rng.random() < 0.2 else [],
                updated_at=now,
            )
        )
        if len(batch) == 5000:
            _flush(batch, through, flags, rng)
            batch = []
    if batch:
        _flush(batch, through, flags, rng)


def _flush(batch, through, flags, rng):
    from annotator.models import Annotation

    created = Annotation.objects.bulk_create(batch)
    links = [
        through(annotation_id=a.id, flagtype_id=rng.choice(flags).id)
        for a in created
        if rng.random() < 0.4
    ]
    through.objects.bulk_create(links)


def start_gunicorn(database_url: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "bench-" + "k" * 40,
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "API_THROTTLE_EXPORT": "",
        "API_THROTTLE_TOKEN": "",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DEBUG", None)
    server = subprocess.Popen(
        [GUNICORN, "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1", "--timeout", "300"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open("/tmp/annot_api_bench_gunicorn.log", "a"),  # noqa: SIM115
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
            return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError("gunicorn did not start; see /tmp/annot_api_bench_gunicorn.log")


def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0])


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def http_export(port: int, key: str, what: str, fmt: str) -> tuple[float, int, int]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/exports/{what}?format={fmt}",
        headers={"Authorization": f"Bearer {key}"},
    )
    started = time.perf_counter()
    lines = size = 0
    with urllib.request.urlopen(request, timeout=600) as response:
        while chunk := response.read(1 << 16):
            lines += chunk.count(b"\n")
            size += len(chunk)
    return time.perf_counter() - started, lines, size


def copy_baseline(database: str, what: str) -> tuple[float, int]:
    sql = COPY_SQL if what == "annotations" else COPY_CONSENSUS_SQL
    started = time.perf_counter()
    result = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-c",
         f"\\copy ({' '.join(sql.split())}) to stdout"],
        check=True, capture_output=True,
    )  # fmt: skip
    return time.perf_counter() - started, result.stdout.count(b"\n")


def measure(
    database: str, database_url: str, port: int, key: str, what: str, fmt: str, copy: tuple
) -> dict:
    server = start_gunicorn(database_url, port)
    try:
        pid = worker_pid(server.pid)
        warm = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/me/", headers={"Authorization": f"Bearer {key}"}
        )
        urllib.request.urlopen(warm, timeout=30).read()
        before = peak_rss_mb(pid)
        seconds, rows, size = http_export(port, key, what, fmt)
        peak = peak_rss_mb(pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    copy_seconds, copy_rows = copy
    return {
        "what": what,
        "format": fmt,
        "rows": rows,
        "copy_rows": copy_rows,
        "mb": size / 1e6,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "rss_before": before,
        "rss_peak": peak,
        "copy_seconds": copy_seconds,
        "ratio": seconds / copy_seconds,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=20_000)
    parser.add_argument("--reviewers", type=int, default=5)
    parser.add_argument("--port", type=int, default=8102)
    parser.add_argument("--database", default="annot_api_bench")
    parser.add_argument("--what", default="annotations,consensus")
    parser.add_argument("--formats", default="", help="Only these formats (default: all)")
    args = parser.parse_args()
    chosen = set(filter(None, args.formats.split(",")))

    database_url = PG + args.database
    recreate_database(args.database)
    setup_django(database_url)
    from annotator.consensus import recompute_all
    from annotator.models import Consensus, User
    from annotator.tokens import create_token

    started = time.perf_counter()
    build_corpus(args.passages)
    exporter = User.objects.create_superuser("exporter", password="x")
    _, key = create_token(exporter, "benchmark", "export")
    results = []
    for number in range(1, args.reviewers + 1):
        add_reviewer_annotations(number)
        if number not in (1, args.reviewers):
            continue
        recompute_all()
        groups = Consensus.objects.filter(reviewer_count__gt=0).count()
        print(
            f"corpus ready after {time.perf_counter() - started:.0f}s ({groups} groups)",
            file=sys.stderr,
        )
        for what in args.what.split(","):
            copy = min(copy_baseline(args.database, what) for _ in range(3))
            for fmt in FORMATS[what]:
                if chosen and fmt not in chosen:
                    continue
                result = measure(args.database, database_url, args.port, key, what, fmt, copy)
                result["size"] = number
                results.append(result)
                print(f"  {what} {fmt}: {result['seconds']:.2f}s", file=sys.stderr)

    print("\nExports over HTTP (gunicorn, 1 sync worker, PostgreSQL) vs psql \\copy of the rows")
    header = (
        f"{'export':<12} {'format':<8} {'rows':>8} {'MB':>7} {'HTTP s':>7} {'COPY s':>7} "
        f"{'ratio':>6} {'RSS idle MB':>11} {'RSS peak MB':>11}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r['what']:<12} {r['format']:<8} {r['copy_rows']:>8} {r['mb']:>7.1f} "
            f"{r['seconds']:>7.2f} {r['copy_seconds']:>7.2f} {r['ratio']:>6.2f} "
            f"{r['rss_before']:>11.1f} {r['rss_peak']:>11.1f}"
        )
    print("\nTargets: ratio <= 3, peak RSS <= 150 MB, flat from the small to the big size")
    small = {(r["what"], r["format"]): r for r in results if r["size"] == 1}
    for r in results:
        if r["size"] == 1:
            continue
        first = small.get((r["what"], r["format"]))
        growth = r["rss_peak"] - first["rss_peak"] if first else float("nan")
        verdict = "ok" if r["ratio"] <= 3 and r["rss_peak"] <= 150 else "MISSED"
        print(
            f"{r['what']:<12} {r['format']:<8} ratio {r['ratio']:5.2f}  peak "
            f"{r['rss_peak']:6.1f} MB  growth {growth:+6.1f} MB  {verdict}"
        )


if __name__ == "__main__":
    main()
