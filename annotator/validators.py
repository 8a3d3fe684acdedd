"""The rules for the values a document or a claim publishes: URLs, language tags, dates, lengths.

One place for them, because they reach readers through several doors (import, the API, the
admin, future uploads) and each door used to check a different subset. Each ``clean_*``
function is a plain function: it returns the cleaned value or raises ``AnnotationInputError``
naming the field. Lengths come from the model fields, so a limit is never written twice.
The ``validate_*`` adapters at the end wire the same rules into the model fields, which is
how the admin forms and the API's model serializers run them.
"""

import datetime
import re

import langcodes
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models

from .errors import AnnotationInputError

_http_url = URLValidator(schemes=["http", "https"])
# BCP 47 spells subtags with hyphens only; langcodes also accepts "zh_TW", which we refuse.
# Ids are PostgreSQL bigints (BigAutoField): anything larger cannot name a row.
MAX_ID = 2**63 - 1

_TAG_SHAPE = re.compile(r"^[A-Za-z0-9]{1,8}(-[A-Za-z0-9]{1,8})*$")


def max_length(model: type[models.Model], name: str) -> int:
    return model._meta.get_field(name).max_length


def clean_length(value: str, *, model: type[models.Model], name: str, field: str = "") -> str:
    """Refuse (never truncate) a value longer than the model field allows."""
    limit = max_length(model, name)
    if limit is not None and len(value) > limit:
        raise AnnotationInputError(
            {field or name: [f"At most {limit} characters (got {len(value)})."]}
        )
    return value


def _text(value, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise AnnotationInputError({field: ["Must be text."]})
    if "\x00" in value:  # PostgreSQL cannot store it: refused here, not as a database error
        raise AnnotationInputError({field: ["Contains a NUL character."]})
    return value.strip()


def clean_text(value, *, model: type[models.Model], name: str, field: str = "") -> str:
    """Text for a model field: stripped, "" for none, refused if longer than the field."""
    field = field or name
    return clean_length(_text(value, field), model=model, name=name, field=field)


def clean_date(value, *, field: str = "published") -> datetime.date | None:
    """A calendar date as YYYY-MM-DD (or a date already), or None for none."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise AnnotationInputError({field: [f"{value!r} is not a date as YYYY-MM-DD."]}) from None


def clean_http_url(value, *, field: str = "url", check_length: bool = True) -> str:
    """An http(s) URL, or "" for none. ``javascript:``, ``data:``, ``ftp:`` … are refused."""
    from .models import Document  # models use this module's adapters: import here, not above

    value = _text(value, field)
    if not value:
        return ""
    if check_length:
        clean_length(value, model=Document, name="url", field=field)
    try:
        _http_url(value)
    except ValidationError:
        raise AnnotationInputError({field: ["Must be an http:// or https:// URL."]}) from None
    return value


def clean_language_tag(value, *, field: str = "language", check_length: bool = True) -> str:
    """A well-formed BCP 47 tag with known subtags (``en``, ``zh-Hant``), or "" for none."""
    from .models import Document

    value = _text(value, field)
    if not value:
        return ""
    if check_length:
        clean_length(value, model=Document, name="language", field=field)
    if not _TAG_SHAPE.match(value) or not langcodes.tag_is_valid(value):
        raise AnnotationInputError(
            {field: [f"{value!r} is not a BCP 47 language tag (e.g. en, zh-Hant)."]}
        )
    return value


def clean_document_fields(
    *, origin: str, title: str = "", url: str = "", language: str = "", source: str = ""
) -> dict[str, str]:
    """Check a document's descriptive fields together; every bad field is named at once."""
    from .models import Document, Source

    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    checks = {
        "origin": lambda: clean_text(origin, model=Document, name="origin"),
        "title": lambda: clean_text(title, model=Document, name="title"),
        "url": lambda: clean_http_url(url),
        "language": lambda: clean_language_tag(language),
        "source": lambda: clean_text(source, model=Source, name="name", field="source"),
    }
    for name, check in checks.items():
        try:
            cleaned[name] = check()
        except AnnotationInputError as error:
            errors.update(error.errors)
    if errors:
        raise AnnotationInputError(errors)
    return cleaned


def _as_django(clean, value) -> None:
    try:
        clean(value)
    except AnnotationInputError as error:
        raise ValidationError([m for messages in error.errors.values() for m in messages]) from None


# The model field's own max_length check runs beside these, so they skip theirs.
def validate_http_url(value) -> None:
    """Model-field adapter of ``clean_http_url`` (admin forms, model serializers)."""
    _as_django(lambda v: clean_http_url(v, check_length=False), value)


def validate_language_tag(value) -> None:
    """Model-field adapter of ``clean_language_tag`` (admin forms, model serializers)."""
    _as_django(lambda v: clean_language_tag(v, check_length=False), value)
