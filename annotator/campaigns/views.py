"""Web pages of the campaigns: my assignments, the campaign list, form and page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from annotator.errors import AnnotationInputError, NotAllowedError
from annotator.models import Campaign, CampaignMember, ModerationAction
from annotator.visibility import may_see_campaign

from . import lifecycle
from .forms import CampaignForm, DocumentsForm, ReassignForm
from .progress import campaign_progress
from .queue import my_assignments as my_assignment_rows
from .queue import open_in_campaign
from .rules import can_manage_campaigns

HISTORY_LIMIT = 100
# Open assignments offered in the reassignment form's passage list (queue order).
REASSIGN_CHOICES = 500


@require_GET
@login_required
def my_assignments(request):
    return render(
        request, "annotator/my_assignments.html", {"rows": my_assignment_rows(request.user)}
    )


@require_GET
@login_required
def campaign_list(request):
    campaigns = Campaign.objects.all()
    if not can_manage_campaigns(request.user):
        campaigns = campaigns.filter(members__reviewer_id=request.user.pk)
    return render(
        request,
        "annotator/campaign_list.html",
        {"campaigns": campaigns, "can_manage": can_manage_campaigns(request.user)},
    )


@require_http_methods(["GET", "POST"])
@login_required
def campaign_new(request):
    if not can_manage_campaigns(request.user):
        raise PermissionDenied
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = lifecycle.create_campaign(by=request.user, **form.service_arguments())
        except AnnotationInputError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, _("Campaign “%(name)s” created as a draft.") % {"name": campaign.name}
            )
            return redirect("campaign-page", campaign_id=campaign.pk)
    status = 400 if form.errors else 200
    return render(request, "annotator/campaign_form.html", {"form": form}, status=status)


def _add_errors(form, error: AnnotationInputError, fields: dict | None = None) -> None:
    """The domain's field-named refusals onto the form (``fields`` maps domain keys to form
    fields); a key the form has no field for becomes a form-wide error."""
    for key, problems in error.errors.items():
        field = (fields or {}).get(key, key)
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


def _viewable(request, campaign_id: int) -> Campaign:
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    if not may_see_campaign(request.user, campaign):
        raise Http404(_("No such campaign."))
    return campaign


@require_GET
@login_required
def campaign_page(request, campaign_id: int):
    campaign = _viewable(request, campaign_id)
    manager = can_manage_campaigns(request.user)
    history = []
    if manager:
        history = ModerationAction.objects.filter(
            target_type=Campaign._meta.label_lower, target_id=str(campaign.pk)
        ).select_related("actor")[:HISTORY_LIMIT]
    return render(
        request,
        "annotator/campaign.html",
        {
            "campaign": campaign,
            "progress": campaign_progress(campaign, request.user),
            "can_manage": manager,
            "can_reassign": manager and campaign.status == Campaign.Status.OPEN,
            "history": history,
        },
    )


def _transition(request, campaign_id: int, change, done: str):
    campaign = _viewable(request, campaign_id)
    try:
        change(campaign, by=request.user)
    except NotAllowedError as error:
        raise PermissionDenied(str(error)) from None
    except AnnotationInputError as error:
        for problems in error.errors.values():
            for problem in problems:
                messages.error(request, problem)
    else:
        messages.success(request, done)
    return redirect("campaign-page", campaign_id=campaign.pk)


@require_POST
@login_required
def campaign_open(request, campaign_id: int):
    return _transition(request, campaign_id, lifecycle.open_campaign, _("Campaign opened."))


@require_POST
@login_required
def campaign_close(request, campaign_id: int):
    return _transition(request, campaign_id, lifecycle.close_campaign, _("Campaign closed."))


@require_http_methods(["GET", "POST"])
@login_required
def campaign_reassign(request, campaign_id: int):
    """Move one open assignment from a reviewer to another, with a reason (managers only).

    ``?from=<username>`` picks whose open assignments are listed; the move itself is
    ``lifecycle.reassign``, the same rule and audit record as the API's."""
    if not can_manage_campaigns(request.user):
        raise PermissionDenied
    campaign = _viewable(request, campaign_id)
    members = list(
        CampaignMember.objects.filter(campaign=campaign)
        .order_by("reviewer__username")
        .values_list("reviewer__username", "reviewer_id", "reviewer__is_active")
    )
    reviewer_ids = {name: pk for name, pk, _active in members}
    chosen = request.POST.get("from_reviewer") or request.GET.get("from") or ""
    if chosen not in reviewer_ids:
        chosen = ""
    assignments = (
        open_in_campaign(campaign, reviewer_ids[chosen], REASSIGN_CHOICES) if chosen else []
    )
    form = ReassignForm(
        request.POST or None,
        initial={"from_reviewer": chosen},
        members=[name for name, _pk, active in members if active and name != chosen],
        assignments=assignments,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                lifecycle.reassign(campaign, by=request.user, **form.service_arguments())
            except AnnotationInputError as error:
                _add_errors(form, error, ReassignForm.FIELDS)
            else:
                data = form.cleaned_data
                messages.success(
                    request,
                    _("Passage reassigned from %(from)s to %(to)s.")
                    % {"from": data["from_reviewer"], "to": data["to_reviewer"]},
                )
                return redirect("campaign-page", campaign_id=campaign.pk)
        status = 400
    return render(
        request,
        "annotator/campaign_reassign.html",
        {
            "campaign": campaign,
            "form": form,
            "members": list(reviewer_ids),
            "chosen": chosen,
            "assignments": assignments,
            "limit": REASSIGN_CHOICES,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def campaign_documents(request, campaign_id: int):
    """Add documents by hand or by filter (managers only): ``lifecycle.add_documents``, which
    in an open campaign assigns only the new passages."""
    if not can_manage_campaigns(request.user):
        raise PermissionDenied
    campaign = _viewable(request, campaign_id)
    form = DocumentsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = lifecycle.add_documents(campaign, by=request.user, **form.document_arguments())
        except AnnotationInputError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("%(count)s document(s) added.") % {"count": len(added)})
            return redirect("campaign-page", campaign_id=campaign.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "annotator/campaign_documents.html",
        {"campaign": campaign, "form": form},
        status=status,
    )
