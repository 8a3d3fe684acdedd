"""The claim page's proposed spans and duplicate claims (claim matching), and linking a span.

Thin: ranking and recording live in ``annotator.claim_matching.candidates``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..annotations import AnnotationInputError, NotAllowedError
from ..claim_matching.candidates import candidates_for_claim, decide_candidate, propose_merges
from ..models import Claim, Document, PassageEmbedding


def candidates_context(claim: Claim, user) -> list[dict]:
    """Candidates for the template: each with its document, passage anchor and score."""
    if not PassageEmbedding.objects.exists():
        return []
    rows = candidates_for_claim(claim, user)
    documents = Document.objects.in_bulk({row.document for row in rows})
    out = []
    for row in rows:
        url = reverse("document-read", kwargs={"document_id": row.document})
        out.append(
            {
                "candidate": row,
                "document": documents[row.document],
                # The reading view opens its form on this span with the claim chosen.
                "url": f"{url}#span={row.start}-{row.end}&claim={claim.pk}",
            }
        )
    return out


def duplicates_context(claim: Claim, user) -> list[dict]:
    """Moderators only: claims that probably duplicate this one, with a link to merge them."""
    if not getattr(user, "is_moderator", False):
        return []
    changelist = reverse("admin:annotator_claim_changelist")
    return [
        {**row, "merge_url": f"{changelist}?id__in={claim.pk},{row['claim']}"}
        for row in propose_merges(claim, user)
    ]


def _int(value) -> int | None:
    return int(value) if str(value).isdigit() else None


@require_POST
@login_required
def decide(request, claim_id: int):
    """Link a proposed span to the claim with the rating clicked, or dismiss it."""
    claim = get_object_or_404(Claim, pk=claim_id)
    document = get_object_or_404(Document, pk=_int(request.POST.get("document")) or 0)
    start, end = _int(request.POST.get("start")), _int(request.POST.get("end"))
    decision = "dismissed" if request.POST.get("decision") == "dismissed" else "accepted"
    fields = {}
    if decision == "accepted":
        fields["reliability"] = _int(request.POST.get("reliability"))
    try:
        if start is None or end is None:
            raise AnnotationInputError({"start": ["Give the span's start and end."]})
        decide_candidate(
            claim,
            request.user,
            document=document,
            start=start,
            end=end,
            decision=decision,
            **fields,
        )
    except (AnnotationInputError, NotAllowedError) as error:
        messages.error(request, _("Not saved: %(error)s") % {"error": error})
    else:
        messages.success(
            request, _("Linked to this claim.") if decision == "accepted" else _("Dismissed.")
        )
    return redirect("claim-page", claim_id=claim.pk)
