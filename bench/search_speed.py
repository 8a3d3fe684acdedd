"""Benchmark: search over 10,000 documents (about 50 M characters, a third of them Chinese).

Target: p95 at most 50 ms for English words, Chinese queries of 2-4 characters and Simplified
queries on Traditional text, timed as ``GET /api/v1/search/?q=…`` through the full Django stack
(documents, passages with snippets, claims and annotations, first page of 20 and their counts,
capped at 1,000), with the CPU time of this process and of its PostgreSQL backend per query.
Also timed: the same matching as a plain ``ILIKE '%…%'`` scan of the documents table (first 20
ids and the exact count) for the first ``--scan-queries`` of each kind, and the ratio. ILIKE
cannot fold scripts, so it finds nothing for the Simplified queries; that ratio is about time.

The corpus is synthetic with realistic frequencies: English from a Zipf-distributed vocabulary
of 20,000 made-up words, Chinese (Traditional) from a Zipf-distributed lexicon of 1-3
character words over 3,000 characters. Queries are taken from random positions in random
documents (so they always match, common words more often, as people search). Runs in a
test database (PostgreSQL when DATABASE_URL is set), thrown away unless ``--keep``.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ann_bench python bench/search_speed.py --keep
"""

import argparse
import hashlib
import itertools
import os
import random
import statistics
import sys
import time
from pathlib import Path

TARGET_MS = 50.0


def zipf_weights(n: int) -> list[float]:
    """Cumulative Zipf weights (computed once: ``random.choices`` would redo it every call)."""
    return list(itertools.accumulate(1.0 / (rank + 1) for rank in range(n)))


def english_vocabulary(rng: random.Random, size: int) -> list[str]:
    consonants, vowels = "bcdfghjklmnprstvwz", "aeiou"
    words = set()
    while len(words) < size:
        syllables = rng.randint(1, 4)
        words.add("".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(syllables)))
    return list(words)


def chinese_lexicon(rng: random.Random, size: int) -> list[str]:
    from annotator.search.folding import _table

    # Traditional characters that fold to a different Simplified one, and common shared ones.
    traditional = [chr(code) for code in _table() if 0x4E00 <= code <= 0x9FFF][:2000]
    shared = [chr(code) for code in range(0x4E00, 0x9FFF) if code not in _table()][:1000]
    pool = traditional + shared
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(pool) for _ in range(rng.choice((1, 2, 2, 2, 3)))))
    return list(words)


def paragraphs(rng, lexicon, weights, chars: int, chinese: bool) -> list[str]:
    out, total = [], 0
    while total < chars:
        count = rng.randint(40, 90) if not chinese else rng.randint(80, 200)
        words = rng.choices(lexicon, cum_weights=weights, k=count)
        text = ("".join(words) + "。") if chinese else (" ".join(words).capitalize() + ".")
        out.append(text)
        total += len(text) + 2
    return out


def build(documents: int, chars: int, seed: int) -> None:
    from django.db import connection

    from annotator.models import Document, Passage, SearchEntry, Source
    from annotator.search.terms import terms_text

    rng = random.Random(seed)
    english = english_vocabulary(rng, 20_000)
    chinese = chinese_lexicon(rng, 20_000)
    en_weights, zh_weights = zipf_weights(len(english)), zipf_weights(len(chinese))
    sources = [Source.objects.create(name=f"Source {n}") for n in range(20)]
    started = time.perf_counter()
    total_chars = 0
    batch = 250
    for offset in range(0, documents, batch):
        docs, texts = [], []
        for number in range(offset, min(documents, offset + batch)):
            is_chinese = number % 3 == 0
            lexicon, weights = (chinese, zh_weights) if is_chinese else (english, en_weights)
            parts = paragraphs(rng, lexicon, weights, chars, is_chinese)
            body = "\n\n".join(parts)
            total_chars += len(body)
            title = parts[0][:60]
            docs.append(
                Document(
                    title=title,
                    body=body,
                    sha256=hashlib.sha256(body.encode()).hexdigest(),
                    language="zh-Hant" if is_chinese else "en",
                    source=sources[number % len(sources)],
                    origin=f"bench:{number}",
                )
            )
            texts.append(parts)
        Document.objects.bulk_create(docs)
        passages, entries = [], []
        for document, parts in zip(docs, texts, strict=True):
            position = 0
            for index, part in enumerate(parts):
                passages.append(
                    Passage(
                        document=document, index=index, start=position, end=position + len(part)
                    )
                )
                position += len(part) + 2
        Passage.objects.bulk_create(passages)
        for passage in passages:
            text = passage.document.body[passage.start : passage.end]
            entries.append(
                SearchEntry(
                    document=passage.document,
                    passage=passage,
                    kind="passage",
                    terms=terms_text(text),
                )
            )
        for document in docs:
            entries.append(
                SearchEntry(document=document, kind="title", terms=terms_text(document.title))
            )
        SearchEntry.objects.bulk_create(entries)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"data: {documents:,} documents, {total_chars / 1e6:.1f} M characters "
        f"({Passage.objects.count():,} passages) on {connection.vendor}, "
        f"built in {time.perf_counter() - started:.0f} s"
    )


def sample_queries(rng: random.Random, count: int) -> dict[str, list[str]]:
    import opencc

    from annotator.models import Document

    to_simplified = opencc.OpenCC("t2s")
    ids = list(Document.objects.values_list("id", "language"))
    english_ids = [i for i, language in ids if language == "en"]
    chinese_ids = [i for i, language in ids if language != "en"]
    queries: dict[str, list[str]] = {"english": [], "chinese": [], "simplified": []}
    while min(len(v) for v in queries.values()) < count:
        body = Document.objects.get(pk=rng.choice(english_ids)).body
        words = body.replace(".", " ").split()
        if len(queries["english"]) < count:
            queries["english"].append(rng.choice(words).lower())
        body = Document.objects.get(pk=rng.choice(chinese_ids)).body
        length = rng.randint(2, 4)
        start = rng.randrange(0, len(body) - length)
        piece = body[start : start + length]
        if any(not ("\u4e00" <= char <= "\u9fff") for char in piece):
            continue
        if len(queries["chinese"]) < count:
            queries["chinese"].append(piece)
        simplified = to_simplified.convert(piece)
        if simplified != piece and len(queries["simplified"]) < count:
            queries["simplified"].append(simplified)
    return queries


def backend_cpu_seconds(pid: int | None) -> float:
    """CPU time (user + system) of the PostgreSQL backend serving this connection, from /proc
    (0 when there is none to read): the database's share, which process_time does not count."""
    if pid is None or not Path(f"/proc/{pid}/stat").exists():
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--chars", type=int, default=5_000, help="characters per document")
    parser.add_argument("--queries", type=int, default=60, help="per kind")
    parser.add_argument(
        "--scan-queries",
        type=int,
        default=10,
        help="per kind, how many of the queries also run as an ILIKE scan (seconds each)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the test database and its corpus for the next run (built once, reused)",
    )
    parser.add_argument("--build-only", action="store_true", help="build (or keep) and stop")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from tests.conftest import make_user

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keep)
    failed = False
    try:
        from annotator.models import Document

        if Document.objects.count() != args.documents:
            Document.objects.all().delete()
            build(args.documents, args.chars, seed=7)
        if args.build_only:
            return 0
        client = Client()
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username="bench").first()
        client.force_login(user or make_user("bench", groups=["Reviewer"]))
        queries = sample_queries(random.Random(11), args.queries)
        client.get("/api/v1/search/", {"q": "warm up"})
        backend = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend = cursor.fetchone()[0]
        ilike = "ILIKE" if connection.vendor == "postgresql" else "LIKE"
        scan = f"FROM annotator_document WHERE is_current AND body {ilike} %s"  # noqa: S608
        first_page_sql = f"SELECT id {scan} ORDER BY id DESC LIMIT 20"  # noqa: S608
        count_sql = f"SELECT count(*) {scan}"  # noqa: S608
        for kind, items in queries.items():
            ours, ours_cpu, scan, matches = [], [], [], []
            database_cpu = 0.0
            for number, query in enumerate(items):
                database_started = backend_cpu_seconds(backend)
                started, cpu = time.perf_counter(), time.process_time()
                response = client.get("/api/v1/search/", {"q": query, "page_size": 20})
                ours.append((time.perf_counter() - started) * 1000)
                ours_cpu.append((time.process_time() - cpu) * 1000)
                database_cpu += backend_cpu_seconds(backend) - database_started
                assert response.status_code == 200, response.content
                passages = response.json()["passages"]
                matches.append(passages["count"] if passages["count_exact"] else 1001)
                if number >= args.scan_queries:
                    continue
                started = time.perf_counter()
                with connection.cursor() as cursor:
                    pattern = f"%{query}%"
                    cursor.execute(first_page_sql, [pattern])
                    cursor.fetchall()
                    cursor.execute(count_sql, [pattern])
                    cursor.fetchone()
                scan.append((time.perf_counter() - started) * 1000)
            p95 = percentile(ours, 0.95)
            failed = failed or p95 > TARGET_MS
            capped = sum(1 for m in matches if m > 1000)
            print(
                f"{kind:10s} n={len(items)}  search: median {statistics.median(ours):6.1f} ms, "
                f"p95 {p95:6.1f} ms (CPU per query: this process median "
                f"{statistics.median(ours_cpu):5.1f} ms, mean {statistics.mean(ours_cpu):5.1f} ms; "
                f"its database backend mean {database_cpu / len(items) * 1000:5.1f} ms) | "
                f"{ilike} scan (n={len(scan)}): median "
                f"{statistics.median(scan):7.1f} ms, p95 {percentile(scan, 0.95):7.1f} ms | ratio "
                f"scan/search (medians) {statistics.median(scan) / statistics.median(ours):5.1f} | "
                f"matching entries: median {statistics.median(matches):.0f}, {capped} queries "
                f"over 1,000 | e.g. {items[:3]}"
            )
        print(f"target: p95 <= {TARGET_MS:.0f} ms for each kind: {'missed' if failed else 'met'}")
        print(f"load average at the end: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
        return 1 if failed else 0
    finally:
        if not args.keep:
            connection.creation.destroy_test_db("unused", verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
