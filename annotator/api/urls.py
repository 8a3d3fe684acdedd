"""REST API: /api/v1/ and the OpenAPI schema at /api/schema/ with its Swagger UI page."""

from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
)
from rest_framework.routers import DefaultRouter

from annotator.campaigns import urls as campaign_urls
from annotator.discussion import api as discussion_api
from annotator.notifications import api as notifications_api
from annotator.webhooks import api as webhooks_api

from . import exports, publications, search, views
from .docs import RedocMovedView, SwaggerView
from .errors import json_not_found

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
# No ".json" URL variants: `format` names an export format here, and the custom actions do not
# take a format argument (annotations/1/history.json answered 500).
router.include_format_suffixes = False
router.register("annotations", views.AnnotationViewSet, basename="annotation")
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("consensus", views.ConsensusViewSet, basename="consensus")
router.register("flags", views.FlagTypeViewSet, basename="flag")
router.register("sources", views.SourceViewSet, basename="source")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("suggestions", views.SuggestionViewSet, basename="suggestion")
router.register("moderation-actions", views.ModerationActionViewSet, basename="moderation-action")
router.register("tokens", views.ApiTokenViewSet, basename="token")

v1 = [
    path("me/", views.MeView.as_view(), name="me"),
    path("agreement/", views.CorpusAgreementView.as_view(), name="agreement"),
    path("calibration/", views.CalibrationView.as_view(), name="calibration"),
    path("search/", search.SearchView.as_view(), name="search"),
    path("exports/consensus", exports.ConsensusExportView.as_view(), name="export-consensus"),
    path("exports/annotations", exports.AnnotationExportView.as_view(), name="export-annotations"),
    path(
        "exports/moderation-actions",
        exports.ModerationActionExportView.as_view(),
        name="export-moderation-actions",
    ),
    *campaign_urls.api_patterns,
    re_path(
        r"^claims/(?P<pk>\d+)/publication/$",
        publications.ClaimPublicationView.as_view(),
        name="claim-publication",
    ),
    path("webhooks/", webhooks_api.WebhookEndpointsView.as_view(), name="webhooks"),
    path("comments/", discussion_api.CommentsView.as_view(), name="comments"),
    # <str:pk>: a malformed id reaches the view and gets a JSON 404 like the router's routes.
    path("comments/<str:pk>/", discussion_api.CommentView.as_view(), name="comment"),
    path("comments/<str:pk>/hide/", discussion_api.CommentHideView.as_view(), name="comment-hide"),
    path("notifications/", notifications_api.NotificationsView.as_view(), name="notifications"),
    path(
        "notifications/read/",
        notifications_api.NotificationsReadView.as_view(),
        name="notifications-read",
    ),
    *router.urls,
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", RedocMovedView.as_view(), name="api-redoc"),
    path("v1/", include((v1, "api"), namespace="api")),
    re_path(r"^.*$", json_not_found),
]
