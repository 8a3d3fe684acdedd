"""Carrying a preview to its save: the bytes wait in storage, a signed token names them.

The token is signed with SECRET_KEY, so that a save can only store bytes this server previewed,
with the media type it read them as.
"""

import datetime

from django.core import signing

from . import service
from .snapshots import put_bytes, read_bytes

SALT = "annotator.ingest.preview"
MAX_AGE = 24 * 3600


def token_for(draft: service.Draft) -> str:
    put_bytes(draft.data)
    return signing.dumps(
        {
            "sha256": draft.sha256,
            "media_type": draft.extracted.media_type,
            "filename": draft.filename,
            "fetched_url": draft.fetched_url,
            "captured_at": draft.captured_at.isoformat(),
        },
        salt=SALT,
    )


def draft_from_token(token: str, values: dict) -> service.Draft:
    """Re-extract the previewed bytes with the editor's corrections; BadSignature if forged."""
    data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    return service.prepare(
        data=read_bytes(data["sha256"]),
        media_type=data["media_type"],
        values=values,
        filename=data["filename"],
        fetched_url=data["fetched_url"],
        captured_at=datetime.datetime.fromisoformat(data["captured_at"]),
    )
