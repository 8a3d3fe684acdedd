"""JSON-LD for one resource, by content negotiation on its IRI (as Hypothesis does).

``GET /api/v1/annotations/{id}/`` (and ``/api/v1/consensus/{id or key}/``) with
``Accept: application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"`` answers with the
W3C Web Annotation item that the exports carry for it, through the same visibility policy.
"""

from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from annotator.exports import streams

ANNO_PROFILE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


class WebAnnotationRenderer(JSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


class WebAnnotationRetrieveMixin:
    """Offer the JSON-LD renderer on ``retrieve`` only (a list stays the API's own JSON)."""

    def get_renderers(self):
        renderers = super().get_renderers()
        if getattr(self, "action", None) == "retrieve":
            renderers.append(WebAnnotationRenderer())
        return renderers


def retrieve_responses(serializer) -> dict:
    """OpenAPI: the API's JSON, or the Web Annotation item by content negotiation."""
    from drf_spectacular.types import OpenApiTypes

    return {
        (200, "application/json"): serializer,
        (200, "application/ld+json"): OpenApiTypes.OBJECT,
    }


def wants_web_annotation(request) -> bool:
    renderer = getattr(request, "accepted_renderer", None)
    return renderer is not None and renderer.format == WebAnnotationRenderer.format


def annotation_response(annotation) -> Response:
    return Response(streams.annotation_jsonld(annotation.pk), content_type=ANNO_PROFILE)


def consensus_response(row) -> Response:
    return Response(streams.consensus_jsonld(row.pk), content_type=ANNO_PROFILE)
