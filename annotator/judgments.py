"""Validating what a reviewer (or a moderator) submits: anchors, ratings, flags, notes, evidence.

Checks over the submitted values plus the few lookups they need (flag types, passages,
claims); every failure is an ``AnnotationInputError`` naming the field. The write services
(annotator.annotations) and adjudication (annotator.moderation) share them.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from .errors import AnnotationInputError
from .models import Claim, Document, FlagType, Passage, Reliability
from .text import grapheme_around, quote_selector


def _product_setting(name: str):
    return settings.ANNOTATOR[name]


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:(?!\s)")
_url_validator = URLValidator(schemes=["http", "https"])


# A DOI written as a URI (``doi:10.1017/S0305741000000000``): standard evidence for historians.
_DOI = re.compile(r"^doi:10\.\d{4,9}/\S+$", re.IGNORECASE)


def _quoted(item: str) -> str:
    return item if len(item) <= 60 else item[:59] + "…"


def clean_evidence(evidence) -> list[str]:
    """Evidence is a list of http(s) URLs, DOIs (``doi:10.…``) or plain-text citations.

    Other URL schemes (``javascript:``, ``data:``…) are refused. Items are numbered from 1 as
    the lines a reviewer typed (blank lines count, so the number matches the text box), and
    every bad line is reported, each quoted.
    """
    if evidence is None:
        return []
    if isinstance(evidence, str) or not isinstance(evidence, Sequence):
        raise AnnotationInputError({"evidence": ["Must be a list of URLs or citations."]})
    problems: list[str] = []
    cleaned: list[str] = []
    for line, item in enumerate(evidence, start=1):
        if not isinstance(item, str):
            problems.append(f"Line {line} must be text.")
            continue
        item = item.strip()
        if not item:
            continue
        if len(item) > 2000:
            problems.append(f"Line {line} is over 2000 characters.")
        elif _SCHEME.match(item) and not _DOI.match(item) and not _is_web_url(item):
            problems.append(
                f"Line {line} (“{_quoted(item)}”) must be an http(s) URL, a DOI "
                "(doi:10.…) or a plain citation."
            )
        else:
            cleaned.append(item)
    limit = _product_setting("MAX_EVIDENCE_ITEMS")
    if len(cleaned) > limit:
        problems.append(f"At most {limit} items are allowed (got {len(cleaned)}).")
    if problems:
        raise AnnotationInputError({"evidence": problems})
    return cleaned


def _is_web_url(item: str) -> bool:
    try:
        _url_validator(item)
    except ValidationError:
        return False
    return True


def clean_flags(flags: Iterable) -> list[FlagType]:
    slugs = []
    for flag in flags or ():
        slug = flag.slug if isinstance(flag, FlagType) else flag
        if not isinstance(slug, str):
            raise AnnotationInputError({"flags": ["Each flag must be a flag slug (a string)."]})
        if slug not in slugs:
            slugs.append(slug)
    if not slugs:
        return []
    found = {flag.slug: flag for flag in FlagType.objects.filter(slug__in=slugs)}
    unknown = [slug for slug in slugs if slug not in found]
    if unknown:
        raise AnnotationInputError({"flags": [f"Unknown flag: {', '.join(unknown)}."]})
    retired = [slug for slug in slugs if not found[slug].is_active]
    if retired:
        raise AnnotationInputError({"flags": [f"Retired flag: {', '.join(retired)}."]})
    return [found[slug] for slug in slugs]


def clean_reliability(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise AnnotationInputError({"reliability": ["Must be an integer from 1 to 5, or empty."]})
    try:
        number = int(value)
    except ValueError:
        raise AnnotationInputError(
            {"reliability": ["Must be an integer from 1 to 5, or empty."]}
        ) from None
    if number not in Reliability.values:
        raise AnnotationInputError({"reliability": [f"{number} is outside the scale 1 to 5."]})
    return number


def clean_note(note) -> str:
    note = "" if note is None else note
    if not isinstance(note, str):
        raise AnnotationInputError({"note": ["Must be text."]})
    limit = _product_setting("MAX_NOTE_LENGTH")
    if len(note) > limit:
        raise AnnotationInputError({"note": [f"At most {limit} characters (got {len(note)})."]})
    return note


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def resolve_anchor(
    document: Document,
    start,
    end,
    exact: str | None = None,
    prefix: str | None = None,
    suffix: str | None = None,
) -> Anchor:
    """Check code-point offsets against the NFC body; ``exact`` (if given) must match them."""
    errors: dict[str, list[str]] = {}
    length = len(document.body)
    for name, value in (("start", start), ("end", end)):
        if isinstance(value, bool) or not isinstance(value, int):
            errors[name] = ["Must be an integer (a Unicode code point offset)."]
        elif value < 0 or value > length:
            errors[name] = [f"{value} is outside the document (0 to {length})."]
    if not errors and end <= start:
        errors["end"] = [f"Must be greater than start ({start})."]
    for name, value in () if errors else (("start", start), ("end", end)):
        cluster = grapheme_around(document.body, value)
        if cluster:
            errors[name] = [
                f"{value} is inside a character made of several code points (a grapheme "
                f"cluster such as a flag, an emoji sequence or a letter with a combining "
                f"accent); use {cluster[0]} or {cluster[1]}."
            ]
    if errors:
        raise AnnotationInputError(errors)
    selector = quote_selector(document.body, start, end)  # text.QUOTE_CONTEXT on each side
    if exact is not None and exact != selector.exact:
        raise AnnotationInputError(
            {"exact": [f"Does not match the document text at {start}–{end}: {selector.exact!r}."]}
        )
    if prefix is not None and prefix and not selector.prefix.endswith(prefix):
        raise AnnotationInputError({"prefix": ["Does not match the text before the span."]})
    if suffix is not None and suffix and not selector.suffix.startswith(suffix):
        raise AnnotationInputError({"suffix": ["Does not match the text after the span."]})
    return Anchor(start, end, selector.exact, selector.prefix, selector.suffix)


def passage_for_offset(document: Document, offset: int) -> Passage | None:
    """The passage containing ``offset``, or the last one starting before it."""
    return Passage.objects.filter(document=document, start__lte=offset).order_by("-start").first()


def resolve_claim(claim: Claim | None) -> Claim | None:
    """Follow merges so that new links always go to the surviving claim."""
    seen = set()
    while claim is not None and claim.merged_into_id is not None and claim.pk not in seen:
        seen.add(claim.pk)
        claim = claim.merged_into
    return claim


def require_judgment(reliability, flags) -> None:
    """A judgment is a rating, at least one flag, or both."""
    if reliability is None and not flags:
        raise AnnotationInputError(
            {"reliability": ["Give a reliability rating, at least one flag, or both."]}
        )
