"""``GET /api/v1/search/``: documents, passages (with offsets), claims and visible annotations.

Each section is paginated with the same ``page`` and ``page_size``; ``next`` is set while any
section has more. Annotations come only through ``visible_annotations`` (blind review applies).
"""

from django.core.paginator import EmptyPage, Paginator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.search import query as search

from .params import id_field
from .views import ApiViewMixin

MAX_PAGE_SIZE = 100


class SearchParams(serializers.Serializer):
    q = serializers.CharField(max_length=200, trim_whitespace=True)
    source = id_field(required=False)
    language = serializers.RegexField(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$", required=False)
    published_from = serializers.DateField(required=False)
    published_to = serializers.DateField(required=False)
    page = serializers.IntegerField(required=False, min_value=1, default=1)
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
    text = entry.document.body[passage.start : passage.end]
    found = search.snippet(text, q)
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


def _section(queryset, page: int, size: int, present) -> tuple[dict, bool]:
    paginator = Paginator(queryset, size)
    try:
        items = paginator.page(page)
    except EmptyPage:
        return {"count": paginator.count, "results": []}, False
    return (
        {"count": paginator.count, "results": [present(item) for item in items]},
        items.has_next(),
    )


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
                ("page", "From 1"),
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
        q, page, size = data["q"], data["page"], data["page_size"]
        filters = search.Filters(
            source=data.get("source"),
            language=data.get("language", ""),
            published_from=data.get("published_from"),
            published_to=data.get("published_to"),
        )
        sections = {
            "documents": (
                search.document_hits(q, filters).select_related("source").order_by("-id"),
                _document,
            ),
            "passages": (search.passage_hits(q, filters), lambda entry: _passage(entry, q)),
            "claims": (
                search.claim_hits(q),
                lambda claim: {"id": claim.pk, "text": claim.text, "language": claim.language},
            ),
            "annotations": (
                search.annotation_hits(request.user, q),
                lambda a: {
                    "id": a.pk,
                    "document": a.document_id,
                    "start": a.start,
                    "end": a.end,
                    "note": a.note,
                    "evidence": a.evidence,
                },
            ),
        }
        body = {"query": q, "page": page, "page_size": size}
        more = False
        for name, (queryset, present) in sections.items():
            body[name], has_next = _section(queryset, page, size, present)
            more = more or has_next
        if more:
            query = request.query_params.copy()
            query["page"] = page + 1
            body["next"] = request.build_absolute_uri(f"?{query.urlencode()}")
        else:
            body["next"] = None
        return Response(body)
