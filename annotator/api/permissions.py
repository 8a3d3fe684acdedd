"""Who may do what through the API, beyond being logged in."""

from rest_framework import permissions

from annotator.models import ApiToken


class TokenScopeAllowsMethod(permissions.BasePermission):
    """Export-scope tokens read and export; any write through them is refused (403)."""

    message = "This API token has the 'export' scope: it can read and export, not write."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        auth = request.auth
        return not (isinstance(auth, ApiToken) and auth.scope != ApiToken.Scope.WRITE)


class IsModerator(permissions.BasePermission):
    message = "Only moderators may see this."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_moderator)


class SessionOnly(permissions.BasePermission):
    """Token management needs a browser session: a leaked token cannot mint more tokens."""

    message = "Manage API tokens from a logged-in browser session, not with a token."

    def has_permission(self, request, view):
        return not isinstance(request.auth, ApiToken)
