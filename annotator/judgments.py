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
from .text import quote_selector


def _product_setting(name: str):
    return settings.ANNOTATOR[name]


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:(?!\s)")
_url_validator = URLValidator(schemes=["http", "https"])


def clean_evidence(evidence) -> list[str]:
    """Evidence is a list of http(s) URLs or plain-text citations; other URL schemes are refused."""
    if evidence is None:
        return []
    if isinstance(evidence, str) or not isinstance(evidence, Sequence):
        raise AnnotationInputError({"evidence": ["Must be a list of URLs or citations."]})
    limit = _product_setting("MAX_EVIDENCE_ITEMS")
    if len(evidence) > limit:
        raise AnnotationInputError({"evidence": [f"At most {limit} items are allowed."]})
    cleaned: list[str] = []
    for position, item in enumerate(evidence):
        if not isinstance(item, str):
            raise AnnotationInputError({"evidence": [f"Item {position} must be a string."]})
        item = item.strip()
        if not item:
            continue
        if len(item) > 2000:
            raise AnnotationInputError({"evidence": [f"Item {position} is over 2000 characters."]})
        if _SCHEME.match(item):
            try:
                _url_validator(item)
            except ValidationError:
                raise AnnotationInputError(
                    {"evidence": [f"Item {position} must be an http(s) URL or a plain citation."]}
                ) from None
        cleaned.append(item)
    return cleaned


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
