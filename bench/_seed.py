"""What the benchmarks share: their own PostgreSQL database, Django set up on it, and
synthetic documents whose passages are bulk-created (no import pipeline: the benchmarks time
other things, and a corpus of 100,000 passages builds in seconds)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def database_url(name: str) -> str:
    """The benchmark's own database on DATABASE_URL's server (127.0.0.1:5432 by default)."""
    base = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/x"))
    return f"{base.scheme}://{base.netloc}/{name}"


def recreate_database(url: str) -> None:
    parts = urlsplit(url)
    args = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    args += ["-U", parts.username or "postgres"]
    name = parts.path.lstrip("/")
    subprocess.run(["dropdb", *args, "--if-exists", name], check=True)
    subprocess.run(["createdb", *args, name], check=True)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def fresh_database(name: str) -> str:
    """A new, migrated database ``name`` on DATABASE_URL's server, with Django set up on it;
    its URL (for processes the benchmark starts)."""
    url = database_url(name)
    recreate_database(url)
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def document_with_passages(paragraphs: list[str], *, title: str, origin: str, **fields):
    """A document whose body is ``paragraphs`` joined by blank lines, one passage each (in
    order); returns the document and its passages. ``fields``: source, language, …"""
    from annotator.models import Document, Passage

    body = "\n\n".join(paragraphs)
    document = Document.objects.create(
        title=title,
        body=body,
        sha256=hashlib.sha256(body.encode()).hexdigest(),
        origin=origin,
        **{"language": "en", **fields},
    )
    rows, position = [], 0
    for index, paragraph in enumerate(paragraphs):
        start = body.index(paragraph, position)
        position = start + len(paragraph)
        rows.append(Passage(document=document, index=index, start=start, end=position))
    return document, Passage.objects.bulk_create(rows)


def load_average() -> str:
    """The 1-, 5- and 15-minute load averages: the figures are only read beside them."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def server_cpu_seconds(connection) -> float | None:
    """CPU seconds (user + system) used so far by this connection's PostgreSQL backend, read
    from /proc when the server runs on this machine; None otherwise. Most of a bulk write's
    work is the server's, which the client's process_time does not see."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
