"""API views: thin wrappers over the domain functions and the visibility rules."""

import re

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Length
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator import agreement, source_reliability, visibility
from annotator.annotations import create_annotation, update_annotation, withdraw_annotation
from annotator.models import (
    Annotation,
    AnnotationStatus,
    ApiToken,
    Claim,
    Consensus,
    Document,
    FlagType,
    ModerationAction,
    Source,
    Suggestion,
    SuggestionDecision,
)
from annotator.text import detect_language
from annotator.tokens import create_token, revoke_token
from annotator.visibility import blind_review_enabled, visible_annotations, visible_consensus

from . import filters, jsonld, serializers
from .documents_in import DocumentCreateMixin
from .errors import PreconditionRequired
from .pagination import NewestFirstCursorPagination
from .permissions import IsModerator, SessionOnly
from .schema import ErrorSerializer, StaleVersionErrorSerializer

# Cached document details expire after a day even though the key changes with every edit:
# old revisions' entries then leave the cache by themselves.
DOCUMENT_CACHE_SECONDS = 24 * 3600

_BAD_QUERY_CHARS = re.compile("[\x00\ud800-\udfff]")


class ApiViewMixin:
    """Shared by every view: refuse query parameters the database cannot take (NUL, surrogates)
    and parameters given twice (every parameter of this API takes one value: which one would
    count is a guess)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        errors = {}
        for name, values in request.query_params.lists():
            if _BAD_QUERY_CHARS.search(name) or any(_BAD_QUERY_CHARS.search(v) for v in values):
                errors[name] = ["Contains a NUL or surrogate character."]
            elif len(values) > 1:
                errors[name] = [f"Given {len(values)} times; give it once."]
        if errors:
            raise ValidationError(errors)


def _etag(annotation: Annotation) -> str:
    return f'"{annotation.version}"'


# An ETag we issued ("3", also weak or unquoted) or *, with optional blanks (HTTP's OWS).
# The OpenAPI schema states the same pattern.
IF_MATCH_PATTERN = r'^[ \t]*(?:\*|(?:W/)?"?(\d{1,9})"?)[ \t]*$'
_IF_MATCH = re.compile(IF_MATCH_PATTERN)


def expected_version(request, body_version: int | None, *, required: bool) -> int | None:
    """The version the client edited: If-Match wins over the body's ``version``.

    ``If-Match: *`` means "whatever is current" and skips the check.
    """
    header = request.headers.get("If-Match")
    if header is not None:
        match = _IF_MATCH.match(header)
        if not match:
            raise ValidationError(
                {"If-Match": ['Must be the ETag you read, e.g. "3" (quotes included), or *.']}
            )
        return int(match.group(1)) if match.group(1) else None
    if body_version is not None:
        return body_version
    if required:
        raise PreconditionRequired()
    return None


def _annotation_response(
    request, annotation, status_code=status.HTTP_200_OK, *, reload: bool = True
) -> Response:
    """The annotation as the API shows it. ``reload=False`` serializes the instance as it is:
    only for one just created, whose fields and flags are all in memory."""
    if reload:
        annotation = (
            Annotation.objects.select_related("reviewer")
            .prefetch_related("flags")
            .get(pk=annotation.pk)
        )
    data = serializers.AnnotationSerializer(annotation, context={"request": request}).data
    return Response(data, status=status_code, headers={"ETag": _etag(annotation)})


_CONCURRENCY_ERRORS = {412: StaleVersionErrorSerializer, 428: ErrorSerializer}

_if_match = OpenApiParameter(
    "If-Match",
    {"type": "string", "pattern": IF_MATCH_PATTERN},
    OpenApiParameter.HEADER,
    description='The ETag of the version you edited, e.g. "3". Or send `version` in the body.',
)


@extend_schema_view(
    list=extend_schema(summary="Annotations visible to you (blind review applies)"),
    retrieve=extend_schema(
        summary="One annotation; the ETag header carries its version",
        responses=jsonld.retrieve_responses(serializers.AnnotationSerializer),
    ),
)
class AnnotationViewSet(
    jsonld.WebAnnotationRetrieveMixin,
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = serializers.AnnotationSerializer
    filterset_class = filters.AnnotationFilter
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]
    error_codes = {"patch": _CONCURRENCY_ERRORS, "post": {412: StaleVersionErrorSerializer}}

    def get_queryset(self):
        base = Annotation.objects.select_related("reviewer").prefetch_related("flags")
        return visible_annotations(self.request.user, base)

    def retrieve(self, request, *args, **kwargs):
        annotation = self.get_object()
        if jsonld.wants_web_annotation(request):
            return jsonld.annotation_response(annotation)
        data = self.get_serializer(annotation).data
        return Response(data, headers={"ETag": _etag(annotation)})

    @extend_schema(
        summary="Create an annotation (your own)",
        request=serializers.AnnotationCreateSerializer,
        responses={201: serializers.AnnotationSerializer},
    )
    def create(self, request):
        payload = serializers.AnnotationCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        annotation = create_annotation(reviewer=request.user, **payload.validated_data)
        return _annotation_response(request, annotation, status.HTTP_201_CREATED, reload=False)

    @extend_schema(
        summary="Edit your annotation's judgment (needs If-Match or version)",
        request=serializers.AnnotationUpdateSerializer,
        responses={200: serializers.AnnotationSerializer},
        parameters=[_if_match],
    )
    def partial_update(self, request, pk=None):
        annotation = self.get_object()
        payload = serializers.AnnotationUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        version = expected_version(request, fields.pop("version", None), required=True)
        updated = update_annotation(annotation, by=request.user, expected_version=version, **fields)
        return _annotation_response(request, updated)

    @extend_schema(
        summary="Withdraw your annotation (kept, out of consensus)",
        request=serializers.VersionSerializer,
        responses={200: serializers.AnnotationSerializer},
        parameters=[_if_match],
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        annotation = self.get_object()
        payload = serializers.VersionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        version = expected_version(request, payload.validated_data.get("version"), required=False)
        withdrawn = withdraw_annotation(annotation, by=request.user, expected_version=version)
        return _annotation_response(request, withdrawn)

    @extend_schema(
        summary="The annotation's change history (its author and moderators)",
        responses={200: serializers.AnnotationRevisionSerializer(many=True)},
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def history(self, request, pk=None):
        annotation = self.get_object()
        if not visibility.may_see_history(request.user, annotation):
            raise PermissionDenied(
                "Only the author and moderators may see an annotation's history."
            )
        revisions = visibility.visible_revisions(request.user, annotation.revisions.all())
        revisions = revisions.select_related("changed_by").order_by("version", "id")
        return Response(serializers.AnnotationRevisionSerializer(revisions, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="Claims; `search` matches their text"),
    create=extend_schema(summary="Create a canonical claim"),
    retrieve=extend_schema(
        summary="A claim with its linked spans visible to you and its consensus",
        responses={200: serializers.ClaimDetailSerializer},
    ),
)
class ClaimViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = serializers.ClaimSerializer
    filterset_class = filters.ClaimFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        # Active annotations linked to the claim that this user may see (blind review).
        linked = visible_annotations(
            self.request.user,
            Annotation.objects.filter(claim_id=OuterRef("pk"), status=AnnotationStatus.ACTIVE),
        )
        counted = (
            linked.order_by()
            .annotate(_group=Value(1))
            .values("_group")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Claim.objects.annotate(
            annotation_count=Coalesce(Subquery(counted, output_field=IntegerField()), 0)
        )

    def perform_create(self, serializer):
        text = serializer.validated_data["text"]
        language = serializer.validated_data.get("language") or detect_language(text)
        with transaction.atomic():
            serializer.save(created_by=self.request.user, language=language)
        serializer.instance.annotation_count = 0

    def retrieve(self, request, *args, **kwargs):
        claim = self.get_object()
        spans = visible_annotations(
            request.user,
            Annotation.objects.filter(claim=claim)
            .select_related("reviewer")
            .prefetch_related("flags"),
        )
        consensus = (
            visible_consensus(request.user).filter(kind=Consensus.Kind.CLAIM, claim=claim).first()
        )
        context = {**self.get_serializer_context(), "spans": spans, "consensus": consensus}
        return Response(serializers.ClaimDetailSerializer(claim, context=context).data)

    @extend_schema(
        summary="Spans in any document and language that probably state this claim, ranked",
        responses={200: serializers.ClaimCandidateListSerializer},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def candidates(self, request, pk=None):
        from annotator.claim_matching.candidates import candidates_for_claim

        claim = self.get_object()
        rows = candidates_for_claim(claim, request.user)
        payload = {"claim": claim.pk, "results": [vars(row) for row in rows]}
        return Response(serializers.ClaimCandidateListSerializer(payload).data)

    @extend_schema(
        summary="Claims that a span probably states, ranked (the annotation panel's picker)",
        parameters=[serializers.ClaimsForSpanInput],
        responses={200: serializers.ClaimsForSpanSerializer},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="for-span",
        pagination_class=None,
        filterset_class=None,
    )
    def for_span(self, request):
        from annotator.claim_matching.candidates import claims_for_span

        params = serializers.ClaimsForSpanInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        document, start, end = (params.validated_data[k] for k in ("document", "start", "end"))
        rows = claims_for_span(document, start, end, request.user)
        payload = {
            "document": document.pk,
            "start": start,
            "end": end,
            "results": [vars(row) for row in rows],
        }
        return Response(serializers.ClaimsForSpanSerializer(payload).data)

    @extend_schema(
        summary="Accept (link as your annotation) or dismiss a proposed span",
        request=serializers.ClaimCandidateDecisionInput,
        responses={201: serializers.ClaimCandidateDecisionSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="candidates/decide",
        pagination_class=None,
        filterset_class=None,
    )
    def decide_candidate(self, request, pk=None):
        from annotator.claim_matching.candidates import decide_candidate

        claim = self.get_object()
        payload = serializers.ClaimCandidateDecisionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        decision = decide_candidate(
            claim,
            request.user,
            document=fields.pop("document"),
            start=fields.pop("start"),
            end=fields.pop("end"),
            decision=fields.pop("decision"),
            **fields,
        )
        data = serializers.ClaimCandidateDecisionSerializer(decision).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Claims that probably duplicate this one (moderators; merge with the admin)",
        responses={200: serializers.ClaimMergeProposalSerializer(many=True)},
    )
    @action(
        detail=True,
        methods=["get"],
        pagination_class=None,
        filterset_class=None,
        permission_classes=[IsModerator],
    )
    def duplicates(self, request, pk=None):
        from annotator.claim_matching.candidates import propose_merges

        proposals = propose_merges(self.get_object(), request.user)
        return Response(serializers.ClaimMergeProposalSerializer(proposals, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="Consensus rows visible to you (blind review applies)"),
    retrieve=extend_schema(
        summary="One consensus row (by id or group key)",
        responses=jsonld.retrieve_responses(serializers.ConsensusSerializer),
    ),
)
class ConsensusViewSet(
    jsonld.WebAnnotationRetrieveMixin, ApiViewMixin, viewsets.ReadOnlyModelViewSet
):
    serializer_class = serializers.ConsensusSerializer
    filterset_class = filters.ConsensusFilter
    # An id, or the group key that exported IRIs use (stable across backup and restore).
    lookup_value_regex = r"(?:\d+|(?:passage|span|claim)(?::\d+)+)"

    def get_queryset(self):
        return visible_consensus(self.request.user)

    def get_object(self):
        value = self.kwargs["pk"]
        if ":" not in value:
            return super().get_object()
        row = self.get_queryset().filter(key=value).first()
        if row is None:
            raise NotFound()
        return row

    def retrieve(self, request, *args, **kwargs):
        row = self.get_object()
        if jsonld.wants_web_annotation(request):
            return jsonld.consensus_response(row)
        return Response(self.get_serializer(row).data)


@extend_schema_view(list=extend_schema(summary="The flag taxonomy (retired flags included)"))
class FlagTypeViewSet(ApiViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.FlagTypeSerializer
    queryset = FlagType.objects.all()
    pagination_class = None
    filterset_class = None


@extend_schema_view(
    list=extend_schema(summary="Sources (publishers, sites)"),
    retrieve=extend_schema(summary="One source"),
)
class SourceViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.SourceSerializer
    filterset_class = None
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return Source.objects.annotate(document_count=Count("documents"))

    @extend_schema(
        summary="The source's reliability, derived from its passages' consensus, with counts",
        responses={200: serializers.SourceReliabilitySerializer},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def reliability(self, request, pk=None):
        summary = source_reliability.source_summary(self.get_object(), viewer=request.user)
        return Response(serializers.SourceReliabilitySerializer(summary).data)


@extend_schema_view(
    list=extend_schema(summary="Documents (without body)"),
    retrieve=extend_schema(
        summary="A document with its body and passages",
        responses={200: serializers.DocumentDetailSerializer},
    ),
)
class DocumentViewSet(DocumentCreateMixin, ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    filterset_class = filters.DocumentFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        queryset = Document.objects.annotate(length=Length("body"))
        if self.action == "retrieve":
            return queryset.prefetch_related("passages")
        return queryset.defer("body")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.DocumentDetailSerializer
        return serializers.DocumentSerializer

    def retrieve(self, request, *args, **kwargs):
        """Served from the cache: a body and its passages never change, and the key carries
        the row's ``updated_at`` and ``is_current``, so an edit or a new revision is a miss.
        Reading that version is one small query instead of the body, the passages and their
        serialization on every request."""
        pk = self.kwargs["pk"]
        version = Document.objects.filter(pk=pk).values_list("updated_at", "is_current").first()
        if version is None:
            raise NotFound("No document with this id.")
        key = f"api:document-detail:v1:{pk}:{version[0].isoformat()}:{int(version[1])}"
        data = cache.get(key)
        if data is None:
            data = self.get_serializer(self.get_object()).data
            cache.set(key, data, timeout=DOCUMENT_CACHE_SECONDS)
        return Response(data)

    @extend_schema(
        summary="Agreement among reviewers on this document (Krippendorff's alpha)",
        responses={200: serializers.AgreementSerializer},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def agreement(self, request, pk=None):
        figures = agreement.document_agreement(self.get_object(), viewer=request.user)
        return Response(serializers.AgreementSerializer(figures).data)


class SuggestionViewSet(ApiViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Machine suggestions: shown to reviewers, counted only once accepted as an annotation."""

    serializer_class = serializers.SuggestionSerializer
    filterset_class = filters.SuggestionFilter
    queryset = Suggestion.objects.select_related("flag")
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        from annotator.suggestions.learning import shown_suggestions

        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False) or not self.request.user.is_authenticated:
            return queryset
        return shown_suggestions(queryset, self.request.user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.request.user.is_authenticated:
            context["my_decisions"] = dict(
                SuggestionDecision.objects.filter(reviewer=self.request.user).values_list(
                    "suggestion_id", "decision"
                )
            )
        return context

    @extend_schema(
        summary="Accept a suggestion as your own annotation (fields override its defaults)",
        request=serializers._JudgmentFields,
        responses={201: serializers.AnnotationSerializer},
    )
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def accept(self, request, pk=None):
        from annotator.suggestions.decisions import accept_suggestion

        suggestion = self.get_object()
        payload = serializers._JudgmentFields(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        annotation = accept_suggestion(suggestion, request.user, **payload.validated_data)
        return _annotation_response(request, annotation, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Dismiss a suggestion",
        request=None,
        responses={200: serializers.SuggestionDecisionSerializer},
    )
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def dismiss(self, request, pk=None):
        from annotator.suggestions.decisions import dismiss_suggestion

        decision = dismiss_suggestion(self.get_object(), request.user)
        return Response(serializers.SuggestionDecisionSerializer(decision).data)


@extend_schema_view(
    list=extend_schema(summary="The moderation audit log (moderators only), newest first"),
    retrieve=extend_schema(summary="One audit record"),
)
class ModerationActionViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ModerationActionSerializer
    filterset_class = filters.ModerationActionFilter
    queryset = ModerationAction.objects.select_related("actor")
    lookup_value_regex = r"\d+"

    def get_permissions(self):
        return [*super().get_permissions(), IsModerator()]

    pagination_class = NewestFirstCursorPagination


class ApiTokenViewSet(
    ApiViewMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Your own API tokens. Managed from a browser session only."""

    serializer_class = serializers.ApiTokenSerializer
    filterset_class = None
    pagination_class = None
    lookup_value_regex = r"\d+"

    def get_permissions(self):
        return [*super().get_permissions(), SessionOnly()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user)

    @extend_schema(
        summary="Your API tokens",
        responses={200: serializers.ApiTokenSerializer(many=True)},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Create a token; the key is in this response only",
        responses={201: serializers.ApiTokenCreatedSerializer},
    )
    def create(self, request, *args, **kwargs):
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        token, key = create_token(
            request.user,
            payload.validated_data["name"],
            payload.validated_data.get("scope", ApiToken.Scope.EXPORT),
        )
        token.key = key
        return Response(
            serializers.ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(summary="Revoke a token", request=None)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = revoke_token(self.get_object())
        return Response(serializers.ApiTokenSerializer(token).data)


class CorpusAgreementView(ApiViewMixin, APIView):
    """Agreement over the whole corpus: ordinal alpha on ratings, nominal alpha per flag."""

    @extend_schema(
        summary="Agreement over the corpus (Krippendorff's alpha)",
        responses={200: serializers.AgreementSerializer},
    )
    def get(self, request):
        figures = agreement.corpus_agreement(viewer=request.user)
        return Response(serializers.AgreementSerializer(figures).data)


class CalibrationView(ApiViewMixin, APIView):
    """Each reviewer against the consensus of the others (leave-one-out). Moderators only."""

    permission_classes = [IsModerator]

    @extend_schema(
        summary="Reviewer calibration (moderators)",
        responses={200: serializers.CalibrationSerializer(many=True)},
    )
    def get(self, request):
        rows = agreement.reviewer_calibration()
        return Response(serializers.CalibrationSerializer(rows, many=True).data)


class MeView(ApiViewMixin, APIView):
    @extend_schema(summary="The current user", responses={200: serializers.MeSerializer})
    def get(self, request):
        user = request.user
        token = request.auth if isinstance(request.auth, ApiToken) else None
        data = {
            "id": user.pk,
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "is_moderator": user.is_moderator,
            "groups": sorted(user.groups.values_list("name", flat=True)),
            "blind_review": blind_review_enabled(),
            "auth": "token" if token else "session",
            "token_scope": token.scope if token else None,
        }
        return Response(serializers.MeSerializer(data).data)
