"""JSON Lines batches (one document per line), read by the importer's own JSON Lines reader.

The batch is all or nothing: every line is read and checked before anything is stored.
"""

import tempfile
from pathlib import Path, PurePath

from django.db import transaction
from django.utils import timezone

from ..importing import ImportOutcome, ImportProblem, import_record, iter_records
from . import fields
from .attach import Extras
from .errors import IngestError
from .extract import JSONL, check_size


def save_batch(data: bytes, *, filename: str) -> list[ImportOutcome]:
    check_size(len(data))
    if not data.strip():
        raise IngestError("file", "The file is empty.")
    name = PurePath(filename).name or "batch.jsonl"
    with tempfile.TemporaryDirectory() as folder:
        # The importer reads files; the name is kept so that origins read "name.jsonl:3".
        path = Path(folder) / name
        path.write_bytes(data)
        items = list(iter_records([path]))
    problems = []
    for item in items:
        if isinstance(item, ImportProblem):
            problems.append(str(item).replace(f"{folder}/", ""))
            continue
        try:
            fields.clean_title(item.title)
            fields.clean_url(item.url)
            fields.clean_language(item.language)
            fields.clean_published(item.published)
        except IngestError as error:
            problems.append(f"{item.label.replace(f'{folder}/', '')}: {error.field}: {error}")
    if problems:
        raise IngestError("file", "; ".join(problems[:20]))
    if not items:
        raise IngestError("file", "No documents in this file.")
    captured_at = timezone.now()
    outcomes = []
    try:
        with transaction.atomic():
            for item in items:
                item.label = item.label.replace(f"{folder}/", "")
                item.extras = Extras(
                    data=data, media_type=JSONL, filename=name, captured_at=captured_at
                )
                outcomes.append(import_record(item))
    except ImportProblem as problem:
        raise IngestError("file", f"{item.label}: {problem}") from problem
    return outcomes
