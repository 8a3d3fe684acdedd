"""Checking the fields that come with a document: title, source, URL, language, date, origin.

NOTE: annotator/importing.py is getting its own checks of the same fields; the two should become
one (this module, or the importer's) — until then both apply, and these run first so that the
API can name the field.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from .errors import IngestError

MAX_TITLE = 500
MAX_SOURCE = 200
MAX_URL = 2000
MAX_ORIGIN = 500
MAX_AUTHOR = 300

# BCP 47 in the shape this service uses: language, then script/region/variant subtags.
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_url_validator = URLValidator(schemes=["http", "https"])


def _text(field: str, value, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise IngestError(field, "Must be a string.")
    value = value.strip()
    if len(value) > limit:
        raise IngestError(field, f"At most {limit} characters (got {len(value)}).")
    if "\x00" in value:
        raise IngestError(field, "Contains a NUL character.")
    return value


def clean_title(value) -> str:
    return _text("title", value, MAX_TITLE)


def clean_source(value) -> str:
    return _text("source", value, MAX_SOURCE)


def clean_origin(value) -> str:
    return _text("origin", value, MAX_ORIGIN)


def clean_url(value, field: str = "url") -> str:
    value = _text(field, value, MAX_URL)
    if value:
        try:
            _url_validator(value)
        except ValidationError:
            raise IngestError(field, "Must be an http:// or https:// URL.") from None
    return value


def clean_language(value) -> str:
    value = _text("language", value, 35)
    if value and not _LANGUAGE.match(value):
        raise IngestError("language", "Must be a BCP 47 language tag, e.g. en, zh-Hant.")
    return value


def clean_published(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise IngestError("published", "Must be a date as YYYY-MM-DD.") from None
