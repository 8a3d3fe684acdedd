"""The ``claimreview`` export: exactly the published fact-checks, as their pages embed them.

Incremental like the other exports: a fact-check retracted since the cursor comes back as an
ActivityStreams Tombstone carrying the same ``url``.
"""

from collections.abc import Iterator

from django.db.models import F, Value

from annotator.exports import sync
from annotator.exports.links import Links
from annotator.exports.webanno import utc_z

from .claimreview import claim_review
from .models import FactCheck

AS = "https://www.w3.org/ns/activitystreams#"


def tombstone(url: str, deleted) -> dict:
    return {
        "@type": AS + "Tombstone",
        "url": url,
        AS + "formerType": {"@id": "https://schema.org/ClaimReview"},
        AS + "deleted": utc_z(deleted),
    }


def claim_reviews(*, cursor=None, since=None, links: Links) -> tuple[Iterator[dict], str | None]:
    rows = FactCheck.objects.select_related("claim")
    current = rows.filter(retracted_at__isnull=True).annotate(event_at=F("updated_at"))
    gone = rows.filter(retracted_at__isnull=False).annotate(
        event_at=F("updated_at"), gone_status=Value("retracted")
    )
    pull = sync.pull(current, gone, cursor, since)

    def items():
        for fact_check in pull.rows:
            review = claim_review(fact_check, links)
            del review["@context"]  # the graph carries it once
            yield review
        if pull.gone is not None:
            for slug, deleted in pull.gone.values_list("slug", "event_at"):
                yield tombstone(links.fact_check(slug), deleted)

    return items(), pull.next_cursor
