"""Fetch by URL (``DOCUMENT_FETCH_ENABLED``): the fetched bytes become the draft and snapshot."""

from django.conf import settings
from django.utils import timezone

from .. import outbound
from . import fields, service
from .errors import IngestError, TooLarge, UnsupportedType
from .extract import CONTENT_TYPES, HTML, MARKDOWN, PDF, TEXT

FETCHED_TYPES = {HTML, PDF, TEXT, MARKDOWN}


def _media_type(content_type: str) -> str | None:
    kind = CONTENT_TYPES.get(content_type.split(";")[0].strip().lower())
    return kind if kind in FETCHED_TYPES else None


def fetch_draft(url, values: dict) -> service.Draft:
    if not settings.DOCUMENT_FETCH_ENABLED:
        raise IngestError("fetch_url", "Fetching by URL is turned off on this server.")
    url = fields.clean_url(url, "fetch_url")
    if not url:
        raise IngestError("fetch_url", "Give the URL to fetch.")
    captured_at = timezone.now()
    try:
        fetched = outbound.fetch(
            url,
            max_bytes=settings.DOCUMENT_MAX_UPLOAD_BYTES,
            timeout=settings.DOCUMENT_FETCH_TIMEOUT,
            max_redirects=settings.DOCUMENT_FETCH_MAX_REDIRECTS,
            accept=lambda content_type: _media_type(content_type) is not None,
        )
    except outbound.TooLarge as error:
        raise TooLarge("fetch_url", str(error)) from error
    except outbound.UnacceptedType as error:
        raise UnsupportedType(
            "fetch_url", f"{error} Accepted: HTML, PDF and plain text."
        ) from error
    except outbound.OutboundError as error:
        raise IngestError("fetch_url", str(error)) from error
    try:
        return service.prepare(
            data=fetched.body,
            media_type=_media_type(fetched.content_type),
            values=values,
            fetched_url=fetched.url,
            captured_at=captured_at,
        )
    except IngestError as error:
        if error.field == "file":  # the fetched bytes: the field the user gave is the URL
            error.field = "fetch_url"
        raise
