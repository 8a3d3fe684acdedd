"""The "Add a document" page: paste, upload or fetch; preview; save. And "view original".

Thin: extraction, checks and saving are in ``annotator.ingest``.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..importing import ImportProblem, iter_records
from ..ingest import batch, fetching, previews, service
from ..ingest.errors import IngestError
from ..ingest.extract import JSONL, media_type_for
from ..ingest.permissions import may_add_documents
from ..ingest.snapshots import put_bytes, read_bytes  # noqa: F401
from ..models import Document
from .adding_forms import DocumentAddForm, DocumentSaveForm

VALUE_FIELDS = ("title", "source", "url", "language", "published")


def _require_editor(user):
    if not may_add_documents(user):
        raise PermissionDenied(_("Only editors, moderators and admins may add documents."))


def _form_error(form, error: IngestError):
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def _batch_preview(request, form, data: bytes, filename: str):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / (Path(filename).name or "batch.jsonl")
        path.write_bytes(data)
        items = list(iter_records([path]))
    rows = [
        {"label": str(item).replace(f"{folder}/", ""), "problem": True}
        if isinstance(item, ImportProblem)
        else {"label": item.title or item.body[:80], "problem": False}
        for item in items
    ]
    token = signing.dumps(
        {"sha256": put_bytes(data), "filename": filename, "batch": True}, salt=previews.SALT
    )
    return render(
        request,
        "annotator/document_batch_preview.html",
        {"rows": rows, "token": token, "filename": filename},
    )


@require_http_methods(["GET", "POST"])
@login_required
def document_new(request):
    _require_editor(request.user)
    fetch_enabled = settings.DOCUMENT_FETCH_ENABLED
    form = DocumentAddForm(request.POST or None, request.FILES or None, fetch_enabled=fetch_enabled)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {name: data[name] for name in VALUE_FIELDS if data[name]}
        try:
            if data["way"] == "file":
                upload = data["file"]
                media_type = media_type_for(upload.name, upload.content_type)
                service.check_size(upload.size)
                content = upload.read()
                if media_type == JSONL:
                    return _batch_preview(request, form, content, upload.name)
                draft = service.prepare(
                    data=content, media_type=media_type, values=values, filename=upload.name
                )
            elif data["way"] == "fetch_url":
                draft = fetching.fetch_draft(data["fetch_url"], values)
            else:
                draft = service.prepare_text(body=data["body"], values=values)
        except IngestError as error:
            _form_error(form, error)
        else:
            save_form = DocumentSaveForm(
                initial={
                    "token": previews.token_for(draft),
                    "title": draft.title,
                    "source": draft.source,
                    "language": draft.language,
                    "url": draft.url,
                    "published": draft.published.isoformat() if draft.published else "",
                }
            )
            return render(
                request,
                "annotator/document_preview.html",
                {"draft": draft, "form": save_form, "passages": draft.passages()},
            )
    status = 400 if form.errors else 200
    return render(
        request,
        "annotator/document_new.html",
        {"form": form, "fetch_enabled": fetch_enabled},
        status=status,
    )


@require_POST
@login_required
def document_save(request):
    _require_editor(request.user)
    form = DocumentSaveForm(request.POST)
    if not form.is_valid():
        return redirect("document-new")
    try:
        token = signing.loads(
            form.cleaned_data["token"], salt=previews.SALT, max_age=previews.MAX_AGE
        )
    except signing.BadSignature:
        return render(
            request,
            "annotator/document_new.html",
            {"form": DocumentAddForm(), "expired": True},
            status=400,
        )
    try:
        if token.get("batch"):
            outcomes = batch.save_batch(read_bytes(token["sha256"]), filename=token["filename"])
            return render(request, "annotator/document_batch_done.html", {"outcomes": outcomes})
        values = {name: form.cleaned_data[name] for name in VALUE_FIELDS}
        draft = previews.draft_from_token(form.cleaned_data["token"], values)
        outcome = service.save(draft)
    except IngestError as error:
        _form_error(form, error)
        return render(
            request,
            "annotator/document_preview.html",
            {"form": form, "draft": None, "passages": []},
            status=400,
        )
    return redirect(f"/documents/{outcome.document.pk}/?added={outcome.result}")


@require_GET
@login_required
def document_original(request, document_id: int):
    """The snapshot's bytes, as captured. Served sandboxed: a stored page cannot run scripts."""
    document = get_object_or_404(Document.objects.select_related("snapshot"), pk=document_id)
    snapshot = document.snapshot
    if snapshot is None:
        raise Http404(_("This document has no stored original."))
    inline_types = {"application/pdf", "text/plain", "text/markdown"}
    content_type = snapshot.media_type
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8" if content_type != "text/html" else ""
    response = FileResponse(
        snapshot.file.open("rb"),
        content_type=content_type,
        as_attachment=snapshot.media_type not in inline_types | {"text/html"},
        filename=snapshot.filename or f"original-{document.pk}",
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response
