"""``GET /api/v1/search/``: documents, passages (with offsets), claims and visible annotations.

One request costs about the same whatever the query matches: counts stop at 1,000
(``count_exact`` says whether there are more), pages follow the opaque ``after`` position of the
previous page's ``next`` link (keyset, no OFFSET), and the documents section lists the
documents of the page's hits. Annotations come only through ``visible_annotations`` (blind
review applies). See docs/documents.md, "Search".
"""

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.search import query as search
from annotator.validators import validate_language_tag

from .params import id_field
from .views import ApiViewMixin

MAX_PAGE_SIZE = 100
# ``<document>.<entry>~<claim>~<annotation>``: where each section's next page starts; "-" for
# a section with no more results, "0" for one not started.
_AFTER = re.compile(r"^(-|0|(\d{1,18})\.(\d{1,18}))~(-|\d{1,18})~(-|\d{1,18})$")
DONE = "-"


class SearchParams(serializers.Serializer):
    q = serializers.CharField(max_length=200, trim_whitespace=True)
    source = id_field(required=False)
    language = serializers.CharField(
        required=False, max_length=35, validators=[validate_language_tag]
    )
    published_from = serializers.DateField(required=False)
    published_to = serializers.DateField(required=False)
    after = serializers.RegexField(
        _AFTER,
        required=False,
        error_messages={"invalid": "Not a position from a previous page's next link."},
    )
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=20
    )


def _document(document) -> dict:
    return {
        "id": document.pk,
        "title": document.title,
        "source": document.source.name if document.source_id else None,
        "language": document.language,
        "published": document.published.isoformat() if document.published else None,
    }


def _passage(entry, q) -> dict:
    passage = entry.passage
    found = search.snippet(entry.text, q)
    offset = passage.start
    return {
        "document": _document(entry.document),
        "passage": {"id": passage.pk, "index": passage.index, "page": passage.page},
        "start": passage.start,
        "end": passage.end,
        "snippet": found.text,
        "highlights": [
            [offset + found.start + s, offset + found.start + e] for s, e in found.marks
        ],
    }


def _claim(claim) -> dict:
    return {"id": claim.pk, "text": claim.text, "language": claim.language}


def _annotation(annotation) -> dict:
    return {
        "id": annotation.pk,
        "document": annotation.document_id,
        "start": annotation.start,
        "end": annotation.end,
        "note": annotation.note,
        "evidence": annotation.evidence,
    }


def _count(count: search.Count) -> dict:
    return {"count": count.value, "count_exact": count.exact}


def _by_id(queryset, after: str, size: int, present) -> tuple[dict, str]:
    """A section paged by descending id: (the section, where its next page starts)."""
    if after == DONE:
        return {**_count(search.capped_count(queryset)), "results": []}, DONE
    page = queryset.filter(pk__lt=int(after)) if after != "0" else queryset
    items = list(page[: size + 1])
    if after == "0" and len(items) <= size:
        count = search.Count(len(items), True)  # the first page holds them all
    else:
        count = search.capped_count(queryset)
    section = {**_count(count), "results": [present(item) for item in items[:size]]}
    return section, (str(items[size - 1].pk) if len(items) > size else DONE)


class SearchView(ApiViewMixin, APIView):
    @extend_schema(
        summary="Search documents, passages, claims and your visible annotations",
        parameters=[
            OpenApiParameter(name, OpenApiTypes.STR, description=description)
            for name, description in [
                ("q", "Words (English) or characters (Chinese, either script)"),
                ("source", "Source id"),
                ("language", "BCP 47 tag; 'zh' also matches zh-Hant and zh-Hans"),
                ("published_from", "YYYY-MM-DD"),
                ("published_to", "YYYY-MM-DD"),
                ("after", "Where the next page starts: copy it from the previous page's next"),
                ("page_size", f"At most {MAX_PAGE_SIZE}"),
            ]
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        params = SearchParams(data=request.query_params)
        if not params.is_valid():
            raise ValidationError(params.errors)
        data = params.validated_data
        q, size = data["q"], data["page_size"]
        hits_after, claims_after, annotations_after = data.get("after", "0~0~0").split("~")
        filters = search.Filters(
            source=data.get("source"),
            language=data.get("language", ""),
            published_from=data.get("published_from"),
            published_to=data.get("published_to"),
        )
        body = {"query": q, "page_size": size}
        if hits_after == DONE:
            hits = search.HitPage([], search.count_hits(search.parse_query(q), filters), None)
            hits_next = DONE
        else:
            position = None
            if hits_after != "0":
                document_id, entry_id = hits_after.split(".")
                position = search.Position(int(document_id), int(entry_id))
            hits = search.hit_page(q, filters, after=position, size=size)
            hits_next = f"{hits.next.document_id}.{hits.next.entry_id}" if hits.next else DONE
        # Titles and passages of current documents: one count for both sections.
        body["documents"] = {"results": [_document(d) for d in hits.documents]}
        body["passages"] = {
            **_count(hits.count),
            "results": [_passage(entry, q) for entry in hits.passages],
        }
        body["claims"], claims_next = _by_id(search.claim_hits(q), claims_after, size, _claim)
        body["annotations"], annotations_next = _by_id(
            search.annotation_hits(request.user, q), annotations_after, size, _annotation
        )
        after = "~".join((hits_next, claims_next, annotations_next))
        if after != "~".join([DONE] * 3):
            query = request.query_params.copy()
            query["after"] = after
            body["next"] = request.build_absolute_uri(f"?{query.urlencode()}")
        else:
            body["next"] = None
        return Response(body)
