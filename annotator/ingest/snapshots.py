"""Keeping the original bytes: content-addressed files behind Django's storage API."""

import datetime
import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from .models import Snapshot, snapshot_path


class _Addressed:
    """Stands in for a Snapshot when computing its storage name from the hash alone."""

    def __init__(self, sha256: str):
        self.sha256 = sha256


def storage_name(sha256: str) -> str:
    return snapshot_path(_Addressed(sha256), "")


def put_bytes(data: bytes) -> str:
    """Write ``data`` to storage (once: same bytes, same name); return its SHA-256.

    Used at preview time so that the save step can read the very bytes the editor previewed.
    A preview that is never saved leaves its file behind; it is content-addressed, so harmless.
    """
    digest = hashlib.sha256(data).hexdigest()
    name = storage_name(digest)
    if not default_storage.exists(name):
        stored = default_storage.save(name, ContentFile(data))
        if stored != name:  # a backend that renames on collision: the race lost, same bytes
            default_storage.delete(stored)
    return digest


def read_bytes(sha256: str) -> bytes:
    with default_storage.open(storage_name(sha256), "rb") as handle:
        return handle.read()


def store_snapshot(
    data: bytes,
    *,
    media_type: str,
    captured_at: datetime.datetime,
    filename: str = "",
    url: str = "",
) -> Snapshot:
    """The Snapshot row for ``data``: the existing one when the same bytes were kept before."""
    digest = put_bytes(data)
    existing = Snapshot.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing
    snapshot = Snapshot(
        sha256=digest,
        media_type=media_type,
        size=len(data),
        captured_at=captured_at,
        filename=filename[:255],
        url=url[:2000],
    )
    snapshot.file.name = storage_name(digest)
    snapshot.save()
    return snapshot
