"""Publish and retract fact-checks: the only writes, each in a transaction, each audited."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from annotator.audit import record_action
from annotator.consensus.reading import consensus_for_claim
from annotator.errors import AnnotationInputError, NotAllowedError
from annotator.labels import reliability_label
from annotator.models import Annotation, AnnotationStatus, Claim, ConsensusStatus
from annotator.visibility import visible_annotations

from .models import FactCheck

HEADLINE_ADVISED = 75  # Google: keep claimReviewed under 75 characters (mobile wrapping)
HEADLINE_MAX = 200
PUBLISHABLE = (ConsensusStatus.AGREED, ConsensusStatus.ADJUDICATED)


class PublicationConflict(ValueError):
    """The claim cannot be published (or retracted) in its present state."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.errors = {field: [message]}


@dataclass
class Publication:
    fact_check: FactCheck
    warnings: list[str]


def _clean(headline, summary, rating_text) -> tuple[str, str, str, list[str]]:
    errors, warnings = {}, []
    headline = headline.strip() if isinstance(headline, str) else None
    summary = summary.strip() if isinstance(summary, str) else None
    if not headline:
        errors["headline"] = ["Required: the claim as a short sentence (≤ 75 characters advised)."]
    elif len(headline) > HEADLINE_MAX:
        errors["headline"] = [f"At most {HEADLINE_MAX} characters (got {len(headline)})."]
    elif len(headline) > HEADLINE_ADVISED:
        warnings.append(
            f"headline: {len(headline)} characters; Google advises under {HEADLINE_ADVISED}."
        )
    if not summary:
        errors["summary"] = ["Required: the verdict's reasoning in a few sentences."]
    if rating_text is not None and not isinstance(rating_text, str):
        errors["rating_text"] = ["Must be text."]
    elif rating_text is not None and len(rating_text.strip()) > 100:
        errors["rating_text"] = ["At most 100 characters."]
    if errors:
        raise AnnotationInputError(errors)
    return headline, summary, (rating_text or "").strip(), warnings


def _snapshot(claim: Claim, moderator) -> tuple[list[str], list[dict]]:
    """Evidence links and appearances, read through the visibility policy as the moderator."""
    rows = visible_annotations(
        moderator, Annotation.objects.filter(claim=claim, status=AnnotationStatus.ACTIVE)
    ).select_related("document__source")
    evidence, documents = [], {}
    for annotation in rows.order_by("document__published", "document_id", "pk"):
        for item in annotation.evidence or []:
            if item.startswith(("http://", "https://")) and item not in evidence:
                evidence.append(item)
        doc = annotation.document
        if doc.pk not in documents:
            documents[doc.pk] = {
                "title": doc.title,
                "url": doc.url,
                "language": doc.language,
                "published": doc.published.isoformat() if doc.published else None,
                "source": doc.source.name if doc.source_id else None,
                "source_url": doc.source.url if doc.source_id else None,
            }
    return evidence, list(documents.values())


def _slug(headline: str, claim: Claim) -> str:
    base = slugify(headline)[:60].strip("-")
    return f"{base}-{claim.pk}" if base else f"claim-{claim.pk}"


def publish_fact_check(
    claim: Claim, *, moderator, headline, summary, rating_text=None
) -> Publication:
    """Publish the claim's verdict; allowed only once its consensus is agreed or adjudicated."""
    if not getattr(moderator, "is_moderator", False):
        raise NotAllowedError("Only moderators publish fact-checks.")
    headline, summary, rating_text, warnings = _clean(headline, summary, rating_text)
    with transaction.atomic():
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
        if claim.merged_into_id is not None:
            raise PublicationConflict(
                "claim", "This claim was merged into another: publish the surviving claim."
            )
        row = consensus_for_claim(claim)
        if row is None or row.status not in PUBLISHABLE:
            status = row.status if row else "none"
            raise PublicationConflict(
                "consensus",
                f"The claim's consensus is {status}: publish only an agreed or adjudicated one.",
            )
        existing = FactCheck.objects.filter(claim=claim).first()
        if existing is not None and existing.is_live:
            raise PublicationConflict("publication", "Already published: retract it first.")
        value = (
            row.adjudicated_reliability
            if row.status == ConsensusStatus.ADJUDICATED
            else row.median_reliability
        )
        evidence, appearances = _snapshot(claim, moderator)
        now = timezone.now()
        fields = {
            "headline": headline,
            "summary": summary,
            "rating_value": value,
            "rating_text": rating_text or reliability_label(value) or "Not rated",
            "consensus_status": row.status,
            "reasoning": row.adjudication_reason if row.status == "adjudicated" else "",
            "evidence": evidence,
            "appearances": appearances,
            "published_by": moderator,
            "published_at": now,
            "retracted_at": None,
            "updated_at": now,
        }
        if existing is None:
            slug = _slug(headline, claim)
            fact_check = FactCheck.objects.create(claim=claim, slug=slug, **fields)
        else:  # published again after a retraction: same slug, same public URL
            for name, value in fields.items():
                setattr(existing, name, value)
            existing.save()
            fact_check = existing
        record_action(
            actor=moderator,
            action="factcheck.publish",
            target=claim,
            reason=f"Published fact-check: {headline}",
            details={"slug": fact_check.slug, "rating": fact_check.rating_text},
        )
    return Publication(fact_check, warnings)


def retract_fact_check(claim: Claim, *, moderator, reason: str = "") -> FactCheck:
    """Take a fact-check down: its page answers 410 and exports carry a tombstone."""
    if not getattr(moderator, "is_moderator", False):
        raise NotAllowedError("Only moderators retract fact-checks.")
    with transaction.atomic():
        fact_check = FactCheck.objects.select_for_update().filter(claim=claim).first()
        if fact_check is None or not fact_check.is_live:
            raise PublicationConflict("publication", "Not published.")
        fact_check.retracted_at = fact_check.updated_at = timezone.now()
        fact_check.save(update_fields=["retracted_at", "updated_at"])
        record_action(
            actor=moderator,
            action="factcheck.retract",
            target=claim,
            reason=reason.strip() or f"Retracted fact-check: {fact_check.headline}",
            details={"slug": fact_check.slug},
        )
    return fact_check
