"""Campaign API views: thin wrappers over ``lifecycle``, ``queue`` and ``progress``."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.api.pagination import IdCursorPagination
from annotator.api.views import ApiViewMixin
from annotator.models import Assignment, Campaign, User
from annotator.visibility import may_see_campaign

from . import lifecycle, serializers
from .progress import campaign_progress
from .queue import assignment_rows
from .rules import can_manage_campaigns


def _campaign(request, campaign_id: int) -> Campaign:
    campaign = get_object_or_404(
        Campaign.objects.prefetch_related("members__reviewer", "documents"), pk=campaign_id
    )
    if not may_see_campaign(request.user, campaign):
        raise NotFound("No such campaign.")
    return campaign


def _manager(request) -> None:
    if not can_manage_campaigns(request.user):
        raise PermissionDenied("Only editors, moderators and administrators manage campaigns.")


def _present(request, campaign: Campaign, code=status.HTTP_200_OK) -> Response:
    campaign = Campaign.objects.prefetch_related("members__reviewer", "documents").get(
        pk=campaign.pk
    )
    return Response(serializers.CampaignSerializer(campaign).data, status=code)


class CampaignListCreateView(ApiViewMixin, APIView):
    @extend_schema(responses=serializers.CampaignSerializer(many=True))
    def get(self, request):
        campaigns = Campaign.objects.prefetch_related("members__reviewer", "documents")
        if not can_manage_campaigns(request.user):
            campaigns = campaigns.filter(members__reviewer_id=request.user.pk)
        return Response(serializers.CampaignSerializer(campaigns, many=True).data)

    @extend_schema(
        request=serializers.CampaignCreateSerializer,
        responses={201: serializers.CampaignSerializer},
    )
    def post(self, request):
        _manager(request)
        payload = serializers.CampaignCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        campaign = lifecycle.create_campaign(by=request.user, **payload.validated_data)
        return _present(request, campaign, status.HTTP_201_CREATED)


class CampaignDetailView(ApiViewMixin, APIView):
    @extend_schema(responses=serializers.CampaignSerializer)
    def get(self, request, campaign_id: int):
        return _present(request, _campaign(request, campaign_id))


class _CampaignAction(ApiViewMixin, APIView):
    def campaign(self, request, campaign_id: int) -> Campaign:
        _manager(request)
        return _campaign(request, campaign_id)


class CampaignOpenView(_CampaignAction):
    @extend_schema(request=None, responses=serializers.CampaignSerializer)
    def post(self, request, campaign_id: int):
        campaign = lifecycle.open_campaign(self.campaign(request, campaign_id), by=request.user)
        return _present(request, campaign)


class CampaignCloseView(_CampaignAction):
    @extend_schema(request=None, responses=serializers.CampaignSerializer)
    def post(self, request, campaign_id: int):
        campaign = lifecycle.close_campaign(self.campaign(request, campaign_id), by=request.user)
        return _present(request, campaign)


class CampaignDocumentsView(_CampaignAction):
    @extend_schema(
        request=serializers.DocumentsAddSerializer, responses=serializers.CampaignSerializer
    )
    def post(self, request, campaign_id: int):
        campaign = self.campaign(request, campaign_id)
        payload = serializers.DocumentsAddSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        lifecycle.add_documents(campaign, by=request.user, **payload.validated_data)
        return _present(request, campaign)


class CampaignReviewersView(_CampaignAction):
    @extend_schema(
        request=serializers.ReviewersAddSerializer, responses=serializers.CampaignSerializer
    )
    def post(self, request, campaign_id: int):
        campaign = self.campaign(request, campaign_id)
        payload = serializers.ReviewersAddSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        lifecycle.add_reviewers(campaign, by=request.user, **payload.validated_data)
        return _present(request, campaign)


class CampaignReassignView(ApiViewMixin, APIView):
    @extend_schema(
        request=serializers.ReassignSerializer, responses=serializers.AssignmentSerializer
    )
    def post(self, request, campaign_id: int):
        _manager(request)
        campaign = _campaign(request, campaign_id)
        payload = serializers.ReassignSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        assignment = lifecycle.reassign(
            campaign,
            passage_id=data["passage"],
            from_username=data["from"],
            to_username=data["to"],
            by=request.user,
            reason=data["reason"],
        )
        row = assignment_rows(Assignment.objects.filter(pk=assignment.pk)).get()
        return Response(serializers.AssignmentSerializer(row).data)


class CampaignProgressView(ApiViewMixin, APIView):
    @extend_schema(responses=dict)
    def get(self, request, campaign_id: int):
        return Response(campaign_progress(_campaign(request, campaign_id), request.user))


class AssignmentListView(ApiViewMixin, ListAPIView):
    """The requesting reviewer's assignments; moderators may ask for anyone's (``reviewer``)."""

    serializer_class = serializers.AssignmentSerializer
    pagination_class = IdCursorPagination
    filter_backends = []

    def get_queryset(self):
        params = self.request.query_params
        rows = Assignment.objects.all()
        campaign = params.get("campaign")
        if campaign is not None:
            if not campaign.isdigit():
                raise ValidationError({"campaign": ["Must be a campaign id."]})
            rows = rows.filter(campaign_id=int(campaign))
        reviewer = params.get("reviewer")
        if reviewer is not None and reviewer != self.request.user.username:
            if not self.request.user.is_moderator:
                raise PermissionDenied("Only moderators may list other reviewers' assignments.")
            user = User.objects.filter(username=reviewer).first()
            if user is None:
                raise ValidationError({"reviewer": [f"Unknown reviewer {reviewer!r}."]})
            rows = rows.filter(reviewer=user)
        else:
            rows = rows.filter(reviewer_id=self.request.user.pk)
        return assignment_rows(rows)
