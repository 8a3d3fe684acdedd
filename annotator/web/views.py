"""Views of the reviewer web UI: thin, the work is in ``reading`` and ``progress``."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from ..ingest.permissions import may_add_documents
from ..labels import translated_choices, translated_label
from ..models import (
    Annotation,
    AnnotationStatus,
    Claim,
    Consensus,
    ConsensusStatus,
    Document,
    Passage,
    Source,
)
from ..search.query import best_passages, matching_document_ids
from ..source_reliability import source_summary
from ..visibility import is_blind, visible_annotations, visible_consensus
from .claim_candidates import candidates_context, duplicates_context
from .forms import DocumentFilterForm
from .progress import (
    DOCUMENT_STATUSES,
    document_status,
    documents_with_progress,
    filter_by_status,
    next_passage_for,
)
from .reading import build_reading_view

DOCUMENTS_PER_PAGE = 50
# A search lists the newest matching documents up to this many (four pages): finding them costs
# in proportion to this number for a common word (docs/documents.md, "Search").
SEARCH_DOCUMENTS = 200


@require_GET
@login_required
def dashboard(request):
    form = DocumentFilterForm(request.GET or None)
    documents = documents_with_progress(request.user)
    capped = False
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            # Titles and bodies through the search index (both Chinese scripts), the newest
            # SEARCH_DOCUMENTS matching documents (a bounded cost per page); sources by name.
            found = matching_document_ids(data["q"], limit=SEARCH_DOCUMENTS)
            capped = len(found) >= SEARCH_DOCUMENTS
            documents = documents.filter(Q(pk__in=found) | Q(source__name__icontains=data["q"]))
        if data["source"]:
            documents = documents.filter(source=data["source"])
        if data["language"]:
            documents = documents.filter(language=data["language"])
        if data["status"]:
            documents = filter_by_status(documents, data["status"])
    page = Paginator(documents, DOCUMENTS_PER_PAGE).get_page(request.GET.get("page"))
    search = form.cleaned_data["q"] if form.is_valid() else ""
    snippets = best_passages([d.pk for d in page], search) if search else {}
    for document in page:
        document.status = document_status(document)
        document.status_label = DOCUMENT_STATUSES[document.status]
        document.hit = snippets.get(document.pk)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "annotator/dashboard.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "filtered": bool(request.GET),
            "blind": is_blind(request.user),
            "may_add_documents": may_add_documents(request.user),
            "search_capped": capped,
        },
    )


def _current_document_or_redirect(document_id: int):
    document = get_object_or_404(Document.objects.select_related("source"), pk=document_id)
    if not document.is_current:
        newest = document
        while getattr(newest, "next_revision", None) is not None:
            newest = newest.next_revision
        return document, newest
    return document, None


@require_GET
@login_required
def document_detail(request, document_id: int):
    document, newer = _current_document_or_redirect(document_id)
    view = build_reading_view(document, request.user)
    template = (
        "annotator/_document_text.html"
        if request.GET.get("fragment") == "text"
        else "annotator/document.html"
    )
    return render(
        request,
        template,
        {
            "document": document,
            "newer": newer,
            "view": view,
            "reliability_choices": translated_choices(),
            "consensus_statuses": ConsensusStatus.choices,
            "quorum": settings.ANNOTATOR["QUORUM"],
        },
    )


@require_GET
@login_required
def claim_detail(request, claim_id: int):
    claim = get_object_or_404(Claim, pk=claim_id)
    if claim.merged_into_id:
        seen = {claim.pk}
        target = claim.merged_into
        while target.merged_into_id and target.merged_into_id not in seen:
            seen.add(target.pk)
            target = target.merged_into
        return redirect("claim-page", claim_id=target.pk)
    linked = (
        visible_annotations(
            request.user,
            Annotation.objects.filter(
                Q(claim=claim) | Q(claim__merged_into=claim), status=AnnotationStatus.ACTIVE
            ),
        )
        .select_related("document", "document__source", "reviewer", "passage")
        .prefetch_related("flags")
        .order_by("document_id", "start", "id")
    )
    linked = list(linked)
    claim_rows = Consensus.objects.filter(kind=Consensus.Kind.CLAIM, claim=claim)
    consensus = visible_consensus(request.user, claim_rows).first()
    show_consensus = consensus is not None
    documents = {}
    for annotation in linked:
        documents.setdefault(annotation.document, []).append(annotation)
    flag_support = []
    if show_consensus:
        flag_support = sorted(
            ((slug, round(share * 100)) for slug, share in (consensus.flag_support or {}).items()),
            key=lambda item: -item[1],
        )
    distribution = []
    if show_consensus:
        counts = consensus.rating_distribution or {}
        total = sum(int(value) for value in counts.values()) or 1
        distribution = [
            (
                value,
                label,
                int(counts.get(str(value), 0)),
                round(100 * int(counts.get(str(value), 0)) / total),
            )
            for value, label in translated_choices()
        ]
    return render(
        request,
        "annotator/claim.html",
        {
            "claim": claim,
            "documents": documents.items(),
            "annotation_count": len(linked),
            "consensus": consensus if show_consensus else None,
            # Blind: say how to unlock it, never whether a consensus exists yet.
            "consensus_hidden": not show_consensus and is_blind(request.user),
            "flag_support": flag_support,
            "distribution": distribution,
            "languages": sorted({doc.language for doc in documents}),
            "candidates": candidates_context(claim, request.user),
            "duplicates": duplicates_context(claim, request.user),
            "reliability_choices": translated_choices(),
        },
    )


@require_GET
@login_required
def next_passage(request):
    after = None
    if request.GET.get("after", "").isdigit():
        after = Passage.objects.filter(pk=int(request.GET["after"])).first()
    passage = next_passage_for(request.user, after=after)
    if passage is None:
        return render(request, "annotator/queue_empty.html")
    url = reverse("document-read", kwargs={"document_id": passage.document_id})
    return redirect(f"{url}#p{passage.index}")


@require_GET
@login_required
def source_detail(request, source_id: int):
    """A source's reliability: its passages' consensus summarised, with the counts behind it."""
    source = get_object_or_404(Source, pk=source_id)
    summary = source_summary(source, viewer=request.user)
    decided = summary["decided_passages"] or 0
    medians = [
        (value, count, round(100 * count / decided) if decided else 0)
        for value, count in summary["median_distribution"].items()
        if count
    ]
    return render(
        request,
        "annotator/source.html",
        {
            "source": source,
            "summary": summary,
            "blind": is_blind(request.user),
            "medians": medians,
            "median_label": translated_label(summary["median_of_passage_medians"]),
            "documents": source.documents.filter(is_current=True).defer("body").order_by("title"),
        },
    )
