"""The download menu of the reviewer pages: links to the export API, which the session
authenticates, so a download shows exactly what the API would show this user."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from annotator.exports.streams import ANNOTATION_FORMATS, CONSENSUS_FORMATS

register = template.Library()

FORMAT_NAMES = {
    "jsonl": "JSON Lines",
    "json": "JSON",
    "csv": "CSV",
    "jsonld": "W3C Web Annotation (JSON-LD)",
    "claimreview": "ClaimReview (JSON-LD)",
    "parquet": "Parquet",
}


@register.inclusion_tag("annotator/_download_menu.html")
def download_menu(document_id=None):
    """Every export format of annotations and consensus, narrowed to one document if given."""
    scope = {"document": document_id} if document_id else {}

    def links(view: str, formats) -> list[tuple[str, str]]:
        url = reverse(f"api:{view}")
        return [
            (FORMAT_NAMES.get(fmt, fmt), f"{url}?{urlencode({**scope, 'format': fmt})}")
            for fmt in formats
        ]

    return {
        "annotation_links": links("export-annotations", ANNOTATION_FORMATS),
        "consensus_links": links("export-consensus", CONSENSUS_FORMATS),
        "scoped": bool(document_id),
    }
