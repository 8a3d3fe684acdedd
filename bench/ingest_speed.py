"""Benchmark: take in 1,000 HTML pages of about 30 KB through the API's code path.

Target: all of them in at most 60 s on this 2-core machine, with memory flat. Each page goes
through ``ingest.service.prepare`` (trafilatura extraction) and ``service.save`` (normalise,
dedupe, passages, machine suggestions, snapshot through the storage API, search entries) — what
``POST /api/v1/documents/`` does after parsing. With the test settings, as the suite runs:
sentence embeddings for claim matching (``ANNOTATOR_CLAIM_EMBED_ON_IMPORT``) are off. Pages are
synthetic news articles wrapped in navigation, a cookie banner, related links and a footer, all
different. Runs in a throw-away test database (PostgreSQL when DATABASE_URL is set) and a
temporary MEDIA_ROOT.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ann_bench python bench/ingest_speed.py
    ... python bench/ingest_speed.py --embed   # with the production default: embeddings on
"""

import argparse
import os
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path

TARGET_SECONDS = 60.0

WORDS = (  # noqa: SIM905 (easier to read as words)
    "council bridge river budget report minister election harbour school hospital police "
    "court weather market farmers railway station museum festival library council members "
    "voted approved delayed announced according officials residents spokesman statement "
    "said told reporters during meeting after before because however although despite "
    "million thousand percent year month week Tuesday Friday morning evening city town "
    "village province government opposition party leader agreement plan project cost"
).split()


def page(number: int, rng: random.Random, size: int) -> bytes:
    paragraphs = []
    length = 0
    while length < size * 0.83:
        sentence_count = rng.randint(3, 6)
        sentences = []
        for _ in range(sentence_count):
            words = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
            sentences.append(" ".join(words).capitalize() + ".")
        paragraph = f"Item {number}-{len(paragraphs)}: " + " ".join(sentences)
        paragraphs.append(f"<p>{paragraph}</p>")
        length += len(paragraph)
    nav = "".join(f'<li><a href="/section/{n}">Section {n}</a></li>' for n in range(30))
    related = "".join(
        f'<li><a href="/story/{number}/{n}">Related story {n} about {rng.choice(WORDS)}</a></li>'
        for n in range(25)
    )
    html = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Report {number} | Bench Gazette</title>"
        f'<meta name="author" content="Reporter {number % 17}">'
        f'<meta property="og:site_name" content="Bench Gazette"></head><body>'
        f"<header><nav><ul>{nav}</ul></nav></header>"
        f'<div class="cookie-banner">We use cookies. <button>Accept</button></div>'
        f"<main><article><h1>Report number {number}</h1>{''.join(paragraphs)}</article>"
        f'<aside class="related"><ul>{related}</ul></aside></main>'
        f"<footer><p>Copyright Bench Gazette.</p></footer></body></html>"
    )
    return html.encode()


def rss_mb() -> float:
    """Resident memory now (Linux /proc), not the peak: flat memory shows as a flat series."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def backend_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of the PostgreSQL backend serving this connection, from /proc:
    the database's share of the work, which this process's CPU time does not include."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ingest_share(pages: list[bytes], offset: int, out: Path) -> None:
    """In a forked worker: ingest ``pages`` through the same path, on its own connection, and
    write this process's and its database backend's CPU seconds to ``out``."""
    from django.db import connection

    from annotator.ingest import service
    from annotator.ingest.extract import HTML

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_backend_pid()" if connection.vendor == "postgresql" else "SELECT 0"
        )
        backend = cursor.fetchone()[0] or None
    backend_started = backend_cpu_seconds(backend) if backend else 0.0
    cpu_started = time.process_time()
    for number, data in enumerate(pages, start=offset):
        draft = service.prepare(
            data=data, media_type=HTML, values={}, filename=f"{number}.html", warnings=False
        )
        assert service.save(draft).result == "created"
    database = backend_cpu_seconds(backend) - backend_started if backend else 0.0
    out.write_text(f"{time.process_time() - cpu_started} {database}")
    connection.close()


def run_parallel(args, rng) -> int:
    """``--workers N``: the pages split over N forked processes, as N server workers would."""
    from django.db import connections

    pages = [page(number, rng, args.size) for number in range(args.pages)]
    connections.close_all()  # each worker opens its own connection
    folder = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    started = time.perf_counter()
    children = []
    for worker in range(args.workers):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                ingest_share(pages[worker :: args.workers], worker, folder / f"{worker}")
                code = 0
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(code)
        children.append(pid)
    failed = any(os.waitpid(pid, 0)[1] != 0 for pid in children)
    elapsed = time.perf_counter() - started
    figures = [
        tuple(map(float, (folder / f"{w}").read_text().split())) for w in range(args.workers)
    ]
    cpu, database = sum(f[0] for f in figures), sum(f[1] for f in figures)
    print(
        f"ingest: {args.pages} HTML pages in {args.workers} worker processes: {elapsed:.1f} s "
        f"wall ({args.pages / elapsed:.1f} pages/s); CPU of the workers {cpu:.1f} s, of their "
        f"PostgreSQL backends {database:.1f} s ({(cpu + database) / args.pages * 1000:.0f} ms "
        f"per page together); load average at the end {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores"
    )
    print(f"ratio to the {TARGET_SECONDS:.0f} s target: {elapsed / TARGET_SECONDS:.2f}")
    return 1 if failed or elapsed > TARGET_SECONDS else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--size", type=int, default=30_000, help="bytes of HTML per page")
    parser.add_argument(
        "--workers", type=int, default=1, help="split the pages over this many processes"
    )
    parser.add_argument(
        "--embed",
        action="store_true",
        help="embed each document's sentences on import, as production does by default",
    )
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="bench-media-")
    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.test.utils import setup_test_environment

    from annotator.ingest import service
    from annotator.ingest.extract import HTML
    from annotator.models import Document, SearchEntry, Snapshot

    setup_test_environment()
    if args.embed:
        from django.conf import settings

        settings.ANNOTATOR = {**settings.ANNOTATOR, "CLAIM_EMBED_ON_IMPORT": True}
    print(f"claim-matching embeddings on import: {'on' if args.embed else 'off'}")
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        rng = random.Random(13)
        sizes = []
        # Warm-up outside the timing: imports, trafilatura's and OpenCC's tables.
        service.save(service.prepare(data=page(-1, rng, args.size), media_type=HTML, values={}))
        if args.workers > 1:
            return run_parallel(args, rng)
        memory = [rss_mb()]
        backend = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend = cursor.fetchone()[0]
            if not Path(f"/proc/{backend}").exists():  # a server on another machine
                backend = None
        backend_started = backend_cpu_seconds(backend) if backend else 0.0
        started = time.perf_counter()
        cpu_started = time.process_time()
        for number in range(args.pages):
            data = page(number, rng, args.size)
            sizes.append(len(data))
            draft = service.prepare(
                data=data, media_type=HTML, values={}, filename=f"{number}.html", warnings=False
            )
            outcome = service.save(draft)
            assert outcome.result == "created", outcome
            reset_queries()
            if (number + 1) % 100 == 0:
                memory.append(rss_mb())
                print(
                    f"  {number + 1:5d} pages  {time.perf_counter() - started:6.1f} s  "
                    f"CPU {time.process_time() - cpu_started:6.1f} s  RSS {memory[-1]:6.1f} MB",
                    flush=True,
                )
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        database_cpu = backend_cpu_seconds(backend) - backend_started if backend else None
        load = os.getloadavg()[0]
        documents = Document.objects.count() - 1
        print(
            f"ingest: {args.pages} HTML pages, mean {sum(sizes) / len(sizes) / 1000:.1f} KB, on "
            f"{connection.vendor}: {elapsed:.1f} s ({args.pages / elapsed:.1f} pages/s); "
            f"{documents} documents, {Snapshot.objects.count() - 1} snapshots, "
            f"{SearchEntry.objects.count()} search entries"
        )
        print(
            f"CPU of this process: {cpu:.1f} s ({cpu / args.pages * 1000:.0f} ms per page); load "
            f"average at the end {load:.1f} on {os.cpu_count()} cores"
        )
        if database_cpu is not None:
            total = cpu + database_cpu
            print(
                f"CPU of its PostgreSQL backend: {database_cpu:.1f} s "
                f"({database_cpu / args.pages * 1000:.0f} ms per page); both together "
                f"{total:.1f} s ({total / args.pages * 1000:.0f} ms per page): the time one "
                "process would take on an idle machine, less waiting for the disk"
            )
        growth = memory[-1] - memory[1] if len(memory) > 2 else 0.0
        print(
            f"memory: RSS {memory[0]:.1f} MB after warm-up, {memory[1]:.1f} MB after 100 pages, "
            f"{memory[-1]:.1f} MB at the end (growth after the first 100: {growth:+.1f} MB)"
        )
        print(f"ratio to the {TARGET_SECONDS:.0f} s target: {elapsed / TARGET_SECONDS:.2f}")
        return 0 if elapsed <= TARGET_SECONDS else 1
    finally:
        connection.creation.destroy_test_db("unused", verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
