"""The fields that come with a document, in the ingest path's terms.

The rules themselves live in ``annotator/validators.py``, one place for every door (import,
API, web page, admin): this module only turns their ``AnnotationInputError`` into an
``IngestError`` that names the request field.
"""

import datetime

from .. import validators
from ..errors import AnnotationInputError
from .errors import IngestError


def _ingest(check, field: str):
    try:
        return check()
    except AnnotationInputError as error:
        messages = error.errors.get(field) or [m for ms in error.errors.values() for m in ms]
        raise IngestError(field, " ".join(messages)) from None


def clean_title(value) -> str:
    from ..models import Document

    return _ingest(lambda: validators.clean_text(value, model=Document, name="title"), "title")


def clean_source(value) -> str:
    from ..models import Source

    return _ingest(
        lambda: validators.clean_text(value, model=Source, name="name", field="source"), "source"
    )


def clean_origin(value) -> str:
    from ..models import Document

    return _ingest(lambda: validators.clean_text(value, model=Document, name="origin"), "origin")


def clean_url(value, field: str = "url") -> str:
    return _ingest(lambda: validators.clean_http_url(value, field=field), field)


def clean_language(value) -> str:
    return _ingest(lambda: validators.clean_language_tag(value), "language")


def clean_published(value) -> datetime.date | None:
    return _ingest(lambda: validators.clean_date(value, field="published"), "published")
