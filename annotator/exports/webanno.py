"""W3C Web Annotation presenter: export rows → Annotation (or Tombstone) JSON-LD items.

Every item carries its own ``@context`` so that it stays valid when lifted out of the
collection (to post to another annotation server, say). Times are xsd:dateTime in UTC with
``Z``, as the Data Model requires. Which SHOULDs are met and which are left out, and why, is
in docs/exports.md; tests/test_exports_w3c.py checks every MUST.
"""

from datetime import UTC, datetime

from django.conf import settings

from .links import Links

W3C_ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
ACTIVITY_STREAMS = "https://www.w3.org/ns/activitystreams#"
# anno.jsonld does not define ActivityStreams' Tombstone terms: a tombstone item adds them.
TOMBSTONE_CONTEXT = [
    W3C_ANNO_CONTEXT,
    {
        "as": ACTIVITY_STREAMS,
        "Tombstone": "as:Tombstone",
        "formerType": {"@id": "as:formerType", "@type": "@vocab"},
        "deleted": {"@id": "as:deleted", "@type": "xsd:dateTime"},
        "summary": "as:summary",
    },
]
# The language of the texts the service writes itself (assessments, flag tags).
SERVICE_LANGUAGE = "en"


def utc_z(value: datetime | None) -> str | None:
    """xsd:dateTime in UTC written with ``Z`` (not ``+00:00``)."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def software_agent(links: Links) -> dict:
    """The service itself: the creator of consensus rows and the generator of every item."""
    return {
        "id": links.service(),
        "type": "Software",
        "name": settings.PUBLISHER["NAME"],
        "homepage": links.service(),
    }


def _text(value: str, purpose: str, language: str | None = SERVICE_LANGUAGE) -> dict:
    body = {"type": "TextualBody", "purpose": purpose, "format": "text/plain", "value": value}
    if language:
        body["language"] = language
    return body


def _target(row: dict, links: Links) -> dict:
    source = {"id": links.document(row["document"]), "type": "Text", "format": "text/plain"}
    if row["document_language"]:
        source["language"] = row["document_language"]
    return {
        "type": "SpecificResource",
        "source": source,
        "selector": [
            {
                "type": "TextQuoteSelector",
                "exact": row["exact"],
                "prefix": row["prefix"],
                "suffix": row["suffix"],
            },
            {"type": "TextPositionSelector", "start": row["start"], "end": row["end"]},
        ],
    }


def _annotation(iri: str, bodies: list[dict], row: dict, links: Links, creator: dict) -> dict:
    item = {
        "@context": W3C_ANNO_CONTEXT,
        "id": iri,
        "type": "Annotation",
        "motivation": "assessing",
    }
    if row.get("created_at") is not None:
        item["created"] = utc_z(row["created_at"])
    item["modified"] = utc_z(row["updated_at"])
    item["creator"] = creator
    item["generator"] = software_agent(links)
    item["body"] = bodies
    item["target"] = _target(row, links)
    return item


def rating_text(reliability, label) -> str:
    return f"Reliability {reliability:g}/5 ({label})" if reliability is not None else "Not rated"


def annotation_item(row: dict, links: Links) -> dict:
    """A reviewer's annotation, or a Tombstone once hidden or withdrawn.

    ``row`` comes from ``records.annotation_web_rows``.
    """
    if row["status"] != "active":
        return tombstone(links.annotation(row["id"]), row["status"], row["updated_at"])
    bodies = [_text(rating_text(row["reliability"], row["reliability_label"]), "assessing")]
    bodies += [_text(slug, "tagging") for slug in row["flags"]]
    if row["note"]:
        # The note's language is not recorded (reviewers write in any language): none is given.
        bodies.append(_text(row["note"], "commenting", language=None))
    creator = {"type": "Person", "nickname": row["reviewer"]}
    if row["reviewer_id"] is not None:
        creator = {"id": links.reviewer(row["reviewer_id"]), **creator}
    return _annotation(links.annotation(row["id"]), bodies, row, links, creator)


def consensus_item(row: dict, links: Links) -> dict:
    """A consensus row; ``row`` from ``records.consensus_records(..., quotes=True)``."""
    assessment = (
        rating_text(row["decided_reliability"], row["decided_label"])
        + f"; {row['reviewer_count']} reviewer(s); status {row['status']}"
    )
    bodies = [_text(assessment, "assessing")]
    bodies += [_text(slug, "tagging") for slug in row["decided_flags"]]
    return _annotation(links.consensus(row["key"]), bodies, row, links, software_agent(links))


def tombstone(iri: str, status: str, deleted: datetime) -> dict:
    """An ActivityStreams Tombstone for an annotation that left the requester's view."""
    return {
        "@context": TOMBSTONE_CONTEXT,
        "id": iri,
        "type": "Tombstone",
        "formerType": "Annotation",
        "summary": status,
        "deleted": utc_z(deleted),
    }
