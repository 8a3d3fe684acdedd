"""Export formats as generator functions: records (dicts) in, text chunks out.

Chunks are joined to about 64 KB so that a streamed response makes few large writes.
"""

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator

CHUNK_CHARS = 65536
W3C_ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
SCHEMA_ORG_CONTEXT = "https://schema.org"


_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(value) -> str:
    """Compact, deterministic JSON with Unicode kept as is (CJK stays readable).

    One shared encoder: ``json.dumps`` with options builds a new encoder on every call.
    """
    return _encoder.encode(value)


def coalesce(parts: Iterable[str], size: int = CHUNK_CHARS) -> Iterator[str]:
    buffer, length = [], 0
    for part in parts:
        buffer.append(part)
        length += len(part)
        if length >= size:
            yield "".join(buffer)
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer)


def json_lines(records: Iterable[dict]) -> Iterator[str]:
    return coalesce(dumps(record) + "\n" for record in records)


def _json_array_items(items: Iterable[dict]) -> Iterator[str]:
    first = True
    for item in items:
        yield dumps(item) if first else "," + dumps(item)
        first = False


def json_document(records: Iterable[dict], *, next_cursor: str | None) -> Iterator[str]:
    """``{"next_cursor": ..., "results": [...]}``, streamed."""

    def parts():
        yield '{"next_cursor":' + dumps(next_cursor) + ',"results":['
        yield from _json_array_items(records)
        yield "]}\n"

    return coalesce(parts())


def csv_document(records: Iterable[dict], columns: list[str]) -> Iterator[str]:
    """CSV with a header row; lists and objects are written as JSON in their cell."""

    def parts():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for record in records:
            writer.writerow(
                [
                    dumps(value) if isinstance(value, list | dict) else value
                    for value in (record.get(column) for column in columns)
                ]
            )
            if buffer.tell() >= CHUNK_CHARS:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return parts()


def web_annotation(record: dict, *, annotation_id: str, source: str, assessment: str) -> dict:
    """One W3C Web Annotation: motivation ``assessing``, quote and position selectors."""
    bodies = [
        {
            "type": "TextualBody",
            "purpose": "assessing",
            "format": "text/plain",
            "value": assessment,
        }
    ]
    bodies += [
        {"type": "TextualBody", "purpose": "tagging", "value": slug}
        for slug in record.get("flags", ())
    ]
    return {
        "id": annotation_id,
        "type": "Annotation",
        "motivation": "assessing",
        "modified": record["updated_at"],
        "body": bodies,
        "target": {
            "source": source,
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": record["exact"],
                    "prefix": record["prefix"],
                    "suffix": record["suffix"],
                },
                {"type": "TextPositionSelector", "start": record["start"], "end": record["end"]},
            ],
        },
    }


def web_annotation_collection(
    annotations: Iterable[dict], *, collection_id: str, label: str
) -> Iterator[str]:
    """A W3C ``AnnotationCollection`` whose first (and only) page holds every annotation."""

    def parts():
        head = {
            "@context": W3C_ANNO_CONTEXT,
            "id": collection_id,
            "type": "AnnotationCollection",
            "label": label,
        }
        page_head = {"id": collection_id + "#page1", "type": "AnnotationPage"}
        yield dumps(head)[:-1] + ',"first":' + dumps(page_head)[:-1] + ',"items":['
        yield from _json_array_items(annotations)
        yield "]}}\n"

    return coalesce(parts())


def claim_review(
    record: dict,
    claim: dict,
    appearances: list[dict],
    *,
    claim_url: str,
    document_url: Callable[[dict], str],
    author: str,
) -> dict:
    """A schema.org ClaimReview for a claim's consensus."""
    rating = record["decided_reliability"]
    label = record["decided_label"] or "Not rated"
    if record["status"] == "disputed":
        label += " (disputed among reviewers)"
    elif record["status"] == "pending":
        label += " (pending: below quorum)"
    item = {"@type": "Claim", "appearance": []}
    if claim["language"]:
        item["inLanguage"] = claim["language"]
    for doc in appearances:
        work = {"@type": "CreativeWork", "url": document_url(doc), "headline": doc["title"]}
        if doc["language"]:
            work["inLanguage"] = doc["language"]
        if doc["published"]:
            work["datePublished"] = doc["published"].isoformat()
        item["appearance"].append(work)
    review_rating = {
        "@type": "Rating",
        "worstRating": 1,
        "bestRating": 5,
        "alternateName": label,
    }
    if rating is not None:
        review_rating["ratingValue"] = rating
    return {
        "@type": "ClaimReview",
        "url": claim_url,
        "claimReviewed": claim["text"],
        "datePublished": record["updated_at"][:10],
        "author": {"@type": "Organization", "name": author},
        "reviewRating": review_rating,
        "itemReviewed": item,
    }


def claim_review_graph(reviews: Iterable[dict]) -> Iterator[str]:
    """A JSON-LD document ``{"@context": "https://schema.org", "@graph": [ClaimReview...]}``."""

    def parts():
        yield '{"@context":' + dumps(SCHEMA_ORG_CONTEXT) + ',"@graph":['
        yield from _json_array_items(reviews)
        yield "]}\n"

    return coalesce(parts())
