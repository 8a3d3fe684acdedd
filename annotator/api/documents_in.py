"""``POST /api/v1/documents/``: add a document as JSON (text) or multipart (a file).

Thin: the work is in ``annotator.ingest.service``; errors are ``IngestError`` mapped in
``api/errors.py`` to 400/403/413/415 naming the field.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from annotator.ingest import batch, fetching, service
from annotator.ingest.errors import IngestError
from annotator.ingest.extract import JSONL, check_size, max_bytes, media_type_for
from annotator.ingest.permissions import may_add_documents
from annotator.models import Document

from .errors import PayloadTooLarge
from .parsers import LimitedJSONParser


class DocumentJSONParser(LimitedJSONParser):
    """A pasted text may be larger than other JSON requests: the upload limit applies."""

    limit_setting = "DOCUMENT_MAX_UPLOAD_BYTES"


class DocumentTextSerializer(serializers.Serializer):
    """For the schema only: the service checks the fields, by the rules of
    ``annotator/validators.py`` (through ``annotator/ingest/fields.py``)."""

    body = serializers.CharField(required=False, help_text="The text (or use fetch_url)")
    fetch_url = serializers.CharField(
        required=False, help_text="Fetch this http(s) URL instead (DOCUMENT_FETCH_ENABLED)"
    )
    title = serializers.CharField(required=False)
    source = serializers.CharField(required=False)
    url = serializers.CharField(required=False)
    language = serializers.CharField(required=False, help_text="BCP 47, e.g. en, zh-Hant")
    published = serializers.DateField(required=False)
    origin = serializers.CharField(
        required=False, help_text="Identity across revisions (default: the URL)"
    )


# The optional fields that come with a text, a file or a fetch: named once, by the serializer.
VALUE_FIELDS = tuple(
    name for name in DocumentTextSerializer().fields if name not in ("body", "fetch_url")
)


class DocumentFileSerializer(DocumentTextSerializer):
    # Optional: a form may carry `body` or `fetch_url` instead, as the JSON request does.
    file = serializers.FileField(
        required=False,
        help_text=".txt .md .html .htm .pdf .docx, or .jsonl for a batch (else body or fetch_url)",
    )


class SnapshotSerializer(serializers.Serializer):
    sha256 = serializers.CharField()
    media_type = serializers.CharField()
    size = serializers.IntegerField()
    captured_at = serializers.DateTimeField()
    filename = serializers.CharField()
    url = serializers.CharField()


class IngestedDocumentSerializer(serializers.ModelSerializer):
    snapshot = SnapshotSerializer(read_only=True, allow_null=True)
    passages = serializers.SerializerMethodField()
    # An http(s) URL or empty (a pasted text has none): not format "uri", which excludes "".
    url = serializers.CharField(read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "source",
            "url",
            "language",
            "published",
            "author",
            "sha256",
            "origin",
            "previous",
            "is_current",
            "snapshot",
            "passages",
            "created_at",
        ]
        read_only_fields = fields

    def get_passages(self, document) -> int:
        return document.passages.count()


def _outcome_data(outcome) -> dict:
    data = IngestedDocumentSerializer(outcome.document).data
    data["result"] = outcome.result
    return data


def _values(request) -> dict:
    data = request.data
    return {name: data.get(name) for name in VALUE_FIELDS if data.get(name) is not None}


class DocumentCreateMixin:
    """Adds ``create`` to the documents viewset."""

    parser_classes = [DocumentJSONParser, MultiPartParser]

    @extend_schema(
        summary="Add a document: JSON with a body, or multipart with a file",
        request={
            "application/json": DocumentTextSerializer,
            "multipart/form-data": DocumentFileSerializer,
        },
        responses={201: IngestedDocumentSerializer, 200: IngestedDocumentSerializer},
    )
    def create(self, request, *args, **kwargs):
        if not may_add_documents(request.user):
            raise PermissionDenied("Only editors, moderators and admins may add documents.")
        declared = request.META.get("CONTENT_LENGTH")
        if declared and declared.isdigit() and int(declared) > max_bytes() + 65_536:
            raise PayloadTooLarge(
                f"The request body is {int(declared):,} bytes; the limit is {max_bytes():,}."
            )
        if not isinstance(request.data, dict):  # e.g. a JSON list: there are no fields to read
            raise IngestError("body", "Send a JSON object (or a multipart form) with the fields.")
        upload = request.FILES.get("file")
        values = _values(request)
        if upload is not None:
            media_type = media_type_for(upload.name, upload.content_type)
            if upload.size > max_bytes():
                check_size(upload.size)
            data = upload.read()
            if media_type == JSONL:
                outcomes = batch.save_batch(data, filename=upload.name)
                created = any(o.result != "unchanged" for o in outcomes)
                return Response(
                    {"results": [_outcome_data(o) for o in outcomes]},
                    status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
                )
            draft = service.prepare(
                data=data,
                media_type=media_type,
                values=values,
                filename=upload.name,
                warnings=False,
            )
        elif "file" in request.data:
            raise IngestError("file", "Send the file as a multipart file part.")
        elif request.data.get("fetch_url") not in (None, ""):
            draft = fetching.fetch_draft(request.data.get("fetch_url"), values)
        else:
            draft = service.prepare_text(
                body=request.data.get("body"), values=values, warnings=False
            )
        outcome = service.save(draft)
        code = status.HTTP_200_OK if outcome.result == "unchanged" else status.HTTP_201_CREATED
        return Response(_outcome_data(outcome), status=code)
