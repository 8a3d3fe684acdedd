"""schema.org ClaimReview for a published fact-check, as Google's fact-check markup wants it.

The same dict is embedded in the public page and listed by the ``claimreview`` export, so
both carry the same ``url``: the public page itself.
"""

from django.conf import settings

from annotator.exports.links import Links

from .models import FactCheck

BEST_RATING, WORST_RATING = 5, 1  # the reliability scale: 1 unreliable … 5 reliable


def organisation() -> dict:
    publisher = settings.PUBLISHER
    return {
        "@type": "Organization",
        "name": publisher["NAME"],
        "url": publisher["URL"],
        "logo": {"@type": "ImageObject", "url": publisher["LOGO"]},
    }


def _work(appearance: dict) -> dict:
    work = {"@type": "CreativeWork", "headline": appearance["title"]}
    if appearance["url"]:
        work["url"] = appearance["url"]
    if appearance["language"]:
        work["inLanguage"] = appearance["language"]
    if appearance["published"]:
        work["datePublished"] = appearance["published"]
    if appearance.get("source"):
        work["publisher"] = {"@type": "Organization", "name": appearance["source"]}
        if appearance.get("source_url"):
            work["publisher"]["url"] = appearance["source_url"]
    return work


def claim_review(fact_check: FactCheck, links: Links | None = None) -> dict:
    links = links or Links.from_settings()
    appearances = fact_check.appearances
    item = {"@type": "Claim", "text": fact_check.claim.text}
    if fact_check.claim.language:
        item["inLanguage"] = fact_check.claim.language
    if appearances:
        item["appearance"] = [_work(a) for a in appearances]
        # Appearances are stored oldest first (by the document's publication date).
        first = appearances[0]
        item["firstAppearance"] = _work(first)
        if first["published"]:
            item["datePublished"] = first["published"]
        if first.get("source"):  # who made the claim, where known: its first publisher
            item["author"] = {"@type": "Organization", "name": first["source"]}
            if first.get("source_url"):
                item["author"]["url"] = first["source_url"]
    rating = {
        "@type": "Rating",
        "alternateName": fact_check.rating_text,
        "name": fact_check.rating_text,
        "bestRating": BEST_RATING,
        "worstRating": WORST_RATING,
    }
    if fact_check.rating_value is not None:
        rating["ratingValue"] = fact_check.rating_value
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": links.fact_check(fact_check.slug),
        "claimReviewed": fact_check.headline,
        "datePublished": fact_check.published_at.date().isoformat(),
        "author": organisation(),
        "reviewRating": rating,
        "itemReviewed": item,
    }
