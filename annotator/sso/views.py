"""The OIDC endpoints, answering 404 while SSO is not configured (instead of failing)."""

from django.http import Http404
from mozilla_django_oidc import views as oidc_views

from . import enabled


def _when_enabled(view_class):
    def view(request, *args, **kwargs):
        if not enabled():
            raise Http404("Single sign-on is not configured.")
        return view_class.as_view()(request, *args, **kwargs)

    return view


authenticate = _when_enabled(oidc_views.OIDCAuthenticationRequestView)
callback = _when_enabled(oidc_views.OIDCAuthenticationCallbackView)
