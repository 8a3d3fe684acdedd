"""Reviewer web UI: dashboard, reading view, claim page, review queue and account pages.

The account pages are django.contrib.auth's views with our own templates. Their template
names differ from Django's defaults on purpose: django.contrib.admin ships templates at the
default ``registration/...`` paths and comes first in INSTALLED_APPS.
"""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from annotator.discussion import views as discussion_views
from annotator.notifications import views as notification_views
from annotator.sso import views as sso_views

from ..campaigns import urls as campaign_urls
from . import adding, claim_candidates, views
from .forms import LoginForm

account_patterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html",
            redirect_authenticated_user=True,
            authentication_form=LoginForm,
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name="registration/change_password.html",
            success_url=reverse_lazy("password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/change_password_done.html"
        ),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="registration/reset_password.html",
            email_template_name="registration/reset_password_email.txt",
            subject_template_name="registration/reset_password_subject.txt",
            success_url=reverse_lazy("password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="registration/reset_password_sent.html"
        ),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/reset_password_confirm.html",
            success_url=reverse_lazy("password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/reset_password_complete.html"
        ),
        name="password_reset_complete",
    ),
]

# Not namespaced: settings.LOGIN_URL = "login" and the auth views expect Django's plain names.
page_patterns = [
    path("", views.dashboard, name="dashboard"),
    path("documents/new/", adding.document_new, name="document-new"),
    path("documents/new/save/", adding.document_save, name="document-save"),
    path("documents/<int:document_id>/", views.document_detail, name="document-read"),
    path(
        "documents/<int:document_id>/original/",
        adding.document_original,
        name="document-original",
    ),
    path("claims/<int:claim_id>/", views.claim_detail, name="claim-page"),
    path(
        "claims/<int:claim_id>/candidates/decide/",
        claim_candidates.decide,
        name="claim-candidate-decide",
    ),
    path("sources/<int:source_id>/", views.source_detail, name="source-page"),
    path("next/", views.next_passage, name="next-passage"),
]

integration_patterns = [
    path("oidc/authenticate/", sso_views.authenticate, name="oidc_authentication_init"),
    path("oidc/callback/", sso_views.callback, name="oidc_authentication_callback"),
    path("discussions/<int:consensus_id>/", discussion_views.thread_page, name="discussion-thread"),
    path(
        "discussions/comments/<int:comment_id>/edit/",
        discussion_views.comment_edit,
        name="discussion-comment-edit",
    ),
    path(
        "discussions/comments/<int:comment_id>/delete/",
        discussion_views.comment_delete,
        name="discussion-comment-delete",
    ),
    path("notifications/", notification_views.notifications_page, name="notifications"),
    path(
        "notifications/unsubscribe/<str:token>/",
        notification_views.unsubscribe,
        name="notifications-unsubscribe",
    ),
]

urlpatterns = account_patterns + page_patterns + campaign_urls.page_patterns + integration_patterns
