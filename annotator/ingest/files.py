"""Files from a folder (``import_documents``): the same extraction as uploads, with snapshots."""

from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from .attach import Extras
from .errors import IngestError
from .extract import DOCX, HTML, PDF, SUFFIX_TYPES, Extracted, check_size, extract

__all__ = ["SUFFIXES", "Found", "IngestError", "extract_file"]

# Plain text and JSON Lines keep their own reader in annotator/importing.py.
SUFFIXES = {suffix for suffix, kind in SUFFIX_TYPES.items() if kind in (HTML, PDF, DOCX)}


@dataclass
class Found:
    extracted: Extracted
    extras: Extras


def extract_file(path: Path) -> Found:
    check_size(path.stat().st_size)
    data = path.read_bytes()
    media_type = SUFFIX_TYPES[path.suffix.lower()]
    extracted = extract(data, media_type, warnings=False)
    extras = Extras(
        data=data,
        media_type=media_type,
        filename=path.name,
        captured_at=timezone.now(),
        author=extracted.author,
        page_starts=extracted.page_starts,
    )
    return Found(extracted, extras)
