"""Export benchmark: every format of both exports over HTTP through gunicorn vs psql \\copy.

    python bench/export_speed.py [--passages 20000] [--reviewers 5] [--port 8102]
                                 [--formats jsonl,csv,...] [--what annotations,consensus]
                                 [--sizes first,last]

Builds a synthetic corpus in its own PostgreSQL database (default `annot_api_bench` on
127.0.0.1:5432, recreated each run): documents of 100 passages (16 KB, with CJK text), every
passage annotated by each reviewer; the annotations are written with COPY (a third with a
note, a fifth with evidence, ~40% with a flag) and the consensus is rebuilt from empty with
recompute_all(). After the first reviewer (20k annotations) and after the last (100k), for
each export and format, it starts a fresh gunicorn worker (production settings, so each peak
RSS is that format's own), measures `psql \\copy (SELECT ...) TO STDOUT` of the same rows
(min of 3, right before the export, so both sides of a ratio run under the same load), pulls
/api/v1/exports/<what>?format=<fmt> three times with an export token, and records the best
wall time (and that pull's CPU time of the worker, /proc/<pid>/stat), idle and peak RSS
(VmHWM, the highest of the three pulls) and the load average.
Targets: ratio ≤ 3, peak RSS ≤ 150 MB, flat from the small to the big size. With the
defaults: 20,000 passages × 5 reviewers = 100,000 annotations and 40,000 groups (one passage
and one span group per passage).
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
sys.path.insert(0, str(ROOT))

from bench._seed import fresh_database  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")

COPY_SQL = """
SELECT a.id, a.document_id, d.sha256, u.username, a.start, a."end", a.exact, a.prefix,
       a.suffix, a.reliability, a.note, a.evidence, a.claim_id, c.text, c.language,
       a.suggestion_id, a.status, a.version, a.created_at, a.updated_at,
       (SELECT string_agg(f.slug, ',' ORDER BY f.slug)
          FROM annotator_annotation_flags af JOIN annotator_flagtype f ON f.id = af.flagtype_id
         WHERE af.annotation_id = a.id) AS flags
  FROM annotator_annotation a
  JOIN annotator_document d ON d.id = a.document_id
  JOIN annotator_user u ON u.id = a.reviewer_id
  LEFT JOIN annotator_claim c ON c.id = a.claim_id
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


PARAGRAPH = (
    "Paragraph {p} of report {d}: officials said the figures were {n} percent higher, "
    "according to a source who asked not to be named; 好戲開始嘍 was quoted without a citation."
)


def build_corpus(passages: int):
    from annotator.models import Document, Passage, Source

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


def passage_quotes() -> list[tuple]:
    """(document, passage, start, end, exact, prefix, suffix) of every passage, cut once."""
    from annotator.models import Document, Passage
    from annotator.text import quote_selector

    bodies = dict(Document.objects.values_list("id", "body"))
    rows = []
    for passage in Passage.objects.order_by("id").values("id", "document_id", "start", "end"):
        quote = quote_selector(bodies[passage["document_id"]], passage["start"], passage["end"])
        rows.append(
            (passage["document_id"], passage["id"], passage["start"], passage["end"],
             quote.exact, quote.prefix, quote.suffix)
        )  # fmt: skip
    return rows


def add_reviewer_annotations(number: int, passages: list[tuple]):
    """One reviewer annotates every passage: rows written with COPY (this is test data)."""
    import json

    from django.db import connection
    from django.utils import timezone

    from annotator.models import FlagType, User

    reviewer = User.objects.create_user(f"reviewer{number}", password="x")
    rng = random.Random(number)
    now = timezone.now()
    columns = (
        'document_id, passage_id, start, "end", exact, prefix, suffix, reliability, note, '
        "evidence, status, version, created_at, updated_at, reviewer_id"
    )
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY annotator_annotation ({columns}) FROM STDIN") as copy:
            for document, passage, start, end, exact, prefix, suffix in passages:
                note = "Checked against the archive." if rng.random() < 0.3 else ""
                evidence = ["https://example.org/archive"] if rng.random() < 0.2 else []
                copy.write_row(
                    (document, passage, start, end, exact, prefix, suffix, rng.randint(1, 5),
                     note, json.dumps(evidence), "active", 1, now, now, reviewer.pk)
                )  # fmt: skip
        flags = list(
            FlagType.objects.filter(slug__in=["unsupported-claim", "unsourced-number"])
            .order_by("slug")
            .values_list("id", flat=True)
        )
        cursor.execute("SELECT setseed(%s)", [number / 100])
        cursor.execute(
            "INSERT INTO annotator_annotation_flags (annotation_id, flagtype_id) "
            "SELECT id, (%s::bigint[])[1 + id %% 2] FROM annotator_annotation "
            "WHERE reviewer_id = %s AND random() < 0.4",
            [flags, reviewer.pk],
        )
        cursor.execute("ANALYZE")


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


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (from /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def http_export(port: int, key: str, what: str, fmt: str) -> tuple[float, int]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/exports/{what}?format={fmt}",
        headers={"Authorization": f"Bearer {key}"},
    )
    started = time.perf_counter()
    size = 0
    with urllib.request.urlopen(request, timeout=900) as response:
        # Large reads keep this client's CPU low: it shares the two cores with the worker
        # and PostgreSQL (psql, the baseline, reads its rows in C).
        while chunk := response.read(1 << 20):
            size += len(chunk)
    return time.perf_counter() - started, size


def copy_baseline(database: str, what: str) -> tuple[float, float, int]:
    """(wall seconds, psql's CPU seconds, rows) of ``psql \\copy (SELECT ...) TO`` a file."""
    sql = COPY_SQL if what == "annotations" else COPY_CONSENSUS_SQL
    before = os.times()
    started = time.perf_counter()
    result = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-c",
         f"\\copy ({' '.join(sql.split())}) to stdout"],
        check=True, capture_output=True,
    )  # fmt: skip
    wall = time.perf_counter() - started
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return wall, cpu, result.stdout.count(b"\n")


def measure(database_url: str, port: int, key: str, what: str, fmt: str, copy: tuple) -> dict:
    """One export in a fresh gunicorn worker: its own peak RSS, wall and CPU time."""
    server = start_gunicorn(database_url, port)
    try:
        pid = worker_pid(server.pid)
        warm = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/me/", headers={"Authorization": f"Bearer {key}"}
        )
        urllib.request.urlopen(warm, timeout=30).read()
        before, load_before = peak_rss_mb(pid), load_average()
        runs = []  # (wall, CPU, size): the best of three, as for the \copy baseline
        for _ in range(3):
            cpu_before = cpu_seconds(pid)
            seconds, size = http_export(port, key, what, fmt)
            runs.append((seconds, cpu_seconds(pid) - cpu_before, size))
        seconds, cpu, size = min(runs)
        peak = peak_rss_mb(pid)  # the highest of the three
        load = (load_before + load_average()) / 2
    finally:
        server.terminate()
        server.wait(timeout=30)
    copy_seconds, copy_cpu, copy_rows = copy
    return {
        "what": what,
        "format": fmt,
        "copy_rows": copy_rows,
        "mb": size / 1e6,
        "seconds": seconds,
        "cpu": cpu,
        "load": load,
        "rss_before": before,
        "rss_peak": peak,
        "copy_seconds": copy_seconds,
        "copy_cpu": copy_cpu,
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
    parser.add_argument("--sizes", default="first,last", help="Measure after these reviewers")
    args = parser.parse_args()
    chosen = set(filter(None, args.formats.split(",")))
    measured_after = {1 if s == "first" else args.reviewers if s == "last" else int(s)
                      for s in args.sizes.split(",")}  # fmt: skip

    database_url = fresh_database(args.database)
    from annotator.consensus import recompute_all
    from annotator.models import Annotation, Consensus, User
    from annotator.tokens import create_token

    started = time.perf_counter()
    build_corpus(args.passages)
    passages = passage_quotes()
    exporter = User.objects.create_superuser("exporter", password="x")
    _, key = create_token(exporter, "benchmark", "export")
    results = []
    for number in range(1, args.reviewers + 1):
        add_reviewer_annotations(number, passages)
        if number not in measured_after:
            continue
        # Rebuilt from empty: recompute_all() updating 40k existing rows takes minutes here.
        Consensus.objects.all().delete()
        recompute_all()
        annotations = Annotation.objects.count()
        groups = Consensus.objects.filter(reviewer_count__gt=0).count()
        print(
            f"corpus ready after {time.perf_counter() - started:.0f}s "
            f"({annotations} annotations, {groups} groups)",
            file=sys.stderr,
        )
        for what in filter(None, args.what.split(",")):
            for fmt in FORMATS[what]:
                if chosen and fmt not in chosen:
                    continue
                # The baseline right before each export: the machine's load changes by the
                # minute, and a ratio should compare two runs made under the same load.
                copy = min(copy_baseline(args.database, what) for _ in range(3))
                result = measure(database_url, args.port, key, what, fmt, copy)
                result["annotations"] = annotations
                results.append(result)
                print(f"  {what} {fmt}: {result['seconds']:.2f}s", file=sys.stderr)

    print(
        "\nExports over HTTP (gunicorn, 1 sync worker, PostgreSQL) vs psql \\copy of the rows; "
        f"{os.cpu_count()} CPUs"
    )
    header = (
        f"{'annotations':>11} {'export':<12} {'format':<8} {'rows':>7} {'MB':>6} {'wall s':>7} "
        f"{'CPU s':>6} {'COPY s':>7} {'ratio':>6} {'RSS idle':>8} {'RSS peak':>8} {'load':>5}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r['annotations']:>11} {r['what']:<12} {r['format']:<8} {r['copy_rows']:>7} "
            f"{r['mb']:>6.1f} {r['seconds']:>7.2f} {r['cpu']:>6.2f} {r['copy_seconds']:>7.2f} "
            f"{r['ratio']:>6.2f} {r['rss_before']:>8.1f} {r['rss_peak']:>8.1f} {r['load']:>5.1f}"
        )
    print("\nTargets: ratio <= 3, peak RSS <= 150 MB, flat from the small to the big size")
    if not results:
        return
    smallest = min(r["annotations"] for r in results)
    small = {(r["what"], r["format"]): r for r in results if r["annotations"] == smallest}
    for r in results:
        if r["annotations"] == smallest and len(small) != len(results):
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
