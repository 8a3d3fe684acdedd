"""Web pages of the campaigns: my assignments, the campaign list, form and page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from annotator.errors import AnnotationInputError, NotAllowedError
from annotator.models import Campaign, ModerationAction

from . import lifecycle
from .forms import CampaignForm
from .progress import campaign_progress
from .queue import my_assignments as my_assignment_rows
from .rules import can_manage_campaigns, can_view_campaign

HISTORY_LIMIT = 100


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
            for field, problems in error.errors.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(
                request, _("Campaign “%(name)s” created as a draft.") % {"name": campaign.name}
            )
            return redirect("campaign-page", campaign_id=campaign.pk)
    return render(request, "annotator/campaign_form.html", {"form": form})


def _viewable(request, campaign_id: int) -> Campaign:
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    if not can_view_campaign(request.user, campaign):
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
