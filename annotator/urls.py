"""URL map of the annotator app: health checks, the API and the reviewer web UI."""

from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from . import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's).
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("annotator/favicon.svg"), permanent=True),
        name="favicon",
    ),
    path("api/", include("annotator.api.urls")),
    path("fact-checks/", include("annotator.factchecks.urls")),
    path("", include("annotator.web.urls")),
]
