"""URL map of the annotator app: health checks, the API and the reviewer web UI."""

from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog

from . import health, languages


class FaviconView(RedirectView):
    """The icon's static URL is looked up per request: with hashed static names (production) it
    is known only once ``collectstatic`` has run, not when the URLconf is imported."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("annotator/favicon.svg")


urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's).
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("i18n/setlang/", languages.set_language, name="set_language"),
    # The scripts' strings in the active language (gettext() and interpolate() in JavaScript).
    # Only this project's strings (LOCALE_PATHS): not the admin's calendar and the like.
    path(
        "i18n/js/",
        JavaScriptCatalog.as_view(packages=["annotator"]),
        name="javascript-catalog",
    ),
    path("api/", include("annotator.api.urls")),
    path("fact-checks/", include("annotator.factchecks.urls")),
    path("", include("annotator.web.urls")),
]
