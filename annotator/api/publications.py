"""``/api/v1/claims/{id}/publication/``: a moderator publishes or retracts a claim's fact-check."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.exports.links import Links
from annotator.factchecks.publishing import (
    PublicationConflict,
    publish_fact_check,
    retract_fact_check,
)
from annotator.models import Claim, FactCheck

from .permissions import IsModerator
from .views import ApiViewMixin


class PublicationInput(serializers.Serializer):
    headline = serializers.CharField(help_text="The claim in one line; ≤ 75 characters advised")
    summary = serializers.CharField(help_text="The verdict's reasoning")
    rating_text = serializers.CharField(required=False, help_text="Default: the rating's label")


def _output(fact_check: FactCheck, warnings=()) -> dict:
    return {
        "url": Links.from_settings().fact_check(fact_check.slug),
        "slug": fact_check.slug,
        "headline": fact_check.headline,
        "rating_text": fact_check.rating_text,
        "rating_value": fact_check.rating_value,
        "published_at": fact_check.published_at.isoformat(),
        "retracted_at": fact_check.retracted_at.isoformat() if fact_check.retracted_at else None,
        "warnings": list(warnings),
    }


_Output = inline_serializer(
    "Publication",
    {
        "url": serializers.URLField(),
        "slug": serializers.CharField(),
        "headline": serializers.CharField(),
        "rating_text": serializers.CharField(),
        "rating_value": serializers.FloatField(allow_null=True),
        "published_at": serializers.DateTimeField(),
        "retracted_at": serializers.DateTimeField(allow_null=True),
        "warnings": serializers.ListField(child=serializers.CharField()),
    },
)


class ClaimPublicationView(ApiViewMixin, APIView):
    permission_classes = [*APIView.permission_classes, IsModerator]
    error_codes = {"post": {409: OpenApiTypes.OBJECT}, "delete": {409: OpenApiTypes.OBJECT}}

    def _claim(self, pk) -> Claim:
        return get_object_or_404(Claim, pk=pk)

    @extend_schema(summary="The claim's fact-check (moderators)", responses={200: _Output})
    def get(self, request, pk):
        fact_check = get_object_or_404(FactCheck, claim=self._claim(pk))
        return Response(_output(fact_check))

    @extend_schema(
        summary="Publish the claim's verdict as a public fact-check (agreed or adjudicated only)",
        request=PublicationInput,
        responses={201: _Output},
    )
    def post(self, request, pk):
        claim = self._claim(pk)
        data = request.data if isinstance(request.data, dict) else {}
        try:
            published = publish_fact_check(
                claim,
                moderator=request.user,
                headline=data.get("headline"),
                summary=data.get("summary"),
                rating_text=data.get("rating_text"),
            )
        except PublicationConflict as conflict:
            return Response(conflict.errors, status=status.HTTP_409_CONFLICT)
        return Response(
            _output(published.fact_check, published.warnings), status=status.HTTP_201_CREATED
        )

    @extend_schema(summary="Retract the fact-check: its page answers 410", responses={204: None})
    def delete(self, request, pk):
        try:
            retract_fact_check(self._claim(pk), moderator=request.user)
        except PublicationConflict as conflict:
            return Response(conflict.errors, status=status.HTTP_409_CONFLICT)
        return Response(status=status.HTTP_204_NO_CONTENT)
