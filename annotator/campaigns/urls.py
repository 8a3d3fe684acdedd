"""URL lines of the campaigns: API (under /api/v1/, namespace ``api``) and web pages."""

from django.urls import path, register_converter

from . import api, views


class SignedIntConverter:
    """Like ``int`` but also matches negative numbers, so that the view answers them (a JSON
    404 from the API) instead of the catch-all, which is not CSRF-exempt for POSTs."""

    regex = "-?[0-9]+"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(SignedIntConverter, "id")

api_patterns = [
    path("campaigns/", api.CampaignListCreateView.as_view(), name="campaign-list"),
    path("campaigns/<id:campaign_id>/", api.CampaignDetailView.as_view(), name="campaign-detail"),
    path("campaigns/<id:campaign_id>/open/", api.CampaignOpenView.as_view(), name="campaign-open"),
    path(
        "campaigns/<id:campaign_id>/close/", api.CampaignCloseView.as_view(), name="campaign-close"
    ),
    path(
        "campaigns/<id:campaign_id>/documents/",
        api.CampaignDocumentsView.as_view(),
        name="campaign-documents",
    ),
    path(
        "campaigns/<id:campaign_id>/reviewers/",
        api.CampaignReviewersView.as_view(),
        name="campaign-reviewers",
    ),
    path(
        "campaigns/<id:campaign_id>/reassign/",
        api.CampaignReassignView.as_view(),
        name="campaign-reassign",
    ),
    path(
        "campaigns/<id:campaign_id>/progress/",
        api.CampaignProgressView.as_view(),
        name="campaign-progress",
    ),
    path("assignments/", api.AssignmentListView.as_view(), name="assignment-list"),
]

page_patterns = [
    path("assignments/", views.my_assignments, name="my-assignments"),
    path("campaigns/", views.campaign_list, name="campaign-list-page"),
    path("campaigns/new/", views.campaign_new, name="campaign-new"),
    path("campaigns/<id:campaign_id>/", views.campaign_page, name="campaign-page"),
    path("campaigns/<id:campaign_id>/open/", views.campaign_open, name="campaign-open-page"),
    path("campaigns/<id:campaign_id>/close/", views.campaign_close, name="campaign-close-page"),
    path(
        "campaigns/<id:campaign_id>/documents/",
        views.campaign_documents,
        name="campaign-documents-page",
    ),
    path(
        "campaigns/<id:campaign_id>/reassign/",
        views.campaign_reassign,
        name="campaign-reassign-page",
    ),
]
