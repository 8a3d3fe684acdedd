"""Query-string values: the one place that says what a boolean, an id or a page size may be.

A malformed value is a 400 naming the parameter, never silently ignored: a client that sends
``current=maybe`` or ``page_size=abc`` has a bug it should hear about.
"""

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from annotator.validators import MAX_ID

TRUE_SPELLINGS = frozenset({"true", "1", "yes", "on"})
FALSE_SPELLINGS = frozenset({"false", "0", "no", "off"})
BOOLEAN_MESSAGE = "Must be a boolean: true or false (also 1/0, yes/no, on/off)."
EMPTY_MESSAGE = "Must not be empty; leave the parameter out instead."


def id_field(**options) -> serializers.IntegerField:
    """A body or query field holding a row id: a positive bigint, else a 400 naming the field."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **options)


def boolean_or_none(raw: str | None) -> bool | None:
    """``True``/``False`` for a recognised spelling, ``None`` when absent or empty.

    Raises ``ValueError`` for anything else; callers name the parameter.
    """
    if raw is None:
        return None
    value = raw.strip().lower()
    if value == "":
        return None
    if value in TRUE_SPELLINGS:
        return True
    if value in FALSE_SPELLINGS:
        return False
    raise ValueError(BOOLEAN_MESSAGE)


def query_boolean(request, name: str, default: bool) -> bool:
    """The boolean query parameter ``name``; 400 naming it when malformed."""
    raw = request.query_params.get(name)
    if raw == "":
        raise ValidationError({name: [EMPTY_MESSAGE]})
    try:
        value = boolean_or_none(raw)
    except ValueError as error:
        raise ValidationError({name: [str(error)]}) from None
    return default if value is None else value


def bounded_int(raw: str, *, minimum: int, maximum: int) -> int:
    """A decimal integer within bounds; ``ValueError`` with a message otherwise."""
    text = raw.strip()
    if not text.isascii() or not text.lstrip("-").isdigit() or len(text) > 20:
        raise ValueError("Must be an integer.")
    number = int(text)
    if not minimum <= number <= maximum:
        raise ValueError(f"Must be between {minimum} and {maximum}.")
    return number


def query_int(request, name: str, default: int, *, minimum: int, maximum: int) -> int:
    """The integer query parameter ``name``; 400 naming it when malformed or out of bounds."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if raw == "":
        raise ValidationError({name: [EMPTY_MESSAGE]})
    try:
        return bounded_int(raw, minimum=minimum, maximum=maximum)
    except ValueError as error:
        raise ValidationError({name: [str(error)]}) from None
