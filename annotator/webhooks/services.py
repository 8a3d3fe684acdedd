"""Register webhook endpoints (admin and API share this one function)."""

from django.db import transaction

from annotator import outbound
from annotator.errors import AnnotationInputError, NotAllowedError

from . import signing
from .models import EVENT_TYPES, WebhookEndpoint

PERMISSION = "annotator.add_webhookendpoint"


def may_manage(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(PERMISSION))


def clean_url(url) -> str:
    if not isinstance(url, str) or not url.strip():
        raise AnnotationInputError({"url": ["An http(s) URL is required."]})
    url = url.strip()
    if len(url) > 2000:
        raise AnnotationInputError({"url": ["At most 2000 characters."]})
    try:
        outbound.check_target(url)
    except outbound.OutboundRefused as error:
        raise AnnotationInputError({"url": [str(error)]}) from None
    return url


def clean_events(events) -> list[str]:
    if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
        raise AnnotationInputError({"events": ["A non-empty list of event types."]})
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if unknown:
        raise AnnotationInputError(
            {
                "events": [
                    f"Unknown event types: {', '.join(unknown)}. Known: {', '.join(EVENT_TYPES)}."
                ]
            }
        )
    return sorted(set(events))


def register_endpoint(*, owner, url, events, description: str = "") -> WebhookEndpoint:
    """Create an endpoint with a new secret; the caller shows ``endpoint.secret`` once."""
    if not may_manage(owner):
        raise NotAllowedError("Only administrators may register webhook endpoints.")
    errors: dict[str, list[str]] = {}
    for clean in (lambda: clean_url(url), lambda: clean_events(events)):
        try:
            clean()
        except AnnotationInputError as error:
            errors.update(error.errors)
    if not isinstance(description, str) or len(description) > 200:
        errors["description"] = ["Text of at most 200 characters."]
    if errors:
        raise AnnotationInputError(errors)
    url, events = clean_url(url), clean_events(events)
    with transaction.atomic():
        return WebhookEndpoint.objects.create(
            url=url,
            events=events,
            description=description,
            owner=owner,
            secret=signing.new_secret(),
        )
