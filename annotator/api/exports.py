"""Export endpoints: streamed, filtered like the list endpoints, incremental with a cursor."""

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import DefaultContentNegotiation

from annotator.exports import parquet, streams
from annotator.exports.queries import InvalidCursor
from annotator.models import Annotation, Consensus, ModerationAction
from annotator.visibility import visible_annotations, visible_consensus

from . import filters
from .params import query_boolean
from .permissions import IsModerator
from .throttling import ExportThrottle
from .views import ApiViewMixin


class ExportNegotiation(DefaultContentNegotiation):
    """The format comes from ``?format=``; errors are JSON whatever the Accept header says."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _cursor_param():
    return OpenApiParameter(
        "cursor",
        {"type": "string", "pattern": r"^[A-Za-z0-9_-]*$"},
        description="The X-Export-Cursor of your previous pull: only rows changed since then",
    )


def _excel_param():
    return OpenApiParameter(
        "excel", OpenApiTypes.BOOL, description="CSV for Excel: UTF-8 byte order mark, CRLF"
    )


def _format_param(choices):
    return OpenApiParameter(
        "format", OpenApiTypes.STR, enum=list(choices), description="Default: jsonl"
    )


def _export_responses(formats):
    content = {
        "jsonl": ("application/x-ndjson", OpenApiTypes.STR),
        "json": ("application/json", OpenApiTypes.OBJECT),
        "csv": ("text/csv", OpenApiTypes.STR),
        "jsonld": ("application/ld+json", OpenApiTypes.OBJECT),
        "parquet": (parquet.CONTENT_TYPE, OpenApiTypes.BINARY),
    }
    responses = {}
    for fmt in formats:
        if fmt in content:
            media, kind = content[fmt]
            responses[(200, media)] = OpenApiResponse(
                kind, description="Streamed export; the X-Export-Cursor header is the next cursor"
            )
    return responses


class _ExportView(ApiViewMixin, GenericAPIView):
    content_negotiation_class = ExportNegotiation
    pagination_class = None
    formats: tuple[str, ...] = ()
    # Filters on values a row can change: a row that stops matching one is a deletion for a
    # mirror (a tombstone). The other filters name things a row never changes (its document).
    mutable_filters: frozenset[str] = frozenset()

    def pull_querysets(self, request, visible, everything):
        """(rows now, tombstone candidates, updated_since) for an incremental export.

        ``updated_since`` is applied by the export to each row's event time (see
        annotator/exports/sync.py), not as a plain filter on ``updated_at``.
        """
        self.filter_queryset(visible)  # validates every parameter: 400 naming the field
        filterset = self.filterset_class(data=request.query_params, queryset=visible)
        filterset.is_valid()
        since = filterset.form.cleaned_data.get("updated_since")

        def filtered(base, skipped):
            params = request.query_params.copy()
            for name in skipped:
                params.pop(name, None)
            return self.filterset_class(data=params, queryset=base, request=request).qs

        current = filtered(visible, {"updated_since"})
        candidates = filtered(everything, {"updated_since", *self.mutable_filters})
        return current, candidates, since

    def get_throttles(self):
        return [*super().get_throttles(), ExportThrottle()]

    def export_format(self, request) -> str:
        fmt = request.query_params.get("format", "jsonl")
        if fmt not in self.formats:
            raise ValidationError({"format": [f"Use one of: {', '.join(self.formats)}."]})
        if fmt == "parquet" and not parquet.available():
            raise ValidationError(
                {"format": ["Parquet needs the optional pyarrow package: pip install .[parquet]"]}
            )
        return fmt

    def _excel(self, request) -> bool:
        return query_boolean(request, "excel", default=False)

    def links(self, request) -> streams.Links:
        """Ids come from PUBLIC_BASE_URL, never from the request's host (one IRI each)."""
        return streams.Links.from_settings()

    def stream(self, request, build) -> StreamingHttpResponse:
        try:
            export = build()
        except InvalidCursor as error:
            raise ValidationError({"cursor": [str(error)]}) from None
        response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
        response["Content-Disposition"] = f'inline; filename="{export.filename}"'
        response["X-Accel-Buffering"] = "no"
        if export.next_cursor:
            response["X-Export-Cursor"] = export.next_cursor
            params = request.query_params.copy()
            params["cursor"] = export.next_cursor
            response["Link"] = f'<{request.path}?{params.urlencode()}>; rel="next"'
        return response


class ConsensusExportView(_ExportView):
    filterset_class = filters.ConsensusFilter
    formats = streams.CONSENSUS_FORMATS
    mutable_filters = frozenset({"status", "flag", "rating_min", "rating_max", "reviewer"})

    def get_queryset(self):
        return visible_consensus(self.request.user)

    @extend_schema(
        summary="Export consensus (JSON Lines, JSON, CSV, W3C Web Annotation, ClaimReview)",
        parameters=[_format_param(streams.CONSENSUS_FORMATS), _cursor_param(), _excel_param()],
        responses=_export_responses(("jsonl", "json", "csv", "jsonld", "parquet")),
    )
    def get(self, request):
        fmt = self.export_format(request)
        excel = self._excel(request)
        current, candidates, since = self.pull_querysets(
            request, self.get_queryset(), Consensus.objects.all()
        )
        cursor = request.query_params.get("cursor")
        return self.stream(
            request,
            lambda: streams.consensus_export(
                current,
                fmt,
                cursor=cursor,
                links=self.links(request),
                excel=excel,
                requester=request.user,
                candidates=candidates,
                since=since,
            ),
        )


class AnnotationExportView(_ExportView):
    filterset_class = filters.AnnotationFilter
    formats = streams.ANNOTATION_FORMATS
    mutable_filters = frozenset({"status", "claim", "flag", "rating_min", "rating_max"})

    def get_queryset(self):
        return visible_annotations(self.request.user, Annotation.objects.all())

    @extend_schema(
        summary="Export raw annotations (the backup format in JSON Lines)",
        parameters=[
            _format_param(streams.ANNOTATION_FORMATS),
            _cursor_param(),
            _excel_param(),
            OpenApiParameter("include_history", OpenApiTypes.BOOL),
        ],
        responses=_export_responses(streams.ANNOTATION_FORMATS),
    )
    def get(self, request):
        fmt = self.export_format(request)
        history = query_boolean(request, "include_history", default=False)
        excel = self._excel(request)
        current, candidates, since = self.pull_querysets(
            request, self.get_queryset(), Annotation.objects.all()
        )
        cursor = request.query_params.get("cursor")
        return self.stream(
            request,
            lambda: streams.annotations_export(
                current,
                fmt,
                cursor=cursor,
                include_history=history,
                links=self.links(request),
                excel=excel,
                requester=request.user,
                candidates=candidates,
                since=since,
            ),
        )


class ModerationActionExportView(_ExportView):
    filterset_class = filters.ModerationActionFilter
    formats = ("jsonl",)
    queryset = ModerationAction.objects.all()

    def get_permissions(self):
        return [*super().get_permissions(), IsModerator()]

    @extend_schema(
        summary="Export the moderation audit log as JSON Lines (moderators only)",
        responses=_export_responses(("jsonl",)),
    )
    def get(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        return self.stream(request, lambda: streams.moderation_actions_export(queryset))
